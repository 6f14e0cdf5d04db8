//! Candor's HTTP API: the only crate that knows HTTP and JSON.
//!
//! [`router`] builds the axum application over a [`Pipeline`]; [`serve`] runs it with graceful
//! shutdown. Routes live in `routes.rs`, wire types in `dto.rs`, the error shape in `error.rs`.
//! A new route is a handler in `routes.rs` with a `#[utoipa::path]`, a line in [`router`] and a
//! line in [`ApiDoc`].

use std::future::Future;
use std::sync::Arc;

use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Router, middleware};
use candor_pipeline::{Ledger, Pipeline};
use serde::de::DeserializeOwned;
use tokio::net::TcpListener;
use utoipa::OpenApi;

mod audit_routes;
mod auth;
pub mod dto;
mod error;
mod fairness_routes;
mod metrics;
mod policy_page;
mod privacy_routes;
mod routes;
pub mod service_routes;
mod session_routes;
mod token_routes;
mod transport;

pub use audit_routes::{CheckpointView, ConsistencyView, EntryView, PublicKeyView, TreeHeadView};
pub use auth::Caller;
pub use error::{ApiError, ErrorBody, ErrorDetail};
pub use fairness_routes::{FairnessSchedule, spawn_fairness_audits};
pub use metrics::Metrics;
pub use privacy_routes::{
    CustomerExportView, ErasureView, OriginalView, RevealRequest, RevealView, VaultValueView,
    erasure_view, export_view,
};
pub use session_routes::{SessionRequest, SessionView};
pub use token_routes::{TokenCreated, TokenList, TokenRequest, TokenView};
pub use transport::{BadOrigin, parse_origin};

/// Settings of the HTTP server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// Whether `/metrics` is readable without a token.
    pub public_metrics: bool,
    /// How long a session from `POST /v1/sessions` lasts.
    pub session_lifetime: std::time::Duration,
    /// Origins (from [`parse_origin`]) whose pages may call the API; empty: same-origin only.
    pub cors_allowed_origins: Vec<axum::http::HeaderValue>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            max_body_bytes: 64 * 1024,
            public_metrics: true,
            session_lifetime: std::time::Duration::from_secs(8 * 3600),
            cors_allowed_origins: Vec::new(),
        }
    }
}

/// What every handler can reach.
pub struct AppState {
    /// The message path.
    pub pipeline: Arc<Pipeline>,
    /// The audit ledger.
    pub ledger: Arc<Ledger>,
    /// Metrics.
    pub metrics: Metrics,
    /// Settings.
    pub config: ServerConfig,
}

/// The OpenAPI document, generated from the handlers and wire types.
#[derive(OpenApi)]
#[openapi(
    info(title = "Candor API", description = "Trust layer for AI in customer service: every message pseudonymised, understood, routed and recorded."),
    paths(
        routes::post_message,
        routes::get_message,
        routes::get_conversation,
        routes::get_queue,
        routes::healthz,
        policy_page::ai_policy,
        routes::metrics,
        audit_routes::get_checkpoint,
        audit_routes::post_checkpoint,
        audit_routes::get_entry,
        audit_routes::get_consistency,
        audit_routes::get_public_key,
        fairness_routes::get_report,
        token_routes::create_token,
        token_routes::list_tokens,
        token_routes::revoke_token,
        session_routes::log_in,
        session_routes::log_out,
        privacy_routes::export_customer,
        privacy_routes::erase_customer,
        privacy_routes::reveal,
        service_routes::claim,
        service_routes::resolve,
        service_routes::reply,
        service_routes::handoff,
        service_routes::override_decision,
        service_routes::feedback,
        service_routes::explanation,
        service_routes::file_complaint,
        service_routes::list_complaints,
        service_routes::resolve_complaint,
        service_routes::put_ai_preference,
        service_routes::put_consent,
        service_routes::get_consent,
        service_routes::post_articles,
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "messages", description = "Submit messages and read decisions"),
        (name = "conversations", description = "Conversations and the human queue"),
        (name = "operations", description = "Health and metrics"),
        (name = "audit", description = "The tamper-evident audit ledger: checkpoints and proofs"),
        (name = "tokens", description = "API tokens (admin)"),
        (name = "sessions", description = "Log in and out with a username and password"),
        (name = "privacy", description = "Data-subject rights: export, erasure, reveal (dpo)"),
        (name = "agents", description = "The agent's side: claim, reply, resolve, override, feedback, hand-off"),
        (name = "complaints", description = "Complaints about AI decisions"),
        (name = "customers", description = "Customers' AI preference and consent"),
        (name = "knowledge base", description = "Articles the bot answers from"),
        (name = "fairness", description = "Group audits of logged decisions (supervisor, ai_officer, admin)"),
    )
)]
pub struct ApiDoc;

