//! Data-subject rights over HTTP (the `dpo` role): export, erasure, reveal.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use candor_pipeline::PrivacyError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::dto::{ConversationView, rfc3339};
use crate::error::ApiError;
use crate::{AppState, ErrorBody, parse_json};

/// Everything held about a customer.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CustomerExportView {
    /// The customer.
    pub customer_id: String,
    /// When this export was made.
    pub exported_at: String,
    /// Conversations with messages, decisions and explanations.
    pub conversations: Vec<ConversationView>,
    /// Original messages as the customer sent them.
    pub originals: Vec<OriginalView>,
    /// Personal data held in the vault, by pseudonym.
    pub vault: Vec<VaultValueView>,
    /// The AI preference (opt-out), if ever set: `{opt_out, source, updated_at}`.
    pub ai_preference: Option<AiPreferenceView>,
    /// The consent history, oldest first.
    pub consents: Vec<ConsentHistoryView>,
    /// Complaints about decisions in the customer's conversations.
    pub complaints: Vec<crate::service_routes::ComplaintView>,
    /// State changes, agent replies, overrides and feedback in the customer's conversations.
    pub events: Vec<crate::dto::EventView>,
}

/// An AI preference in an export.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AiPreferenceView {
    /// `true`: no AI.
    pub opt_out: bool,
    /// How it was set.
    pub source: String,
    /// When (RFC 3339).
    pub updated_at: String,
}

/// One consent change in an export.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ConsentHistoryView {
    /// The purpose.
    pub purpose: String,
    /// `granted` or `withdrawn`.
    pub status: String,
    /// How it was recorded.
    pub source: String,
    /// The policy text the customer saw.
    pub policy_text_version: String,
    /// When (RFC 3339).
    pub at: String,
}

/// One original message.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OriginalView {
    /// The message.
    pub message_id: String,
    /// Its text.
    pub text: String,
}

/// One vault value.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct VaultValueView {
    /// Its conversation.
    pub conversation_id: String,
    /// Its pseudonym.
    pub token: String,
    /// What it is.
    pub kind: String,
    /// The value.
    pub value: String,
}

/// What an erasure removed.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErasureView {
    /// The keyed hash that now stands for the customer in decisions and the ledger.
    pub customer_hash: String,
    /// Messages whose customer id and metadata were replaced.
    pub messages: u64,
    /// Originals deleted.
    pub originals: u64,
    /// Vault values deleted.
    pub vault_values: u64,
    /// Pseudonym mappings deleted.
    pub pseudonyms: u64,
    /// Whether the customer's data key was destroyed.
    pub data_key_destroyed: bool,
    /// The erasure's record in the audit ledger.
    pub audit_index: u64,
}

/// A reveal request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevealRequest {
    /// The pseudonym, e.g. `<EMAIL_1>`.
    pub token: String,
    /// Why it must be revealed (recorded, pseudonymised, in the audit ledger).
    pub reason: String,
}

/// A revealed value.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RevealView {
    /// The pseudonym.
    pub token: String,
    /// What it is.
    pub kind: String,
    /// The value.
    pub value: String,
    /// The reveal's record in the audit ledger.
    pub audit_index: u64,
}

/// The wire form of an export (also written by `candor customer export`).
pub fn export_view(export: candor_pipeline::CustomerExport) -> CustomerExportView {
    CustomerExportView {
        customer_id: export.customer_id,
        exported_at: rfc3339(candor_pipeline::Pipeline::now()),
        conversations: export
            .conversations
            .iter()
            .map(ConversationView::from)
            .collect(),
        originals: export
            .originals
            .into_iter()
            .map(|o| OriginalView {
                message_id: o.message_id.to_string(),
                text: o.text,
            })
            .collect(),
        vault: export
            .vault
            .into_iter()
            .map(|v| VaultValueView {
                conversation_id: v.conversation_id,
                token: v.token,
                kind: v.kind.as_str().to_owned(),
                value: v.value,
            })
            .collect(),
        ai_preference: export.ai_preference.map(|p| AiPreferenceView {
            opt_out: p.opt_out,
            source: p.source,
            updated_at: rfc3339(p.updated_at),
        }),
        consents: export
            .consents
            .iter()
            .map(|c| ConsentHistoryView {
                purpose: c.purpose.clone(),
                status: if c.granted { "granted" } else { "withdrawn" }.to_owned(),
                source: c.source.clone(),
                policy_text_version: c.policy_text_version.clone(),
                at: rfc3339(c.at),
            })
            .collect(),
        complaints: export
            .complaints
            .iter()
            .map(crate::service_routes::ComplaintView::from)
            .collect(),
        events: export
            .events
            .iter()
            .map(crate::dto::EventView::from)
            .collect(),
    }
}

