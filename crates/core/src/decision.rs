//! What Candor decided for one message, what it understood, and why.
//!
//! These types carry serde derives because the same shape is stored with each message, returned
//! by the API and written by `candor triage`; one definition keeps the three in agreement
//! (docs/specs/decision.md is the reference).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{Lang, LanguageGuess};

/// Where a message goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    /// The bot answers (from the knowledge base, or with one clarifying question).
    Bot,
    /// A person answers: the conversation waits in the human queue or is with an agent.
    Human,
}

impl Route {
    /// Every route, in a stable order.
    pub const ALL: &'static [Route] = &[Route::Bot, Route::Human];

    /// The wire name: `bot` or `human`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Route::Bot => "bot",
            Route::Human => "human",
        }
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not a route.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a route (expected one of: bot, human)")]
pub struct ParseRouteError(pub String);

impl FromStr for Route {
    type Err = ParseRouteError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Route::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| ParseRouteError(s.to_owned()))
    }
}

/// Why a message went to a person. Recorded in the decision and shown to the customer and the
/// agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscalationReason {
    /// The customer asked for a person.
    HumanRequested,
    /// The customer has opted out of AI.
    OptedOut,
    /// The customer has not consented to AI triage or AI answers.
    NoConsent,
    /// The customer is frustrated (the score crossed the threshold, or kept rising).
    Frustration,
    /// The request is of a kind that always goes to a person (complaints, fraud, bereavement…).
    AlwaysHuman,
    /// Candor was unsure what the customer wants, and had already asked once.
    LowConfidence,
    /// The bot already failed once in this conversation.
    BotFailed,
    /// The knowledge base has no answer good enough to give.
    NoAnswer,
    /// The language could not be identified or is not served by the bot.
    LanguageUnknown,
    /// A person is already handling the conversation.
    WithPerson,
    /// A rule of the policy sends such messages to a person.
    PolicyRule,
}

impl EscalationReason {
    /// Every reason, in a stable order.
    pub const ALL: &'static [EscalationReason] = &[
        EscalationReason::HumanRequested,
        EscalationReason::OptedOut,
        EscalationReason::NoConsent,
        EscalationReason::Frustration,
        EscalationReason::AlwaysHuman,
        EscalationReason::LowConfidence,
        EscalationReason::BotFailed,
        EscalationReason::NoAnswer,
        EscalationReason::LanguageUnknown,
        EscalationReason::WithPerson,
        EscalationReason::PolicyRule,
    ];

    /// The wire name, e.g. `human_requested`.
    pub fn as_str(&self) -> &'static str {
        match self {
            EscalationReason::HumanRequested => "human_requested",
            EscalationReason::OptedOut => "opted_out",
            EscalationReason::NoConsent => "no_consent",
            EscalationReason::Frustration => "frustration",
            EscalationReason::AlwaysHuman => "always_human",
            EscalationReason::LowConfidence => "low_confidence",
            EscalationReason::BotFailed => "bot_failed",
            EscalationReason::NoAnswer => "no_answer",
            EscalationReason::LanguageUnknown => "language_unknown",
            EscalationReason::WithPerson => "with_person",
            EscalationReason::PolicyRule => "policy_rule",
        }
    }
}

impl fmt::Display for EscalationReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not an escalation reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an escalation reason")]
pub struct ParseEscalationReasonError(pub String);

impl FromStr for EscalationReason {
    type Err = ParseEscalationReasonError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EscalationReason::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| ParseEscalationReasonError(s.to_owned()))
    }
}

/// What the intent classifier made of the message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntentSignal {
    /// The intent, or `None` when the classifier abstained.
    pub label: Option<String>,
    /// Calibrated confidence of the best intent, in `[0, 1]`.
    pub confidence: f32,
    /// Whether the classifier abstained (confidence below its floor).
    pub abstained: bool,
}

/// The message's sentiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentimentSignal {
    /// `negative`, `neutral` or `positive`.
    pub label: String,
    /// Probability that the message is negative, in `[0, 1]`.
    pub negative: f32,
}

