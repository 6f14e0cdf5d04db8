//! The conversation around decisions over HTTP: the agent's side (claim, reply, resolve,
//! override, feedback, hand-off), complaints, explanations, the AI preference, consent and the
//! knowledge base. The contract is docs/specs/agent.md.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use candor_core::{Lang, Route};
use candor_pipeline::Pipeline;
use candor_pipeline::explain::{CustomerExplanation, StaffExplanation};
use candor_pipeline::service::{ConsentState, HandoffPacket, Purpose, ServiceError};
use candor_store::{Complaint, ComplaintStatus, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::rfc3339;
use crate::error::ApiError;
use crate::{AppState, ErrorBody, parse_json};

pub(crate) fn service_error(e: ServiceError) -> ApiError {
    match e {
        ServiceError::Invalid { field, problem } => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            format!("{field}: {problem}"),
        )
        .with_field(field),
        ServiceError::Kb(e) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_article",
            e.to_string(),
        ),
        ServiceError::Store(StoreError::NotFound(what)) => ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        ),
        ServiceError::Store(StoreError::InvalidState(why)) => {
            ApiError::new(StatusCode::CONFLICT, "invalid_state", why)
        }
        ServiceError::Store(StoreError::StaleVersion(why)) => {
            ApiError::new(StatusCode::CONFLICT, "stale_version", why)
        }
        ServiceError::Store(e) => ApiError::from(e),
        other => {
            tracing::error!(error = %other, "Service operation failed");
            ApiError::internal()
        }
    }
}

fn actor(caller: &Caller) -> String {
    format!("token:{}", caller.token_id)
}

fn message_id(id: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(id).map_err(|_| ApiError::not_found("decision"))
}

/// The state of a conversation after a change.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ConversationStateView {
    /// The conversation.
    pub conversation_id: String,
    /// Its state now.
    pub state: String,
}

/// Claims a waiting conversation for the calling agent.
#[utoipa::path(post, path = "/v1/conversations/{id}/claim",
    params(("id" = String, Path, description = "Conversation id")),
    responses((status = 200, body = ConversationStateView), (status = 404, body = ErrorBody), (status = 409, description = "Not waiting for a person", body = ErrorBody)),
    security(("bearer" = [])), tag = "agents")]
pub(crate) async fn claim(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<ConversationStateView>, ApiError> {
    state
        .pipeline
        .claim(&id, &actor(&caller), Pipeline::now())
        .await
        .map_err(service_error)?;
    Ok(Json(ConversationStateView {
        conversation_id: id,
        state: "assigned".into(),
    }))
}

/// Resolves a conversation.
#[utoipa::path(post, path = "/v1/conversations/{id}/resolve",
    params(("id" = String, Path, description = "Conversation id")),
    responses((status = 200, body = ConversationStateView), (status = 404, body = ErrorBody), (status = 409, description = "Already resolved", body = ErrorBody)),
    security(("bearer" = [])), tag = "agents")]
pub(crate) async fn resolve(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<ConversationStateView>, ApiError> {
    state
        .pipeline
        .resolve(&id, &actor(&caller), Pipeline::now())
        .await
        .map_err(service_error)?;
    Ok(Json(ConversationStateView {
        conversation_id: id,
        state: "resolved".into(),
    }))
}

/// A reply written by a person.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentReplyRequest {
    /// What the agent writes to the customer.
    pub text: String,
}

/// A recorded event.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EventCreated {
    /// The event's id in the conversation history.
    pub event_id: String,
}

/// Replies to the customer as a person (claim the conversation first).
#[utoipa::path(post, path = "/v1/conversations/{id}/replies", request_body = AgentReplyRequest,
    params(("id" = String, Path, description = "Conversation id")),
    responses((status = 201, body = EventCreated), (status = 404, body = ErrorBody), (status = 409, description = "Not assigned", body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])), tag = "agents")]
pub(crate) async fn reply(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<EventCreated>), ApiError> {
    let request: AgentReplyRequest = parse_json(&body)?;
    let event_id = state
        .pipeline
        .agent_reply(&id, &actor(&caller), &request.text, Pipeline::now())
        .await
        .map_err(service_error)?;
    Ok((StatusCode::CREATED, Json(EventCreated { event_id })))
}

/// The warm hand-off packet of a conversation.
#[utoipa::path(get, path = "/v1/conversations/{id}/handoff",
    params(("id" = String, Path, description = "Conversation id")),
    responses((status = 200, description = "intent, language, frustration trajectory, pseudonymised transcript, bot attempts, escalation reason"), (status = 404, body = ErrorBody)),
    security(("bearer" = [])), tag = "agents")]
