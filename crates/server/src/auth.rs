//! Authentication and authorisation, in one place.
//!
//! Every route template and method maps to the one [`Action`] it needs, or to public; the
//! role × action matrix itself is [`candor_core::permits`]. A method and route not listed here
//! is answered 405 before any handler runs, so a new endpoint is closed until someone decides
//! who may use it.
//!
//! The token comes from `Authorization: Bearer`, or, for browsers, from the `candor_session`
//! cookie that `POST /v1/sessions` sets (HttpOnly, so page scripts never see it).

use std::sync::Arc;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use candor_core::{Action, Role, permits};
use candor_pipeline::access::TokenCheck;

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
        // Logging in is how a person without a token gets one; the handler checks the password.
        ("POST", "/v1/sessions") => Access::Public,
        ("DELETE", "/v1/sessions") => Access::Needs(Action::EndSession),
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
        ("GET", "/v1/fairness/report") => Access::Needs(Action::ReadFairness),
        // The published AI policy is for everyone, customers first.
        ("GET", "/healthz") | ("GET", "/openapi.json") | ("GET", "/ai-policy") => Access::Public,
        ("GET", "/metrics") if public_metrics => Access::Public,
        ("GET", "/metrics") => Access::Needs(Action::ReadMetrics),
        _ => Access::Unlisted,
    }
}

/// The cookie a session's token travels in.
pub(crate) const SESSION_COOKIE: &str = "candor_session";

/// The `candor_session` cookie's value, if the request carries one.
fn session_cookie(headers: &header::HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim())
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
    // An explicit header wins over the cookie, so that a script with a token of its own is
    // never silently acting as the browser's logged-in user.
    let secret = match request.headers().get(header::AUTHORIZATION) {
        Some(value) => value
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim),
        None => session_cookie(request.headers()),
    };
    let Some(secret) = secret else {
        return unauthorized(
            "missing_token",
            "this endpoint needs `Authorization: Bearer <token>` or a session cookie",
        );
    };
    let checked = candor_pipeline::access::authenticate(
        state.pipeline.store().as_ref(),
        secret,
        candor_pipeline::Pipeline::now(),
    )
    .await;
    let token = match checked {
        Ok(TokenCheck::Valid(token)) => token,
        Ok(TokenCheck::Expired) => return unauthorized("expired_token", "the token has expired"),
        Ok(TokenCheck::Unknown | TokenCheck::Revoked) => {
            return unauthorized("invalid_token", "the token is unknown or revoked");
        }
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
        assert_eq!(
            access_for(&Method::POST, Some("/v1/sessions"), false),
            Access::Public
        );
        assert_eq!(
            access_for(&Method::DELETE, Some("/v1/sessions"), false),
            Access::Needs(Action::EndSession)
        );
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let mut headers = header::HeaderMap::new();
        headers.append(header::COOKIE, "theme=dark".parse().unwrap());
        headers.append(
            header::COOKIE,
            "x=1; candor_session=cnd_abc ; y=2".parse().unwrap(),
        );
        assert_eq!(session_cookie(&headers), Some("cnd_abc"));
        let mut others = header::HeaderMap::new();
        others.insert(
            header::COOKIE,
            "candor_session_old=cnd_x; session=cnd_y".parse().unwrap(),
        );
        assert_eq!(session_cookie(&others), None);
    }
}