/// Declares the bearer-token scheme every non-public route uses.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The application.
pub fn router(state: Arc<AppState>) -> Router {
    let limit = state.config.max_body_bytes;
    let cors = transport::cors_layer(&state.config.cors_allowed_origins);
    let app = Router::new()
        .route(
            "/v1/messages",
            post(routes::post_message).fallback(routes::method_not_allowed),
        )
        .route(
            "/v1/messages/{id}",
            get(routes::get_message).fallback(routes::method_not_allowed),
        )
        .route(
            "/v1/conversations/{id}",
            get(routes::get_conversation).fallback(routes::method_not_allowed),
        )
        .route(
            "/v1/queue",
            get(routes::get_queue).fallback(routes::method_not_allowed),
        )
        .route(
            "/v1/audit/checkpoint",
            get(audit_routes::get_checkpoint)
                .post(audit_routes::post_checkpoint)
                .fallback(routes::method_not_allowed),
        )
        .route(
            "/v1/audit/entries/{n}",
            get(audit_routes::get_entry).fallback(routes::method_not_allowed),
        )
        .route(
            "/v1/audit/consistency",
            get(audit_routes::get_consistency).fallback(routes::method_not_allowed),
        )
        .route(
            "/v1/audit/public-key",
            get(audit_routes::get_public_key).fallback(routes::method_not_allowed),
        )
        .route(
            "/v1/tokens",
            get(token_routes::list_tokens)
                .post(token_routes::create_token)
                .fallback(routes::method_not_allowed),
        )
        .route(
            "/v1/sessions",
            post(session_routes::log_in)
                .delete(session_routes::log_out)
                .fallback(routes::method_not_allowed),
        )
        .route(
            "/v1/tokens/{id}",
            axum::routing::delete(token_routes::revoke_token).fallback(routes::method_not_allowed),
        )
        .route(
            "/v1/customers/{id}/export",
            get(privacy_routes::export_customer),
        )
        .route(
            "/v1/customers/{id}",
            axum::routing::delete(privacy_routes::erase_customer),
        )
        .route(
            "/v1/conversations/{id}/reveal",
            post(privacy_routes::reveal),
        )
        .route("/v1/conversations/{id}/claim", post(service_routes::claim))
        .route(
            "/v1/conversations/{id}/resolve",
            post(service_routes::resolve),
        )
        .route(
            "/v1/conversations/{id}/replies",
            post(service_routes::reply),
        )
        .route(
            "/v1/conversations/{id}/handoff",
            get(service_routes::handoff),
        )
        .route(
            "/v1/decisions/{id}/override",
            post(service_routes::override_decision),
        )
        .route(
            "/v1/decisions/{id}/feedback",
            post(service_routes::feedback),
        )
        .route(
            "/v1/decisions/{id}/explanation",
            get(service_routes::explanation),
        )
        .route(
            "/v1/decisions/{id}/complaints",
            post(service_routes::file_complaint),
        )
        .route("/v1/complaints", get(service_routes::list_complaints))
        .route(
            "/v1/complaints/{id}/resolution",
            post(service_routes::resolve_complaint),
        )
        .route(
            "/v1/customers/{id}/ai-preference",
            axum::routing::put(service_routes::put_ai_preference),
        )
        .route(
            "/v1/customers/{id}/consent",
            axum::routing::put(service_routes::put_consent).get(service_routes::get_consent),
        )
        .route("/v1/kb/articles", post(service_routes::post_articles))
        .route("/v1/fairness/report", get(fairness_routes::get_report))
        .route("/ai-policy", get(policy_page::ai_policy))
        .route("/healthz", get(routes::healthz))
        .route("/metrics", get(routes::metrics))
        .route("/openapi.json", get(routes::openapi))
        .fallback(routes::fallback)
        .layer(axum::extract::DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::authorize,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            routes::observe,
        ))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            |_: Box<dyn std::any::Any + Send>| {
                use axum::response::IntoResponse;
                tracing::error!("A request handler panicked");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Something went wrong; the request was not recorded.",
                )
                .into_response()
            },
        ))
        .with_state(state);
    // Outermost, so that a preflight is answered before authentication would refuse it.
    match cors {
        Some(cors) => app.layer(cors),
        None => app,
    }
}

/// Serves the application on `listener` until `shutdown` completes, then finishes the
/// requests in flight.
///
/// # Errors
///
/// When the listener fails.
pub async fn serve(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Parses a JSON body into `T`, naming the problem: syntax errors (including invalid UTF-8)
/// are `400 malformed_json`; a missing field, a wrong type or an unknown field is
/// `422` naming the field.
///
/// # Errors
///
/// As above.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let malformed = |e: serde_json::Error| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            format!("body is not valid JSON: {e}"),
        )
    };
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let message = inner.to_string();
                let (code, field) = if let Some(rest) = message.strip_prefix("missing field `") {
                    (
                        "missing_field",
                        rest.split('`').next().unwrap_or("").to_owned(),
                    )
                } else if let Some(rest) = message.strip_prefix("unknown field `") {
                    (
                        "unknown_field",
                        rest.split('`').next().unwrap_or("").to_owned(),
                    )
                } else {
                    ("invalid_field", path.clone())
                };
                let message = message
                    .split(" at line ")
                    .next()
                    .unwrap_or(&message)
                    .to_owned();
                let message = if path == "." || message.contains(&format!("`{field}`")) {
                    message
                } else {
                    format!("{field}: {message}")
                };
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message).with_field(field)
            }
            _ => malformed(inner),
        }
    })?;
    de.end().map_err(malformed)?;
    Ok(value)
}
