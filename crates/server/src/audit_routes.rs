//! The audit ledger over HTTP: checkpoints, entries with inclusion proofs, consistency proofs,
//! and the public key that verifies checkpoints.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use candor_pipeline::{ConsistencyProof, EntryProof, LedgerError, Pipeline};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;
use crate::{AppState, ErrorBody};

/// A signed tree head.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CheckpointView {
    /// The log's origin (also the signing key's name).
    pub origin: String,
    /// Number of entries covered.
    pub size: u64,
    /// Merkle tree hash, hex.
    pub root_hash: String,
    /// The C2SP signed note: verify it with the key from `/v1/audit/public-key`.
    pub note: String,
    /// When it was signed.
    pub created_at: String,
}

/// A tree head.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TreeHeadView {
    /// Number of entries.
    pub size: u64,
    /// Merkle tree hash, hex.
    pub root_hash: String,
}

/// An entry with its inclusion proof.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EntryView {
    /// Leaf index, from 0.
    pub index: u64,
    /// The record (docs/specs/audit-record.md).
    #[schema(value_type = Object)]
    pub record: serde_json::Value,
    /// The record's canonical bytes, hex: `leaf_hash = SHA-256(0x00 || record_bytes)`.
    pub record_bytes: String,
    /// The leaf hash, hex.
    pub leaf_hash: String,
    /// The tree head the proof leads to.
    pub tree: TreeHeadView,
    /// RFC 6962 inclusion proof, leaf first, hex.
    pub inclusion_proof: Vec<String>,
}

/// A consistency proof.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ConsistencyView {
    /// The older tree head.
    pub from: TreeHeadView,
    /// The newer tree head.
    pub to: TreeHeadView,
    /// RFC 6962 consistency proof, hex.
    pub proof: Vec<String>,
}

/// The key that signs checkpoints.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PublicKeyView {
    /// The log's origin.
    pub origin: String,
    /// `ed25519`.
    pub algorithm: String,
    /// The signed-note verifier key: `<name>+<key id hex>+<base64(0x01 || public key)>`.
    pub vkey: String,
}

impl EntryView {
    /// The wire form of an entry with its proof.
    pub fn from_proof(entry: &EntryProof) -> EntryView {
        EntryView {
            index: entry.index,
            record: serde_json::from_slice(&entry.payload).unwrap_or(serde_json::Value::Null),
            record_bytes: hex::encode(&entry.payload),
            leaf_hash: hex::encode(entry.leaf_hash),
            tree: head(&entry.root),
            inclusion_proof: entry.proof.iter().map(hex::encode).collect(),
        }
    }
}

impl ConsistencyView {
    /// The wire form of a consistency proof.
    pub fn from_proof(proof: &ConsistencyProof) -> ConsistencyView {
        ConsistencyView {
            from: head(&proof.from),
            to: head(&proof.to),
            proof: proof.proof.iter().map(hex::encode).collect(),
        }
    }
}

fn ledger_error(e: LedgerError) -> ApiError {
    match e {
        LedgerError::Request(r) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_range",
            r.to_string(),
        ),
        LedgerError::BeyondLog { .. } => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_range",
            e.to_string(),
        ),
        LedgerError::Store(s) => {
            tracing::error!(error = %s, "Reading the audit ledger failed");
            ApiError::internal()
        }
        other => {
            tracing::error!(error = %other, "Audit ledger operation failed");
            ApiError::internal()
        }
    }
}

fn head(root: &candor_audit::RootHash) -> TreeHeadView {
    TreeHeadView {
        size: root.size,
        root_hash: hex::encode(root.hash),
    }
}

fn checkpoint_view(origin: &str, c: &candor_pipeline::SignedCheckpoint) -> CheckpointView {
    CheckpointView {
        origin: origin.to_owned(),
        size: c.root.size,
        root_hash: hex::encode(c.root.hash),
        note: c.note.clone(),
        created_at: crate::dto::rfc3339(c.created_at),
    }
}