pub(crate) async fn handoff(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Json<HandoffPacket>, ApiError> {
    Ok(Json(
        state.pipeline.handoff(&id).await.map_err(service_error)?,
    ))
}

/// An override of an AI decision.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideRequest {
    /// `route`, `intent` or `priority`.
    pub field: String,
    /// The new value: `bot`/`human`, an intent label, or a number.
    pub to: String,
    /// Why (required).
    pub reason: String,
}

/// Overrides an AI decision's route, intent or priority, with a reason.
#[utoipa::path(post, path = "/v1/decisions/{id}/override", request_body = OverrideRequest,
    params(("id" = String, Path, description = "The message id of the decision")),
    responses((status = 201, body = EventCreated), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])), tag = "agents")]
pub(crate) async fn override_decision(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<EventCreated>), ApiError> {
    let request: OverrideRequest = parse_json(&body)?;
    let event_id = state
        .pipeline
        .override_decision(
            message_id(&id)?,
            &actor(&caller),
            &request.field,
            &request.to,
            &request.reason,
            Pipeline::now(),
        )
        .await
        .map_err(service_error)?;
    Ok((StatusCode::CREATED, Json(EventCreated { event_id })))
}

/// A judgement of a decision.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackRequest {
    /// Whether the decision (e.g. the bot's answer) was right.
    pub correct: bool,
    /// An optional comment.
    #[serde(default)]
    pub comment: String,
}

/// Marks a decision (a bot answer) helpful or wrong; stored as labelled data.
#[utoipa::path(post, path = "/v1/decisions/{id}/feedback", request_body = FeedbackRequest,
    params(("id" = String, Path, description = "The message id of the decision")),
    responses((status = 201, body = EventCreated), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])), tag = "agents")]
pub(crate) async fn feedback(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<EventCreated>), ApiError> {
    let request: FeedbackRequest = parse_json(&body)?;
    let event_id = state
        .pipeline
        .feedback(
            message_id(&id)?,
            &actor(&caller),
            request.correct,
            &request.comment,
            Pipeline::now(),
        )
        .await
        .map_err(service_error)?;
    Ok((StatusCode::CREATED, Json(EventCreated { event_id })))
}

/// Query of an explanation.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExplanationParams {
    /// `customer` (default) or `staff`.
    audience: Option<String>,
    /// The language of a customer explanation (default: the message's).
    lang: Option<String>,
}

/// An explanation for either audience.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub(crate) enum ExplanationView {
    Customer(CustomerExplanation),
    Staff(Box<StaffExplanation>),
}

/// Explains a decision: to the customer in plain language, or to staff with features, weights,
/// thresholds and versions.
#[utoipa::path(get, path = "/v1/decisions/{id}/explanation", params(("id" = String, Path, description = "The message id of the decision"), ExplanationParams),
    responses((status = 200, description = "customer: {language, sentences, text}; staff: {route, rule, escalation_reason, summary, reasons, intent_features, thresholds, versions}"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])), tag = "messages")]
pub(crate) async fn explanation(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    params: Result<Query<ExplanationParams>, QueryRejection>,
) -> Result<Json<ExplanationView>, ApiError> {
    let Query(params) = params.map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            e.body_text(),
        )
    })?;
    let lang = params
        .lang
        .as_deref()
        .map(|l| {
            l.parse::<Lang>()
                .ok()
                .filter(|l| candor_pipeline::explain::explanation_languages().contains(l))
                .ok_or_else(|| {
                    ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "invalid_field",
                        format!("lang: `{l}` is not a language explanations are written in"),
                    )
                    .with_field("lang")
                })
        })
        .transpose()?;
    let staff = match params.audience.as_deref() {
        None | Some("customer") => false,
        Some("staff") => true,
        Some(other) => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_field",
                format!("audience: `{other}` is not `customer` or `staff`"),
            )
            .with_field("audience"));
        }
    };
    // The route admits anyone who may read either explanation; the staff one needs more.
    if staff && !candor_core::permits(caller.role, candor_core::Action::ReadStaffExplanation) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("role `{}` may not read staff explanations", caller.role),
        ));
    }
    let message = state
        .pipeline
        .store()
        .message(message_id(&id)?)
        .await?
        .ok_or_else(|| ApiError::not_found("decision"))?;
    Ok(Json(if staff {
        ExplanationView::Staff(Box::new(
            state
                .pipeline
                .explain_for_staff(&message.decision, &message.pseudonymised_text),
        ))
    } else {
        ExplanationView::Customer(candor_pipeline::explain::for_customer(
            &message.decision,
            lang,
        ))
    }))
}

