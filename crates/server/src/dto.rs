//! The wire types of the API, written by hand and converted from the domain by hand, so that
//! a change inside Candor never silently changes what integrations receive.
//! The decision shape is specified in `docs/specs/decision.md`.

use candor_core::{Channel, Decision, Timestamp};
use candor_pipeline::service::QueuedConversation;
use candor_pipeline::{Outcome, PiiFound};
use candor_store::{StoredConversation, StoredMessage, StoredPii};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A message to process.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageRequest {
    /// The customer, as your system identifies them (1–256 bytes).
    pub customer_id: String,
    /// The conversation to continue; omit to start a new one.
    #[serde(default)]
    pub conversation_id: Option<String>,
    /// Where the message came from.
    pub channel: ChannelDto,
    /// What the customer wrote.
    pub text: String,
    /// Any JSON object; stored with the message, never shown to a model.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<serde_json::Value>,
}

/// A channel.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ChannelDto {
    /// E-mail.
    Email,
    /// Chat.
    Chat,
    /// Transcribed voice.
    Voice,
    /// Other integrations.
    Api,
}

impl From<ChannelDto> for Channel {
    fn from(c: ChannelDto) -> Channel {
        match c {
            ChannelDto::Email => Channel::Email,
            ChannelDto::Chat => Channel::Chat,
            ChannelDto::Voice => Channel::Voice,
            ChannelDto::Api => Channel::Api,
        }
    }
}

impl From<Channel> for ChannelDto {
    fn from(c: Channel) -> ChannelDto {
        match c {
            Channel::Email => ChannelDto::Email,
            Channel::Chat => ChannelDto::Chat,
            Channel::Voice => ChannelDto::Voice,
            Channel::Api => ChannelDto::Api,
        }
    }
}

/// The answer to `POST /v1/messages`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MessageCreated {
    /// The new message's id.
    pub message_id: String,
    /// Its conversation; pass it back to continue the conversation.
    pub conversation_id: String,
    /// When Candor received it (RFC 3339, UTC).
    pub received_at: String,
    /// What Candor decided.
    pub decision: DecisionDto,
}

/// A decision (see `docs/specs/decision.md`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DecisionDto {
    /// Who answers: `bot` or `human`.
    pub route: String,
    /// The step of the decision (or policy rule) that chose the route.
    pub rule: String,
    /// Why a person answers (`human_requested`, `opted_out`, `frustration`, `always_human`,
    /// `low_confidence`, `bot_failed`, `no_answer`, `language_unknown`, `with_person`,
    /// `policy_rule`, `no_consent`); absent for bot answers.
    pub escalation_reason: Option<String>,
    /// The bot's reply, for bot answers: `{text, language, article_id, article_version,
    /// ai_disclosure}`. `text` always contains `ai_disclosure`.
    #[schema(value_type = Option<Object>)]
    pub reply: Option<candor_core::Reply>,
    /// A fixed text for the customer from the policy (hand-off, opt-out or complaint
    /// confirmation), not written by AI.
    pub notice: Option<String>,
    /// The intent: `{label, confidence, abstained}` (`label` is `null` when abstained);
    /// `null` when the customer opted out of AI.
    #[schema(value_type = Option<Object>)]
    pub intent: Option<candor_core::IntentSignal>,
    /// The sentiment: `{label, negative}`; `null` when the customer opted out of AI.
    #[schema(value_type = Option<Object>)]
    pub sentiment: Option<candor_core::SentimentSignal>,
    /// Frustration: `{score, reasons}`; `null` when the customer opted out of AI.
    #[schema(value_type = Option<Object>)]
    pub frustration: Option<candor_core::FrustrationSignal>,
    /// Whether the customer asked for a person: `{detected, confidence}`. Always computed.
    #[schema(value_type = Object)]
    pub human_request: candor_core::HumanRequestSignal,
    /// Queue priority when a person answers: `{score, service_level_minutes, frustration,
    /// urgent}`.
    #[schema(value_type = Option<Object>)]
    pub priority: Option<candor_core::Priority>,
    /// The identified language.
    pub language: LanguageDto,
    /// Kinds of personal data found, each once, sorted.
    pub pii_types: Vec<String>,
    /// Each piece of personal data found, in text order.
    pub pii: Vec<PiiDto>,
    /// The text as models see it.
    pub pseudonymised_text: String,
    /// Why.
    pub explanation: ExplanationDto,
    /// What produced the decision.
    pub versions: VersionsDto,
    /// The leaf index of the decision's record in the audit ledger (from 0).
    pub audit_index: u64,
}

/// A language guess.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LanguageDto {
    /// ISO 639-1 code, or `null` when unknown.
    pub code: Option<String>,
    /// Confidence of the best candidate in [0, 1], reported even when unknown.
    pub confidence: f64,
}