/// The latest signed checkpoint (one is made now if the log has none yet).
#[utoipa::path(get, path = "/v1/audit/checkpoint", responses((status = 200, body = CheckpointView)), tag = "audit")]
pub(crate) async fn get_checkpoint(
    State(state): State<Arc<AppState>>,
) -> Result<Json<CheckpointView>, ApiError> {
    let ledger = &state.ledger;
    let checkpoint = match ledger.latest_checkpoint().await.map_err(ledger_error)? {
        Some(c) => c,
        None => ledger
            .checkpoint(Pipeline::now())
            .await
            .map_err(ledger_error)?,
    };
    Ok(Json(checkpoint_view(ledger.origin(), &checkpoint)))
}

/// Signs a checkpoint of the log as it is now.
#[utoipa::path(post, path = "/v1/audit/checkpoint", responses((status = 201, body = CheckpointView)), tag = "audit")]
pub(crate) async fn post_checkpoint(
    State(state): State<Arc<AppState>>,
) -> Result<(StatusCode, Json<CheckpointView>), ApiError> {
    let ledger = &state.ledger;
    let checkpoint = ledger
        .checkpoint(Pipeline::now())
        .await
        .map_err(ledger_error)?;
    Ok((
        StatusCode::CREATED,
        Json(checkpoint_view(ledger.origin(), &checkpoint)),
    ))
}

/// Query parameters of an entry.
#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct EntryParams {
    /// The tree size to prove inclusion in (default: the current size).
    tree_size: Option<u64>,
}

/// An audit entry with its inclusion proof.
#[utoipa::path(
    get,
    path = "/v1/audit/entries/{n}",
    params(("n" = u64, Path, description = "Leaf index, from 0"), EntryParams),
    responses((status = 200, body = EntryView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    tag = "audit"
)]
pub(crate) async fn get_entry(
    State(state): State<Arc<AppState>>,
    Path(n): Path<String>,
    params: Result<Query<EntryParams>, QueryRejection>,
) -> Result<Json<EntryView>, ApiError> {
    let n: u64 = n.parse().map_err(|_| ApiError::not_found("audit entry"))?;
    let Query(params) = params.map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            format!("tree_size: {}", e.body_text()),
        )
        .with_field("tree_size")
    })?;
    let size = state
        .ledger
        .store()
        .audit_size()
        .await
        .map_err(|e| ledger_error(e.into()))?;
    if n >= params.tree_size.unwrap_or(size).min(size) {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("audit entry {n} not found in a tree of {size} entries"),
        ));
    }
    let entry = state
        .ledger
        .entry(n, params.tree_size)
        .await
        .map_err(ledger_error)?;
    Ok(Json(EntryView::from_proof(&entry)))
}

/// Query parameters of a consistency proof.
#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct ConsistencyParams {
    /// The older tree size.
    from: u64,
    /// The newer tree size.
    to: u64,
}

/// A consistency proof between two tree sizes.
#[utoipa::path(
    get,
    path = "/v1/audit/consistency",
    params(ConsistencyParams),
    responses((status = 200, body = ConsistencyView), (status = 422, body = ErrorBody)),
    tag = "audit"
)]
pub(crate) async fn get_consistency(
    State(state): State<Arc<AppState>>,
    params: Result<Query<ConsistencyParams>, QueryRejection>,
) -> Result<Json<ConsistencyView>, ApiError> {
    let Query(params) = params.map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            format!("from and to must be entry counts: {}", e.body_text()),
        )
    })?;
    let proof = state
        .ledger
        .consistency(params.from, params.to)
        .await
        .map_err(ledger_error)?;
    Ok(Json(ConsistencyView::from_proof(&proof)))
}

/// The public key that verifies this log's checkpoints.
#[utoipa::path(get, path = "/v1/audit/public-key", responses((status = 200, body = PublicKeyView)), tag = "audit")]
pub(crate) async fn get_public_key(State(state): State<Arc<AppState>>) -> Json<PublicKeyView> {
    Json(PublicKeyView {
        origin: state.ledger.origin().to_owned(),
        algorithm: "ed25519".to_owned(),
        vkey: state.ledger.verifier().to_vkey(),
    })
}