/// A complaint about a decision.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplaintRequest {
    /// What is wrong with the decision, in the complainant's words.
    #[serde(default)]
    pub text: String,
}

/// A complaint.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ComplaintView {
    /// Its id.
    pub id: String,
    /// The decision complained about (its message id).
    pub message_id: String,
    /// Its conversation.
    pub conversation_id: String,
    /// Who filed it.
    pub filed_by: String,
    /// What they said.
    pub text: String,
    /// The role that owns it.
    pub owner_role: String,
    /// `open`, `upheld` or `rejected`.
    pub status: String,
    /// When filed.
    pub filed_at: String,
    /// When due.
    pub due_at: String,
    /// The correction made or the reason for rejecting.
    pub resolution: Option<String>,
    /// When resolved.
    pub resolved_at: Option<String>,
}

impl From<&Complaint> for ComplaintView {
    fn from(c: &Complaint) -> ComplaintView {
        ComplaintView {
            id: c.id.clone(),
            message_id: c.message_id.to_string(),
            conversation_id: c.conversation_id.clone(),
            filed_by: c.filed_by.clone(),
            text: c.text.clone(),
            owner_role: c.owner_role.clone(),
            status: c.status.as_str().to_owned(),
            filed_at: rfc3339(c.filed_at),
            due_at: rfc3339(c.due_at),
            resolution: c.resolution.clone(),
            resolved_at: c.resolved_at.map(rfc3339),
        }
    }
}

/// Files a complaint about a decision.
#[utoipa::path(post, path = "/v1/decisions/{id}/complaints", request_body = ComplaintRequest,
    params(("id" = String, Path, description = "The message id of the decision")),
    responses((status = 201, body = ComplaintView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])), tag = "complaints")]
pub(crate) async fn file_complaint(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<ComplaintView>), ApiError> {
    let request: ComplaintRequest = parse_json(&body)?;
    let complaint = state
        .pipeline
        .file_complaint(
            message_id(&id)?,
            &actor(&caller),
            &request.text,
            Pipeline::now(),
        )
        .await
        .map_err(service_error)?;
    state.metrics.complaint(complaint.status.as_str());
    Ok((StatusCode::CREATED, Json(ComplaintView::from(&complaint))))
}

/// Filter of the complaint list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct ComplaintParams {
    /// `open`, `upheld` or `rejected`; all when absent.
    status: Option<String>,
}

/// The complaint list.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ComplaintList {
    /// Complaints, the earliest due first.
    pub complaints: Vec<ComplaintView>,
}

/// Lists complaints, optionally by status.
#[utoipa::path(get, path = "/v1/complaints", params(ComplaintParams),
    responses((status = 200, body = ComplaintList), (status = 422, body = ErrorBody)),
    security(("bearer" = [])), tag = "complaints")]
pub(crate) async fn list_complaints(
    State(state): State<Arc<AppState>>,
    params: Result<Query<ComplaintParams>, QueryRejection>,
) -> Result<Json<ComplaintList>, ApiError> {
    let Query(params) = params.map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            e.body_text(),
        )
    })?;
    let status = params
        .status
        .as_deref()
        .map(|s| {
            ComplaintStatus::parse(s).ok_or_else(|| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_field",
                    format!("status: `{s}` is not open, upheld or rejected"),
                )
                .with_field("status")
            })
        })
        .transpose()?;
    let complaints = state
        .pipeline
        .complaints(status)
        .await
        .map_err(service_error)?;
    Ok(Json(ComplaintList {
        complaints: complaints.iter().map(ComplaintView::from).collect(),
    }))
}

/// A resolution of a complaint.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolutionRequest {
    /// `true`: the complaint is right and the decision is corrected; `false`: rejected.
    pub upheld: bool,
    /// The correction made, or the reason for rejecting (required).
    pub resolution: String,
    /// For an upheld complaint: the route the decision should have had (`bot` or `human`);
    /// recorded as an override.
    pub corrected_route: Option<String>,
}