/// The wire form of an erasure report (also written by `candor customer erase`).
pub fn erasure_view(report: &candor_pipeline::ErasureReport) -> ErasureView {
    ErasureView {
        customer_hash: report.customer_hash.clone(),
        messages: report.counts.messages,
        originals: report.counts.originals,
        vault_values: report.counts.vault_values,
        pseudonyms: report.counts.pseudonyms,
        data_key_destroyed: report.counts.data_key,
        audit_index: report.audit_index,
    }
}

fn privacy_error(e: PrivacyError) -> ApiError {
    match e {
        PrivacyError::NotFound(what) => ApiError::not_found(what),
        PrivacyError::InvalidReason(why) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            format!("reason: {why}"),
        )
        .with_field("reason"),
        PrivacyError::Store(s) => ApiError::from(s),
        other => {
            tracing::error!(error = %other, "Data-subject operation failed");
            ApiError::internal()
        }
    }
}

/// Exports everything held about a customer, originals included (dpo).
#[utoipa::path(
    get,
    path = "/v1/customers/{id}/export",
    params(("id" = String, Path, description = "Customer id")),
    responses((status = 200, body = CustomerExportView)),
    security(("bearer" = [])),
    tag = "privacy"
)]
pub(crate) async fn export_customer(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<CustomerExportView>, ApiError> {
    let export = state
        .pipeline
        .export_customer(&id)
        .await
        .map_err(privacy_error)?;
    tracing::info!(token_id = %caller.token_id, customer = %state.pipeline.customer_hash(&id), "Customer data exported");
    Ok(Json(export_view(export)))
}

/// Erases a customer by crypto-shredding (dpo). Decisions remain, pseudonymised.
#[utoipa::path(
    delete,
    path = "/v1/customers/{id}",
    params(("id" = String, Path, description = "Customer id")),
    responses((status = 200, body = ErasureView), (status = 404, body = ErrorBody)),
    security(("bearer" = [])),
    tag = "privacy"
)]
pub(crate) async fn erase_customer(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<ErasureView>, ApiError> {
    let report = state
        .pipeline
        .erase_customer(&id, &caller.token_id, &state.ledger)
        .await
        .map_err(privacy_error)?;
    tracing::info!(token_id = %caller.token_id, customer = %report.customer_hash, audit_index = report.audit_index, "Customer erased");
    Ok(Json(erasure_view(&report)))
}

/// Reveals the value behind a pseudonym, recording who, in which role and why (dpo).
#[utoipa::path(
    post,
    path = "/v1/conversations/{id}/reveal",
    params(("id" = String, Path, description = "Conversation id")),
    request_body = RevealRequest,
    responses((status = 200, body = RevealView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])),
    tag = "privacy"
)]
pub(crate) async fn reveal(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<RevealView>, ApiError> {
    let request: RevealRequest = parse_json(&body)?;
    let revealed = state
        .pipeline
        .reveal(
            &id,
            &request.token,
            &caller.token_id,
            caller.role.as_str(),
            &request.reason,
            &state.ledger,
        )
        .await
        .map_err(privacy_error)?;
    tracing::info!(token_id = %caller.token_id, conversation_id = %id, audit_index = revealed.audit_index, "Pseudonym revealed");
    Ok(Json(RevealView {
        token: request.token,
        kind: revealed.kind.as_str().to_owned(),
        value: revealed.value,
        audit_index: revealed.audit_index,
    }))
}