/// One piece of personal data.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct PiiDto {
    /// The entity kind, e.g. `EMAIL`, `PHONE`, `IBAN`, `DK_CPR` (docs/specs/pii.md).
    pub kind: String,
    /// First byte in the ORIGINAL text.
    pub start: usize,
    /// One past the last byte in the original text.
    pub end: usize,
    /// The pseudonym that replaced it.
    pub token: String,
    /// Recogniser confidence.
    pub score: f32,
    /// The recogniser that found it.
    pub recogniser: String,
}

/// An explanation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ExplanationDto {
    /// In plain language.
    pub summary: String,
    /// The facts behind it, in order.
    pub reasons: Vec<ReasonDto>,
}

/// One fact behind a decision.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReasonDto {
    /// The stage that produced it.
    pub stage: String,
    /// A stable code.
    pub code: String,
    /// In plain language.
    pub detail: String,
}

/// Versions.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VersionsDto {
    /// Pipeline version.
    pub pipeline: String,
    /// Policy content hash.
    pub policy: String,
    /// Language model version.
    pub language_model: String,
    /// Intent model version (content hash).
    pub intent_model: String,
    /// Sentiment model version.
    pub sentiment_model: String,
    /// Cue lexicons version (content hash).
    pub cues: String,
    /// Knowledge-base version (content hash of its article versions).
    pub knowledge_base: String,
}

/// A stored message and its decision.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MessageView {
    /// The message id.
    pub message_id: String,
    /// Its conversation.
    pub conversation_id: String,
    /// Its customer.
    pub customer_id: String,
    /// Its channel.
    pub channel: ChannelDto,
    /// When it was received.
    pub received_at: String,
    /// The metadata sent with it.
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<serde_json::Value>,
    /// The decision.
    pub decision: DecisionDto,
    /// What people did about this decision, in order: overrides, feedback, complaints
    /// (`GET /v1/messages/{id}` only; conversations list them under `events`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub corrections: Vec<EventView>,
}

/// A conversation with its messages, oldest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ConversationView {
    /// The conversation id.
    pub conversation_id: String,
    /// Its customer.
    pub customer_id: String,
    /// The channel of its first message.
    pub channel: ChannelDto,
    /// `bot`, `waiting_for_human`, `assigned` or `resolved`.
    pub state: String,
    /// When it started.
    pub created_at: String,
    /// Since when it has waited for a person.
    pub waiting_since: Option<String>,
    /// Messages and decisions in order.
    pub messages: Vec<MessageView>,
    /// Everything else that happened, in order: state changes (who/what caused them), agent
    /// replies, overrides, feedback and complaints.
    #[serde(default)]
    pub events: Vec<EventView>,
}

/// One event in a conversation's history.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EventView {
    /// Event id.
    pub id: String,
    /// `state`, `agent_reply`, `override`, `feedback` or `complaint`.
    pub kind: String,
    /// When (RFC 3339).
    pub at: String,
    /// Who: `candor`, or `token:<id>`.
    pub actor: String,
    /// The message (decision) it concerns.
    pub message_id: Option<String>,
    /// For state changes.
    pub from_state: Option<String>,
    /// For state changes.
    pub to_state: Option<String>,
    /// Kind-specific facts.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

impl From<&candor_store::ConversationEvent> for EventView {
    fn from(e: &candor_store::ConversationEvent) -> EventView {
        EventView {
            id: e.id.clone(),
            kind: e.kind.as_str().to_owned(),
            at: rfc3339(e.at),
            actor: e.actor.clone(),
            message_id: e.message_id.map(|m| m.to_string()),
            from_state: e.from_state.map(|s| s.as_str().to_owned()),
            to_state: e.to_state.map(|s| s.as_str().to_owned()),
            detail: serde_json::from_str(&e.detail).unwrap_or(serde_json::Value::Null),
        }
    }
}

/// The human queue.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct QueueView {
    /// Conversations waiting for a person, oldest first.
    pub conversations: Vec<QueueItem>,
}

/// One waiting conversation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct QueueItem {
    /// The conversation id.
    pub conversation_id: String,
    /// Its customer.
    pub customer_id: String,
    /// Its channel.
    pub channel: ChannelDto,
    /// Since when it has waited.
    pub waiting_since: String,
    /// How many messages it has.
    pub message_count: u64,
    /// The language of its latest message, or `null`.
    pub language: Option<String>,
    /// Its priority now: higher is served first (docs/specs/priority.md).
    pub priority: f64,
    /// The need signals the priority is computed from: `{service_level_minutes, frustration,
    /// urgent, waiting_minutes}` and nothing else.
    #[schema(value_type = Object)]
    pub needs: candor_pipeline::priority::NeedSignals,
}

/// Health.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: String,
    /// `sqlite` or `postgres`.
    pub storage: String,
    /// Candor's version.
    pub version: String,
}

/// RFC 3339 with milliseconds, UTC.
pub fn rfc3339(t: Timestamp) -> String {
    chrono::DateTime::from_timestamp_millis(t.millis())
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn pii_types<'a>(kinds: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut types: Vec<String> = kinds.map(str::to_owned).collect();
    types.sort();
    types.dedup();
    types
}

