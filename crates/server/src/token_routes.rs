//! API token management (admin only): create (the secret is shown once), list, revoke.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use candor_core::Role;
use candor_pipeline::Pipeline;
use candor_pipeline::access::{IssueError, TokenOptions, days_after, issue_token_with};
use candor_store::StoredToken;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::{AppState, ErrorBody, parse_json};

/// A token to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// What it is for (1–64 of letters, digits, `-`, `_`, `.`).
    pub name: String,
    /// `channel`, `agent`, `supervisor`, `ai_officer`, `dpo` or `admin`.
    pub role: String,
    /// Days until it stops working (1–3650); absent or `null`: it works until revoked.
    #[serde(default)]
    pub expires_in_days: Option<u32>,
}

/// A token, without its secret.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenView {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its role.
    pub role: String,
    /// When it was made.
    pub created_at: String,
    /// When it was revoked, or `null`.
    pub revoked_at: Option<String>,
    /// When it stops working, or `null` for never.
    pub expires_at: Option<String>,
}

/// A token just created: `token` is shown this once and never again.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenCreated {
    /// The token.
    #[serde(flatten)]
    pub view: TokenView,
    /// The bearer secret.
    pub token: String,
}

/// The tokens.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenList {
    /// Oldest first.
    pub tokens: Vec<TokenView>,
}

impl From<&StoredToken> for TokenView {
    fn from(t: &StoredToken) -> TokenView {
        TokenView {
            id: t.id.clone(),
            name: t.name.clone(),
            role: t.role.as_str().to_owned(),
            created_at: crate::dto::rfc3339(t.created_at),
            revoked_at: t.revoked_at.map(crate::dto::rfc3339),
            expires_at: t.expires_at.map(crate::dto::rfc3339),
        }
    }
}

/// Creates a token.
#[utoipa::path(
    post,
    path = "/v1/tokens",
    request_body = TokenRequest,
    responses((status = 201, body = TokenCreated), (status = 422, body = ErrorBody)),
    security(("bearer" = [])),
    tag = "tokens"
)]
pub(crate) async fn create_token(
    State(state): State<Arc<AppState>>,
    body: Bytes,
) -> Result<(StatusCode, Json<TokenCreated>), ApiError> {
    let request: TokenRequest = parse_json(&body)?;
    let role: Role = request
        .role
        .parse()
        .map_err(|e: candor_core::ParseRoleError| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_field",
                format!("role: {e}"),
            )
            .with_field("role")
        })?;
    let now = Pipeline::now();
    let expires_at = request
        .expires_in_days
        .map(|days| days_after(now, days))
        .transpose()
        .map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_field",
                format!("expires_in_days: {e}"),
            )
            .with_field("expires_in_days")
        })?;
    let options = TokenOptions {
        expires_at,
        user_id: None,
    };
    let issued = issue_token_with(
        state.pipeline.store().as_ref(),
        &request.name,
        role,
        now,
        options,
    )
    .await
    .map_err(|e| match e {
        IssueError::Name(n) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            format!("name: {n}"),
        )
        .with_field("name"),
        IssueError::Store(s) => ApiError::from(s),
        other => {
            tracing::error!(error = %other, "Issuing a token failed");
            ApiError::internal()
        }
    })?;
    tracing::info!(token_id = %issued.record.id, role = %role, "Token created");
    Ok((
        StatusCode::CREATED,
        Json(TokenCreated {
            view: TokenView::from(&issued.record),
            token: issued.secret,
        }),
    ))
}

/// Lists tokens (never their secrets).
#[utoipa::path(get, path = "/v1/tokens", responses((status = 200, body = TokenList)), security(("bearer" = [])), tag = "tokens")]
pub(crate) async fn list_tokens(
    State(state): State<Arc<AppState>>,
) -> Result<Json<TokenList>, ApiError> {
    let tokens = state.pipeline.store().tokens().await?;
    Ok(Json(TokenList {
        tokens: tokens.iter().map(TokenView::from).collect(),
    }))
}

/// Revokes a token; it stops working at once.
#[utoipa::path(
    delete,
    path = "/v1/tokens/{id}",
    params(("id" = String, Path, description = "Token id")),
    responses((status = 204), (status = 404, body = ErrorBody)),
    security(("bearer" = [])),
    tag = "tokens"
)]
pub(crate) async fn revoke_token(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if state
        .pipeline
        .store()
        .revoke_token(&id, Pipeline::now())
        .await?
    {
        tracing::info!(token_id = %id, "Token revoked");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("active token"))
    }
}
