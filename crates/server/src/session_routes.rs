//! Sessions for people: log in with a username and password for a token of one's role that
//! expires, sent back in the body and as an HttpOnly cookie; log out to revoke it.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Extension, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use candor_pipeline::Pipeline;
use candor_pipeline::accounts::{AccountError, log_in as check_login};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Caller, SESSION_COOKIE};
use crate::error::ApiError;
use crate::{AppState, ErrorBody, parse_json};

/// Credentials.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionRequest {
    /// The username (compared trimmed and case-insensitively).
    pub username: String,
    /// The password.
    pub password: String,
}

// By hand, so that a stray `{:?}` can never print the password.
impl std::fmt::Debug for SessionRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionRequest")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// A session just started. `token` is also set as the `candor_session` cookie.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionView {
    /// The bearer secret; it works until `expires_at` or logout.
    pub token: String,
    /// The user's role, which the token grants.
    pub role: String,
    /// When the session ends (RFC 3339).
    pub expires_at: String,
}

fn cookie(value: &str, max_age_secs: u64) -> Result<HeaderValue, ApiError> {
    // Secure: never over plain HTTP (TLS ends at the proxy, docs/specs/transport.md).
    // HttpOnly: page scripts cannot read it. SameSite=Strict: other sites cannot make the
    // browser send it, which is what keeps cookie authentication safe from CSRF.
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age={max_age_secs}"
    ))
    .map_err(|_| {
        tracing::error!("A session cookie could not be formed");
        ApiError::internal()
    })
}

/// Logs in: checks the username and password and starts a session.
#[utoipa::path(
    post,
    path = "/v1/sessions",
    request_body = SessionRequest,
    responses(
        (status = 201, body = SessionView, headers(("set-cookie" = String, description = "candor_session=<token>; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=<secs>"))),
        (status = 401, body = ErrorBody, description = "invalid_credentials: unknown user, disabled user or wrong password, alike"),
        (status = 400, body = ErrorBody),
        (status = 422, body = ErrorBody)
    ),
    tag = "sessions"
)]
pub(crate) async fn log_in(
    State(state): State<Arc<AppState>>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = crate::routes::read_body(body, state.config.max_body_bytes)?;
    let request: SessionRequest = parse_json(&body)?;
    let lifetime = state.config.session_lifetime;
    let session = check_login(
        state.pipeline.store().as_ref(),
        &request.username,
        &request.password,
        lifetime,
        Pipeline::now(),
    )
    .await
    .map_err(|e| match e {
        AccountError::Store(s) => ApiError::from(s),
        other => {
            tracing::error!(error = %other, "Logging in failed");
            ApiError::internal()
        }
    })?;
    let Some(session) = session else {
        // Neither the username nor the password is logged: people type one into the other.
        tracing::info!("Login refused");
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            "the username or the password is wrong",
        ));
    };
    tracing::info!(user_id = %session.user.id, token_id = %session.token.record.id, role = %session.user.role, "Session started");
    let expires_at = session
        .token
        .record
        .expires_at
        .map(crate::dto::rfc3339)
        .unwrap_or_default();
    let mut headers = HeaderMap::new();
    headers.insert(
        header::SET_COOKIE,
        cookie(&session.token.secret, lifetime.as_secs())?,
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let view = SessionView {
        token: session.token.secret,
        role: session.user.role.as_str().to_owned(),
        expires_at,
    };
    Ok((StatusCode::CREATED, headers, Json(view)).into_response())
}

/// Logs out: revokes the token of this request (header or cookie) and clears the cookie.
#[utoipa::path(
    delete,
    path = "/v1/sessions",
    responses((status = 204), (status = 401, body = ErrorBody)),
    security(("bearer" = [])),
    tag = "sessions"
)]
pub(crate) async fn log_out(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, ApiError> {
    // `false` only when another request revoked it a moment ago: logged out either way.
    state
        .pipeline
        .store()
        .revoke_token(&caller.token_id, Pipeline::now())
        .await?;
    tracing::info!(token_id = %caller.token_id, "Session ended");
    let mut headers = HeaderMap::new();
    headers.insert(header::SET_COOKIE, cookie("", 0)?);
    Ok((StatusCode::NO_CONTENT, headers).into_response())
}
