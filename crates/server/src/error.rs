//! The one error type of the HTTP API, and its JSON shape `{"error": {"code", "message"}}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use candor_pipeline::PipelineError;
use candor_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// An error as the API reports it.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    field: Option<String>,
}

/// The JSON body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable machine-readable code, e.g. `missing_field`.
    pub code: String,
    /// A sentence naming the problem.
    pub message: String,
    /// The offending field, where there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ApiError {
    /// An error with a status, a code and a message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
        }
    }

    /// Names the offending field.
    pub fn with_field(mut self, field: impl Into<String>) -> ApiError {
        self.field = Some(field.into());
        self
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The error code.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn not_found(what: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        )
    }

    pub(crate) fn internal() -> ApiError {
        // The cause is logged where it happened; the client learns nothing about internals.
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Something went wrong; the request was not recorded.",
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        tracing::error!(error = %e, "Storage failed");
        ApiError::internal()
    }
}

impl From<PipelineError> for ApiError {
    fn from(e: PipelineError) -> ApiError {
        match e {
            PipelineError::Invalid(invalid) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_field",
                invalid.to_string(),
            )
            .with_field(invalid.field),
            PipelineError::ConversationConflict(_) => ApiError::new(
                StatusCode::CONFLICT,
                "conversation_conflict",
                "conversation_id belongs to another customer",
            )
            .with_field("conversation_id"),
            PipelineError::Vault(e) => {
                tracing::error!(error = %e, "A customer's data key cannot be unwrapped; is the master key right? Message not recorded");
                ApiError::internal()
            }
            PipelineError::Store(store) => {
                tracing::error!(error = %store, "Storage failed; message not recorded");
                ApiError::internal()
            }
            other => {
                tracing::error!(error = %other, "Pipeline failed; message not recorded");
                ApiError::internal()
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message,
                field: self.field,
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        response.extensions_mut().insert(ErrorCode(self.code));
        response
    }
}

/// The error code of a response, for the metrics middleware.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ErrorCode(pub(crate) &'static str);