/// How frustrated the customer seems, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrustrationSignal {
    /// In `[0, 1]`.
    pub score: f32,
    /// Each cue that contributed, as `code: detail` facts.
    pub reasons: Vec<Reason>,
}

/// Whether the customer asked for a person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HumanRequestSignal {
    /// Whether a request for a person was found.
    pub detected: bool,
    /// How sure, in `[0, 1]`.
    pub confidence: f32,
}

/// Everything Candor understood about a message. Signals that were not computed (because the
/// customer opted out of AI triage) are `None`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Understanding {
    /// The language, with conversation context.
    pub language: LanguageGuess,
    /// The intent.
    pub intent: Option<IntentSignal>,
    /// The sentiment.
    pub sentiment: Option<SentimentSignal>,
    /// Frustration.
    pub frustration: Option<FrustrationSignal>,
    /// Whether a person was asked for. Always computed: reaching a person is never optional.
    pub human_request: HumanRequestSignal,
}

/// A reply the bot sends. Every bot reply carries an AI disclosure; the pipeline refuses to
/// build one without it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    /// The full text sent to the customer, disclosure included.
    pub text: String,
    /// The language it is written in.
    pub language: Lang,
    /// The knowledge-base article it answers from (`None` for a clarifying question).
    pub article_id: Option<String>,
    /// That article's version.
    pub article_version: Option<u32>,
    /// The disclosure sentence included in `text`.
    pub ai_disclosure: String,
}

/// The priority of a conversation in the human queue, computed only from need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Priority {
    /// Higher is served first. See `docs/specs/priority.md` for the formula.
    pub score: f64,
    /// The service level of the intent, in minutes.
    pub service_level_minutes: u32,
    /// The frustration score used.
    pub frustration: f32,
    /// Whether the customer said it is urgent.
    pub urgent: bool,
}

/// The versions that produced a decision, so that it can be reproduced and audited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Versions {
    /// The pipeline (Candor release and stage set), e.g. `candor-pipeline/0.1.0`.
    pub pipeline: String,
    /// The content hash of the policy file in force.
    pub policy: String,
    /// The language identifier and the languages it was restricted to.
    pub language_model: String,
    /// The intent model (content hash), or empty when none ran.
    #[serde(default)]
    pub intent_model: String,
    /// The sentiment model (content hash), or empty when none ran.
    #[serde(default)]
    pub sentiment_model: String,
    /// The cue lexicons (content hash).
    #[serde(default)]
    pub cues: String,
    /// The knowledge base (content hash of its article versions).
    #[serde(default)]
    pub knowledge_base: String,
}

/// Why a decision came out as it did, in plain language, with the evidence behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// One or two sentences a customer or agent can read.
    pub summary: String,
    /// The individual facts that led to the decision, in the order they were applied.
    pub reasons: Vec<Reason>,
}

/// One fact behind a decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// Which stage produced this fact, e.g. `decide`.
    pub stage: String,
    /// A stable machine-readable code, e.g. `policy_rule_matched`.
    pub code: String,
    /// The fact in plain language.
    pub detail: String,
}

/// What Candor decided for one message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// Where the message goes.
    pub route: Route,
    /// The step of the decision that chose the route, e.g. `bot_answer`, `human_requested`,
    /// or the name of a policy rule.
    pub rule: String,
    /// Why it went to a person, when it did.
    pub escalation_reason: Option<EscalationReason>,
    /// The bot's reply, when the bot answers.
    pub reply: Option<Reply>,
    /// A fixed text from the policy for the customer, not written by AI: the hand-off message,
    /// or the confirmation of an opt-out or a complaint.
    pub notice: Option<String>,
    /// What Candor understood.
    pub understanding: Understanding,
    /// The queue priority, when a person answers.
    pub priority: Option<Priority>,
    /// Why.
    pub explanation: Explanation,
    /// What produced it.
    pub versions: Versions,
}
