//! Handlers: parse the request, call the pipeline or the store, convert the answer.

use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{MatchedPath, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use candor_pipeline::Inbound;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::dto::{
    ConversationView, Health, MessageCreated, MessageRequest, MessageView, QueueItem, QueueView,
};
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::{AppState, parse_json};

/// The body, or the JSON error for one over the limit (`413 payload_too_large`) or one that
/// could not be read.
pub(crate) fn read_body(
    body: Result<Bytes, BytesRejection>,
    limit: usize,
) -> Result<Bytes, ApiError> {
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!("request body is over the limit of {limit} bytes"),
            )
        } else {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "unreadable_body",
                rejection.body_text(),
            )
        }
    })
}

/// Submit a customer message: it is pseudonymised, understood, routed and recorded.
#[utoipa::path(
    post,
    path = "/v1/messages",
    request_body = MessageRequest,
    responses(
        (status = 201, description = "Recorded; the decision is durable", body = MessageCreated),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 409, description = "The conversation belongs to another customer", body = ErrorBody),
        (status = 413, description = "Body over the configured limit", body = ErrorBody),
        (status = 415, description = "Content type is not JSON", body = ErrorBody),
        (status = 422, description = "A field is missing, empty or invalid", body = ErrorBody),
    ),
    tag = "messages"
)]
pub(crate) async fn post_message(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<MessageCreated>), ApiError> {
    if let Some(ct) = headers.get(header::CONTENT_TYPE) {
        let ct = ct.to_str().unwrap_or("");
        let essence = ct.split(';').next().unwrap_or("").trim();
        if !essence.eq_ignore_ascii_case("application/json") {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Content-Type must be application/json",
            ));
        }
    }
    let body = read_body(body, state.config.max_body_bytes)?;
    let request: MessageRequest = parse_json(&body)?;
    let metadata = match request.metadata {
        None | Some(serde_json::Value::Null) => None,
        Some(v @ serde_json::Value::Object(_)) => Some(v.to_string()),
        Some(_) => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_field",
                "metadata: must be a JSON object",
            )
            .with_field("metadata"));
        }
    };
    let inbound = Inbound {
        customer_id: request.customer_id,
        conversation_id: request.conversation_id,
        channel: request.channel.into(),
        text: request.text,
        metadata,
    };
    let outcome = state.pipeline.process(inbound).await?;
    state.metrics.record_outcome(&outcome);
    tracing::info!(
        message_id = %outcome.message_id,
        conversation_id = %outcome.conversation_id,
        route = outcome.decision.route.as_str(),
        language = outcome.language.lang.as_ref().map_or("unknown", |l| l.code()),
        pii_count = outcome.pii.len(),
        audit_index = outcome.audit_index,
        "Message recorded"
    );
    Ok((StatusCode::CREATED, Json(MessageCreated::from(&outcome))))
}

/// A message with its decision. The original text is never returned.
#[utoipa::path(
    get,
    path = "/v1/messages/{id}",
    params(("id" = String, Path, description = "Message id")),
    responses(
        (status = 200, body = MessageView),
        (status = 404, body = ErrorBody),
    ),
    tag = "messages"
)]
pub(crate) async fn get_message(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Json<MessageView>, ApiError> {
    let uuid = uuid::Uuid::parse_str(&id).map_err(|_| ApiError::not_found("message"))?;
    let Some(message) = state.pipeline.store().message(uuid).await? else {
        return Err(ApiError::not_found("message"));
    };
    let mut view = MessageView::from(&message);
    view.corrections = state
        .pipeline
        .events(&message.conversation_id)
        .await
        .map_err(crate::service_routes::service_error)?
        .iter()
        .filter(|e| e.message_id == Some(uuid) && e.kind != candor_store::EventKind::State)
        .map(crate::dto::EventView::from)
        .collect();
    Ok(Json(view))
}

/// A conversation with its messages and decisions in order.
#[utoipa::path(
    get,
    path = "/v1/conversations/{id}",
    params(("id" = String, Path, description = "Conversation id")),
    responses(
        (status = 200, body = ConversationView),
        (status = 404, body = ErrorBody),
    ),
    tag = "conversations"
)]
pub(crate) async fn get_conversation(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Json<ConversationView>, ApiError> {
    let Some(conversation) = state.pipeline.store().conversation(&id).await? else {
        return Err(ApiError::not_found("conversation"));
    };
    let mut view = ConversationView::from(&conversation);
    view.events = state
        .pipeline
        .events(&id)
        .await
        .map_err(crate::service_routes::service_error)?
        .iter()
        .map(crate::dto::EventView::from)
        .collect();
    Ok(Json(view))
}

/// Query parameters of the queue.
#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct QueueParams {
    /// How many conversations to return (1–500, default 50).
    limit: Option<u32>,
}

/// Conversations waiting for a person, highest priority first (by need only).
#[utoipa::path(
    get,
    path = "/v1/queue",
    params(QueueParams),
    responses((status = 200, body = QueueView), (status = 422, body = ErrorBody)),
    tag = "conversations"
)]
pub(crate) async fn get_queue(
    State(state): State<Arc<AppState>>,
    params: Result<Query<QueueParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<QueueView>, ApiError> {
    let Query(params) = params.map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            format!("limit: {}", e.body_text()),
        )
        .with_field("limit")
    })?;
    let limit = params.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            "limit: must be between 1 and 500",
        )
        .with_field("limit"));
    }
    let entries = state
        .pipeline
        .queue(candor_pipeline::Pipeline::now(), limit)
        .await
        .map_err(crate::service_routes::service_error)?;
    Ok(Json(QueueView {
        conversations: entries.iter().map(QueueItem::from).collect(),
    }))
}

/// Liveness and storage reachability.
#[utoipa::path(get, path = "/healthz", responses((status = 200, body = Health), (status = 503, body = ErrorBody)), tag = "operations")]
pub(crate) async fn healthz(State(state): State<Arc<AppState>>) -> Result<Json<Health>, ApiError> {
    let store = state.pipeline.store();
    store.ping().await.map_err(|e| {
        tracing::error!(error = %e, "Health check: storage unreachable");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "storage_unavailable",
            "storage is not reachable",
        )
    })?;
    Ok(Json(Health {
        status: "ok".to_owned(),
        storage: store.backend().as_str().to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    }))
}

/// Prometheus metrics in the text exposition format.
#[utoipa::path(get, path = "/metrics", responses((status = 200, description = "Prometheus text format", body = String)), tag = "operations")]
pub(crate) async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}

pub(crate) async fn openapi() -> Response {
    use utoipa::OpenApi;
    Json(crate::ApiDoc::openapi()).into_response()
}

pub(crate) async fn fallback() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such route")
}

pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "method not allowed on this route",
    )
}

/// Logs each request (method, route template, status, latency: never bodies or query values)
/// and counts it in the metrics.
pub(crate) async fn observe(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    // The route template (`/v1/messages/{id}`), not the concrete path, keeps label sets small.
    let path = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    let took = started.elapsed();
    let status = response.status().as_u16();
    if let Some(code) = response.extensions().get::<ErrorCode>() {
        state.metrics.record_error(code.0);
    }
    state
        .metrics
        .record_request(method.as_str(), &path, status, took);
    tracing::debug!(method = %method, path = %path, status, micros = took.as_micros() as u64, "Request served");
    response
}