/// Resolves a complaint: upheld (with the correction) or rejected (with the reason).
#[utoipa::path(post, path = "/v1/complaints/{id}/resolution", request_body = ResolutionRequest,
    params(("id" = String, Path, description = "Complaint id")),
    responses((status = 200, body = ComplaintView), (status = 404, body = ErrorBody), (status = 409, description = "Already resolved", body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])), tag = "complaints")]
pub(crate) async fn resolve_complaint(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<ComplaintView>, ApiError> {
    let request: ResolutionRequest = parse_json(&body)?;
    let route = request
        .corrected_route
        .as_deref()
        .map(|r| {
            r.parse::<Route>().map_err(|e| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_field",
                    e.to_string(),
                )
                .with_field("corrected_route")
            })
        })
        .transpose()?;
    let complaint = state
        .pipeline
        .resolve_complaint(
            &id,
            request.upheld,
            &request.resolution,
            route,
            &actor(&caller),
            Pipeline::now(),
        )
        .await
        .map_err(service_error)?;
    state.metrics.complaint(complaint.status.as_str());
    Ok(Json(ComplaintView::from(&complaint)))
}

/// A customer's choice about AI.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AiPreferenceRequest {
    /// `true`: no AI answers and no AI triage beyond what safety and privacy require.
    pub opt_out: bool,
}

/// Sets a customer's AI preference; honoured on every later message.
#[utoipa::path(put, path = "/v1/customers/{id}/ai-preference", request_body = AiPreferenceRequest,
    params(("id" = String, Path, description = "Customer id")),
    responses((status = 200, body = AiPreferenceRequest), (status = 422, body = ErrorBody)),
    security(("bearer" = [])), tag = "customers")]
pub(crate) async fn put_ai_preference(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<AiPreferenceRequest>, ApiError> {
    let request: AiPreferenceRequest = parse_json(&body)?;
    if id.trim().is_empty() || id.len() > 256 {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            "id: must be 1 to 256 bytes",
        ));
    }
    let source = if caller.role == candor_core::Role::Channel {
        "api"
    } else {
        "agent"
    };
    state
        .pipeline
        .set_ai_preference(&id, request.opt_out, source, Pipeline::now())
        .await
        .map_err(service_error)?;
    Ok(Json(request))
}

fn customer_id(id: &str) -> Result<(), ApiError> {
    if id.trim().is_empty() || id.len() > 256 {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            "id: must be 1 to 256 bytes",
        )
        .with_field("id"));
    }
    Ok(())
}

/// One purpose's consent as it stands.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ConsentInForce {
    /// `granted` or `withdrawn`.
    pub status: String,
    /// `true` when this is the policy's default, not the customer's own choice.
    pub default: bool,
}

/// One recorded change of consent.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ConsentChangeView {
    /// The purpose.
    pub purpose: String,
    /// `granted` or `withdrawn`.
    pub status: String,
    /// How it was recorded: `api` (an integration) or `agent` (staff).
    pub source: String,
    /// The version of the policy text the customer consented under.
    pub policy_text_version: String,
    /// When, RFC 3339.
    pub at: String,
}

/// A customer's consent: per purpose in force, and every change, oldest first.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ConsentView {
    /// The customer.
    pub customer_id: String,
    /// Per purpose (`ai_triage`, `ai_answers`, `analytics`, `model_training`).
    pub consents: BTreeMap<String, ConsentInForce>,
    /// Every change, oldest first.
    pub history: Vec<ConsentChangeView>,
}

fn status(granted: bool) -> String {
    if granted { "granted" } else { "withdrawn" }.to_owned()
}

/// The consent view of a customer, as `GET /v1/customers/{id}/consent` returns it (the CLI
/// prints the same).
pub fn consent_view(customer_id: String, c: &ConsentState) -> ConsentView {
    ConsentView::new(customer_id, c)
}

impl ConsentView {
    fn new(customer_id: String, c: &ConsentState) -> ConsentView {
        ConsentView {
            customer_id,
            consents: c
                .in_force
                .iter()
                .map(|(purpose, granted, default)| {
                    (
                        purpose.as_str().to_owned(),
                        ConsentInForce {
                            status: status(*granted),
                            default: *default,
                        },
                    )
                })
                .collect(),
            history: c
                .history
                .iter()
                .map(|h| ConsentChangeView {
                    purpose: h.purpose.clone(),
                    status: status(h.granted),
                    source: h.source.clone(),
                    policy_text_version: h.policy_text_version.clone(),
                    at: rfc3339(h.at),
                })
                .collect(),
        }
    }
}

