//! Authentication and authorisation, in one place.
//!
//! Every route template and method maps to the one [`Action`] it needs, or to public; the
//! role × action matrix itself is [`candor_core::permits`]. A method and route not listed here
//! is answered 405 before any handler runs, so a new endpoint is closed until someone decides
//! who may use it.

use std::sync::Arc;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use candor_core::{Action, Role, permits};

use crate::AppState;
use crate::error::ApiError;

/// Who is calling, for handlers that need it.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The token's id (never the secret).
    pub token_id: String,
    /// The role it grants.
    pub role: Role,
}

/// What a route needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// Anyone.
    Public,
    /// A token whose role permits the action.
    Needs(Action),
    /// No route matched the path: the router's fallback answers 404.
    NoRoute,
    /// A route matched the path but this table does not list the method: answered 405 here,
    /// before any handler, so a handler added without an entry stays closed.
    Unlisted,
}

/// The access every route needs. The single table of who may call what.
pub(crate) fn access_for(method: &Method, path: Option<&str>, public_metrics: bool) -> Access {
    let Some(path) = path else {
        return Access::NoRoute;
    };
    let m = method.as_str();
    match (m, path) {
        ("POST", "/v1/messages") => Access::Needs(Action::SubmitMessage),
        ("GET", "/v1/messages/{id}") => Access::Needs(Action::ReadMessage),
        ("GET", "/v1/conversations/{id}") => Access::Needs(Action::ReadConversation),
        ("GET", "/v1/queue") => Access::Needs(Action::ReadQueue),
        ("GET", "/v1/audit/entries/{n}") | ("GET", "/v1/audit/consistency") => {
            Access::Needs(Action::ReadAudit)
        }
        ("POST", "/v1/audit/checkpoint") => Access::Needs(Action::SignCheckpoint),
        // Checkpoints and the key are meant to be published.
        ("GET", "/v1/audit/checkpoint") | ("GET", "/v1/audit/public-key") => Access::Public,
        ("GET", "/v1/tokens") | ("POST", "/v1/tokens") | ("DELETE", "/v1/tokens/{id}") => {
            Access::Needs(Action::ManageTokens)
        }
        ("GET", "/v1/customers/{id}/export") => Access::Needs(Action::ExportCustomer),
        ("DELETE", "/v1/customers/{id}") => Access::Needs(Action::EraseCustomer),
        ("POST", "/v1/conversations/{id}/reveal") => Access::Needs(Action::RevealPii),
        ("POST", "/v1/conversations/{id}/claim")
        | ("POST", "/v1/conversations/{id}/resolve")
        | ("POST", "/v1/conversations/{id}/replies")
        | ("GET", "/v1/conversations/{id}/handoff") => Access::Needs(Action::HandleConversation),
        ("POST", "/v1/decisions/{id}/override") | ("POST", "/v1/decisions/{id}/feedback") => {
            Access::Needs(Action::OverrideDecision)
        }
        // Staff explanations need more than this; the handler checks the audience.
        ("GET", "/v1/decisions/{id}/explanation") => Access::Needs(Action::ReadCustomerExplanation),
        ("POST", "/v1/decisions/{id}/complaints") => Access::Needs(Action::FileComplaint),
        ("GET", "/v1/complaints") | ("POST", "/v1/complaints/{id}/resolution") => {
            Access::Needs(Action::ManageComplaints)
        }
        ("PUT", "/v1/customers/{id}/ai-preference") | ("PUT", "/v1/customers/{id}/consent") => {
            Access::Needs(Action::SetAiPreference)
        }
        ("GET", "/v1/customers/{id}/consent") => Access::Needs(Action::ReadConversation),
        ("POST", "/v1/kb/articles") => Access::Needs(Action::ManageKnowledgeBase),
        // The published AI policy is for everyone, customers first.
        ("GET", "/healthz") | ("GET", "/openapi.json") | ("GET", "/ai-policy") => Access::Public,
        ("GET", "/metrics") if public_metrics => Access::Public,
        ("GET", "/metrics") => Access::Needs(Action::ReadMetrics),
        _ => Access::Unlisted,
    }
}

fn unauthorized(code: &'static str, message: &str) -> Response {
    let mut response = ApiError::new(StatusCode::UNAUTHORIZED, code, message).into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Bearer"),
    );
    response
}

/// Checks the bearer token against the route's action before the handler (or the body) is
/// touched.
pub(crate) async fn authorize(
    State(state): State<Arc<AppState>>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned());
    let action = match access_for(
        request.method(),
        path.as_deref(),
        state.config.public_metrics,
    ) {
        Access::Public | Access::NoRoute => return next.run(request).await,
        Access::Unlisted => return crate::routes::method_not_allowed().await.into_response(),
        Access::Needs(action) => action,
    };
    let header = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let Some(secret) = header
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::trim)
    else {
        return unauthorized(
            "missing_token",
            "this endpoint needs `Authorization: Bearer <token>`",
        );
    };
    let token = match candor_pipeline::access::authenticate(state.pipeline.store().as_ref(), secret)
        .await
    {
        Ok(Some(token)) => token,
        Ok(None) => return unauthorized("invalid_token", "the token is unknown or revoked"),
        Err(e) => return ApiError::from(e).into_response(),
    };
    if !permits(token.role, action) {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!(
                "role `{}` may not {}",
                token.role,
                action.as_str().replace('_', " ")
            ),
        )
        .into_response();
    }
    request.extensions_mut().insert(Caller {
        token_id: token.id,
        role: token.role,
    });
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unlisted_methods_on_known_routes_are_closed_and_unknown_paths_fall_through() {
        assert_eq!(
            access_for(&Method::PUT, Some("/v1/messages"), true),
            Access::Unlisted
        );
        assert_eq!(
            access_for(&Method::GET, Some("/v1/some-new-route"), true),
            Access::Unlisted
        );
        assert_eq!(access_for(&Method::GET, None, true), Access::NoRoute);
        assert_eq!(
            access_for(&Method::GET, Some("/metrics"), true),
            Access::Public
        );
        assert_eq!(
            access_for(&Method::GET, Some("/metrics"), false),
            Access::Needs(Action::ReadMetrics)
        );
    }
}