fn decision_dto(
    d: &Decision,
    language: LanguageDto,
    pii: Vec<PiiDto>,
    pseudonymised_text: String,
    audit_index: u64,
) -> DecisionDto {
    DecisionDto {
        route: d.route.as_str().to_owned(),
        rule: d.rule.clone(),
        escalation_reason: d.escalation_reason.map(|r| r.as_str().to_owned()),
        reply: d.reply.clone(),
        notice: d.notice.clone(),
        intent: d.understanding.intent.clone(),
        sentiment: d.understanding.sentiment.clone(),
        frustration: d.understanding.frustration.clone(),
        human_request: d.understanding.human_request.clone(),
        priority: d.priority.clone(),
        language,
        pii_types: pii_types(pii.iter().map(|p| p.kind.as_str())),
        pii,
        pseudonymised_text,
        explanation: ExplanationDto {
            summary: d.explanation.summary.clone(),
            reasons: d
                .explanation
                .reasons
                .iter()
                .map(|r| ReasonDto {
                    stage: r.stage.clone(),
                    code: r.code.clone(),
                    detail: r.detail.clone(),
                })
                .collect(),
        },
        versions: VersionsDto {
            pipeline: d.versions.pipeline.clone(),
            policy: d.versions.policy.clone(),
            language_model: d.versions.language_model.clone(),
            intent_model: d.versions.intent_model.clone(),
            sentiment_model: d.versions.sentiment_model.clone(),
            cues: d.versions.cues.clone(),
            knowledge_base: d.versions.knowledge_base.clone(),
        },
        audit_index,
    }
}

impl From<&PiiFound> for PiiDto {
    fn from(f: &PiiFound) -> PiiDto {
        PiiDto {
            kind: f.kind.as_str().to_owned(),
            start: f.span.start,
            end: f.span.end,
            token: f.token.clone(),
            score: f.score,
            recogniser: f.recogniser.to_owned(),
        }
    }
}

impl From<&StoredPii> for PiiDto {
    fn from(p: &StoredPii) -> PiiDto {
        PiiDto {
            kind: p.kind.as_str().to_owned(),
            start: p.span.start,
            end: p.span.end,
            token: p.token.clone(),
            score: p.score,
            recogniser: p.recogniser.clone(),
        }
    }
}

impl From<&Outcome> for MessageCreated {
    fn from(o: &Outcome) -> MessageCreated {
        MessageCreated {
            message_id: o.message_id.to_string(),
            conversation_id: o.conversation_id.clone(),
            received_at: rfc3339(o.received_at),
            decision: decision_dto(
                &o.decision,
                LanguageDto {
                    code: o.language.lang.map(|l| l.code().to_owned()),
                    confidence: o.language.confidence,
                },
                o.pii.iter().map(PiiDto::from).collect(),
                o.pseudonymised_text.clone(),
                o.audit_index,
            ),
        }
    }
}

impl From<&StoredMessage> for MessageView {
    fn from(m: &StoredMessage) -> MessageView {
        MessageView {
            message_id: m.id.to_string(),
            conversation_id: m.conversation_id.clone(),
            customer_id: m.customer_id.clone(),
            channel: m.channel.into(),
            received_at: rfc3339(m.received_at),
            // Stored metadata was a JSON object when accepted; anything else is not shown.
            metadata: m
                .metadata
                .as_deref()
                .and_then(|s| serde_json::from_str(s).ok()),
            decision: decision_dto(
                &m.decision,
                LanguageDto {
                    code: m.language.map(|l| l.code().to_owned()),
                    confidence: m.language_confidence,
                },
                m.pii.iter().map(PiiDto::from).collect(),
                m.pseudonymised_text.clone(),
                m.audit_index,
            ),
            corrections: Vec::new(),
        }
    }
}

impl From<&StoredConversation> for ConversationView {
    fn from(c: &StoredConversation) -> ConversationView {
        ConversationView {
            conversation_id: c.id.clone(),
            customer_id: c.customer_id.clone(),
            channel: c.channel.into(),
            state: c.state.as_str().to_owned(),
            created_at: rfc3339(c.created_at),
            waiting_since: c.waiting_since.map(rfc3339),
            messages: c.messages.iter().map(MessageView::from).collect(),
            events: Vec::new(),
        }
    }
}

impl From<&QueuedConversation> for QueueItem {
    fn from(q: &QueuedConversation) -> QueueItem {
        QueueItem {
            conversation_id: q.conversation_id.clone(),
            customer_id: q.customer_id.clone(),
            channel: q.channel.into(),
            waiting_since: rfc3339(q.waiting_since),
            message_count: q.message_count,
            language: q.language.map(|l| l.code().to_owned()),
            priority: q.priority,
            needs: q.needs,
        }
    }
}