/// Records a customer's consent to one or more purposes, e.g.
/// `{"ai_answers": "withdrawn", "model_training": "granted"}`; it applies from their next
/// message on. Returns the consent in force and its history.
#[utoipa::path(put, path = "/v1/customers/{id}/consent",
    request_body(content = BTreeMap<String, String>, description = "Purpose → `granted` or `withdrawn`"),
    params(("id" = String, Path, description = "Customer id")),
    responses((status = 200, body = ConsentView), (status = 422, description = "An unknown purpose or value, named in `field`", body = ErrorBody)),
    security(("bearer" = [])), tag = "customers")]
pub(crate) async fn put_consent(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<ConsentView>, ApiError> {
    let request: BTreeMap<String, String> = parse_json(&body)?;
    customer_id(&id)?;
    let invalid = |field: &str, message: String| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", message).with_field(field)
    };
    if request.is_empty() {
        return Err(invalid(
            "body",
            "body: name at least one purpose".to_owned(),
        ));
    }
    // Every entry is checked before any is recorded, so a bad body changes nothing.
    let mut changes = Vec::with_capacity(request.len());
    for (name, value) in &request {
        let purpose = Purpose::parse(name).ok_or_else(|| {
            invalid(
                name,
                format!(
                    "{name}: unknown purpose (known: {})",
                    Purpose::ALL.map(|p| p.as_str()).join(", ")
                ),
            )
        })?;
        let granted = match value.as_str() {
            "granted" => true,
            "withdrawn" => false,
            other => {
                return Err(invalid(
                    name,
                    format!("{name}: must be `granted` or `withdrawn`, got `{other}`"),
                ));
            }
        };
        changes.push((purpose, granted));
    }
    let source = if caller.role == candor_core::Role::Channel {
        "api"
    } else {
        "agent"
    };
    let now = Pipeline::now();
    for (purpose, granted) in changes {
        state
            .pipeline
            .set_consent(&id, purpose, granted, source, now)
            .await
            .map_err(service_error)?;
    }
    let consents = state.pipeline.consents(&id).await.map_err(service_error)?;
    Ok(Json(ConsentView::new(id, &consents)))
}

/// A customer's consent in force per purpose (their own choice or the policy's default) and
/// every change, oldest first.
#[utoipa::path(get, path = "/v1/customers/{id}/consent",
    params(("id" = String, Path, description = "Customer id")),
    responses((status = 200, body = ConsentView), (status = 422, body = ErrorBody)),
    security(("bearer" = [])), tag = "customers")]
pub(crate) async fn get_consent(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Json<ConsentView>, ApiError> {
    customer_id(&id)?;
    let consents = state.pipeline.consents(&id).await.map_err(service_error)?;
    Ok(Json(ConsentView::new(id, &consents)))
}

/// Knowledge-base articles to import.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticlesRequest {
    /// Articles as Markdown with `+++` TOML front matter (docs/specs/kb.md).
    pub articles: Vec<String>,
}

/// What an import did.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ArticlesImported {
    /// Articles stored.
    pub imported: usize,
    /// The knowledge base's version now.
    pub knowledge_base_version: String,
}

/// The most articles one request may carry.
const MAX_ARTICLES_PER_REQUEST: usize = 500;

/// Adds or updates knowledge-base articles (a newer version replaces an older one).
#[utoipa::path(post, path = "/v1/kb/articles", request_body = ArticlesRequest,
    responses((status = 201, body = ArticlesImported), (status = 409, description = "A version is not newer than the stored one", body = ErrorBody), (status = 422, description = "An article is invalid", body = ErrorBody)),
    security(("bearer" = [])), tag = "knowledge base")]
pub(crate) async fn post_articles(
    State(state): State<Arc<AppState>>,
    body: Bytes,
) -> Result<(StatusCode, Json<ArticlesImported>), ApiError> {
    let request: ArticlesRequest = parse_json(&body)?;
    if request.articles.is_empty() || request.articles.len() > MAX_ARTICLES_PER_REQUEST {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            format!("articles: must hold 1 to {MAX_ARTICLES_PER_REQUEST} articles"),
        )
        .with_field("articles"));
    }
    let imported = state
        .pipeline
        .import_articles(&request.articles, Pipeline::now())
        .await
        .map_err(service_error)?;
    Ok((
        StatusCode::CREATED,
        Json(ArticlesImported {
            imported,
            knowledge_base_version: state.pipeline.knowledge_base_version(),
        }),
    ))
}
