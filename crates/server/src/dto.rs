//! The wire types of the API, written by hand and converted from the domain by hand, so that
//! a change inside Candor never silently changes what integrations receive.
//! The decision shape is specified in `docs/specs/decision.md`.

use candor_core::{Channel, Decision, Timestamp};
use candor_pipeline::{Outcome, PiiFound};
use candor_store::{QueueEntry, StoredConversation, StoredMessage, StoredPii};
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
    /// Where the message goes: `human_queue`.
    pub route: String,
    /// The policy rule that chose the route.
    pub rule: String,
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
    /// `waiting_for_human`.
    pub state: String,
    /// When it started.
    pub created_at: String,
    /// Since when it has waited for a person.
    pub waiting_since: Option<String>,
    /// Messages and decisions in order.
    pub messages: Vec<MessageView>,
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
        }
    }
}

impl From<&QueueEntry> for QueueItem {
    fn from(q: &QueueEntry) -> QueueItem {
        QueueItem {
            conversation_id: q.conversation_id.clone(),
            customer_id: q.customer_id.clone(),
            channel: q.channel.into(),
            waiting_since: rfc3339(q.waiting_since),
            message_count: q.message_count,
            language: q.language.map(|l| l.code().to_owned()),
        }
    }
}
