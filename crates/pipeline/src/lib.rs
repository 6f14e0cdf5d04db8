//! The path of one message through Candor, as explicit stages:
//!
//! ```text
//! ingest -> normalise -> detect PII -> pseudonymise -> understand + decide -> record
//! ```
//!
//! [`Pipeline::process`] runs them in that order and reports how long each took
//! ([`StageTimings`]). Every stage after `pseudonymise` sees only pseudonymised text: raw
//! personal data stays in the original (stored apart) and the vault.
//!
//! A new stage is a function in `stages.rs`, a [`Stage`] variant for its timing, and a call in
//! [`Pipeline::process`]; a new route is a [`candor_core::Route`] variant and policy rules.
#![deny(missing_docs)]

use std::sync::Arc;
use std::time::Duration;

use candor_classify::cues::CueLexicons;
use candor_classify::neutral::Neutraliser;
use candor_classify::spelling::Speller;
use candor_classify::{
    IntentModel, LanguageConfig, LanguageConfigError, LanguageIdentifier, ModelError,
    SentimentModel,
};
use candor_core::{Channel, Decision, EntityKind, Lang, LanguageGuess, Span, Timestamp};
use candor_kb::KnowledgeBase;
use candor_pii::{PseudonymKey, Registry};
use candor_store::{Store, StoreError};
use sha2::{Digest, Sha256};
use uuid::Uuid;

pub mod access;
pub mod accounts;
mod decide;
pub mod explain;
pub mod fairness_audit;
mod ledger;
mod policy;
pub mod priority;
mod privacy;
pub mod retention;
pub mod rotation;
pub mod service;
mod stages;
pub mod vault;

pub use ledger::{
    ConsistencyProof, EntryProof, Ledger, LedgerError, SignedCheckpoint, VerifyFailure,
    VerifyReport, verify_ledger,
};

pub use policy::{
    DEFAULT_POLICY, Policy, PolicyConfig, PolicyError, Rule, RuleInput, RuleRoute, TextsConfig,
};
pub use privacy::{
    CustomerExport, ErasureReport, ExportedMessage, ExportedVaultValue, PrivacyError, Revealed,
};

/// Limits on what a message may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted text, in bytes.
    pub max_text_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_text_bytes: 32 * 1024,
        }
    }
}

/// A message as it arrives, before validation.
#[derive(Debug, Clone)]
pub struct Inbound {
    /// The customer, as the integration identifies them.
    pub customer_id: String,
    /// The conversation to continue; a new one is started when absent.
    pub conversation_id: Option<String>,
    /// Where it came from.
    pub channel: Channel,
    /// What the customer wrote.
    pub text: String,
    /// Opaque metadata (a JSON object as text) from the integration.
    pub metadata: Option<String>,
}

/// Input that cannot be processed, naming the field and the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct InvalidInput {
    /// The offending field.
    pub field: &'static str,
    /// What is wrong with it.
    pub problem: String,
}

/// Why a message could not be processed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PipelineError {
    /// The message is not acceptable as given.
    #[error("invalid input: {0}")]
    Invalid(#[from] InvalidInput),
    /// The conversation belongs to another customer.
    #[error("conversation `{0}` belongs to another customer")]
    ConversationConflict(String),
    /// Storage failed; nothing was recorded.
    #[error("storage failed: {0}")]
    Store(StoreError),
    /// The customer's data key could not be unwrapped (a wrong master key?); nothing was
    /// recorded.
    #[error("cannot unwrap the customer's data key: {0}")]
    Vault(vault::VaultError),
}

impl From<StoreError> for PipelineError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::ConversationOwnedByOther(id) => PipelineError::ConversationConflict(id),
            other => PipelineError::Store(other),
        }
    }
}

/// A pipeline that cannot be built from its configuration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The policy is invalid.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// The policy's languages cannot be identified by this build.
    #[error("policy languages: {0}")]
    Language(#[from] LanguageConfigError),
    /// The shipped intent model cannot be read.
    #[error("intent model: {0}")]
    IntentModel(#[from] ModelError),
}

/// The shipped intent model (`models/customer-service-intent.ctc`).
pub const SHIPPED_INTENT_MODEL: &[u8] =
    include_bytes!("../../../models/customer-service-intent.ctc");

/// The stages, for timings and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Validation and id assignment.
    Ingest,
    /// Unicode normalisation.
    Normalise,
    /// Personal-data detection.
    DetectPii,
    /// Pseudonym assignment and text rewriting.
    Pseudonymise,
    /// Language identification.
    Language,
    /// Intent, sentiment, frustration and the customer's requests.
    Understand,
    /// Routing by policy.
    Decide,
    /// The durable write.
    Record,
}

impl Stage {
    /// Every stage, in order.
    pub const ALL: [Stage; 8] = [
        Stage::Ingest,
        Stage::Normalise,
        Stage::DetectPii,
        Stage::Pseudonymise,
        Stage::Language,
        Stage::Understand,
        Stage::Decide,
        Stage::Record,
    ];

    /// Snake-case name, for metrics labels.
    pub fn as_str(&self) -> &'static str {
        match self {
            Stage::Ingest => "ingest",
            Stage::Normalise => "normalise",
            Stage::DetectPii => "detect_pii",
            Stage::Pseudonymise => "pseudonymise",
            Stage::Language => "language",
            Stage::Understand => "understand",
            Stage::Decide => "decide",
            Stage::Record => "record",
        }
    }
}

/// How long each stage took for one message.
#[derive(Debug, Clone, Default)]
pub struct StageTimings(pub Vec<(Stage, Duration)>);

/// One piece of personal data found in a message.
#[derive(Debug, Clone, PartialEq)]
pub struct PiiFound {
    /// What it is.
    pub kind: EntityKind,
    /// Byte offsets into the ORIGINAL text.
    pub span: Span,
    /// The pseudonym that replaced it.
    pub token: String,
    /// Recogniser confidence.
    pub score: f32,
    /// Which recogniser found it.
    pub recogniser: &'static str,
    /// Which validator confirmed it, if any.
    pub validator: Option<&'static str>,
}

/// What happened to one message.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The new message's id.
    pub message_id: Uuid,
    /// Its conversation (new or continued).
    pub conversation_id: String,
    /// When it was received.
    pub received_at: Timestamp,
    /// The identified language.
    pub language: LanguageGuess,
    /// Personal data found, in text order.
    pub pii: Vec<PiiFound>,
    /// The text as models see it.
    pub pseudonymised_text: String,
    /// The decision.
    pub decision: Decision,
    /// The leaf index of the decision's record in the audit ledger.
    pub audit_index: u64,
    /// Time spent per stage.
    pub timings: StageTimings,
}

/// The configured message path.
pub struct Pipeline {
    registry: Registry,
    language: LanguageIdentifier,
    intent: IntentModel,
    intent_version: String,
    sentiment: SentimentModel,
    cues: CueLexicons,
    neutral: Neutraliser,
    speller: Speller,
    knowledge_base: std::sync::RwLock<KnowledgeBase>,
    always_human_terms: Vec<String>,
    policy: Policy,
    key: PseudonymKey,
    master: vault::MasterKey,
    limits: Limits,
    store: Arc<dyn Store>,
    pipeline_version: String,
}

/// The knowledge-base article chosen to answer a message.
#[derive(Debug, Clone)]
pub(crate) struct FoundArticle {
    pub id: String,
    pub version: u32,
    pub confidence: f32,
    pub body: String,
}

/// The version of an intent model file as decisions name it: a prefix of its SHA-256.
pub fn intent_model_version(bytes: &[u8]) -> String {
    format!("sha256:{}", &hex::encode(Sha256::digest(bytes))[..16])
}

impl Pipeline {
    /// Uses the intent model in `bytes` (a file written by `candor train`) instead of the
    /// shipped one.
    ///
    /// # Errors
    ///
    /// When the bytes are not a valid model file.
    pub fn with_intent_model(mut self, bytes: &[u8]) -> Result<Pipeline, BuildError> {
        self.intent = IntentModel::from_bytes(bytes)?;
        self.intent_version = intent_model_version(bytes);
        Ok(self)
    }

    /// The version of the intent model shipped in this build.
    pub fn shipped_intent_model_version() -> String {
        intent_model_version(SHIPPED_INTENT_MODEL)
    }

    /// The intent model in force.
    pub fn intent_model(&self) -> &IntentModel {
        &self.intent
    }

    /// Builds the pipeline. Loads the language models, which takes a moment.
    ///
    /// # Errors
    ///
    /// When the policy's languages are not available in this build.
    pub fn new(
        policy: Policy,
        key: PseudonymKey,
        master: vault::MasterKey,
        limits: Limits,
        store: Arc<dyn Store>,
    ) -> Result<Pipeline, BuildError> {
        let language = LanguageIdentifier::new(&LanguageConfig {
            languages: policy.languages.clone(),
            confidence_floor: policy.confidence_floor,
        })?;
        let registry = policy
            .custom_recognisers
            .iter()
            .cloned()
            .fold(Registry::default(), |r, c| r.with(Box::new(c)));
        let pipeline_version = format!(
            "candor-pipeline/{} ({})",
            env!("CARGO_PKG_VERSION"),
            registry.names().join(", ")
        );
        let intent = IntentModel::from_bytes(SHIPPED_INTENT_MODEL)?;
        let intent_version = intent_model_version(SHIPPED_INTENT_MODEL);
        let always_human_terms = policy
            .escalation
            .always_human_terms
            .values()
            .flatten()
            .map(|t| t.to_lowercase())
            .collect();
        Ok(Pipeline {
            registry,
            language,
            intent,
            intent_version,
            sentiment: SentimentModel::builtin(),
            cues: CueLexicons::builtin(),
            neutral: Neutraliser::builtin(),
            speller: Speller::builtin(),
            knowledge_base: std::sync::RwLock::new(
                KnowledgeBase::new(Vec::new()).expect("an empty knowledge base is valid"),
            ),
            always_human_terms,
            policy,
            key,
            master,
            limits,
            store,
            pipeline_version,
        })
    }

    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The content hash of the knowledge base in force.
    pub fn knowledge_base_version(&self) -> String {
        self.knowledge_base
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .version()
    }

    /// Reads the knowledge base's articles from the store and makes them the ones the bot
    /// answers from. Returns how many articles are in force.
    ///
    /// # Errors
    ///
    /// When the store fails or a stored article no longer parses.
    pub async fn reload_knowledge_base(&self) -> Result<usize, service::ServiceError> {
        let stored = self.store.articles().await?;
        let mut articles = Vec::with_capacity(stored.len());
        for a in stored {
            articles.push(candor_kb::Article::parse(&a.markdown)?);
        }
        let n = articles.len();
        let kb = KnowledgeBase::new(articles)?;
        *self
            .knowledge_base
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = kb;
        Ok(n)
    }

    /// The best article for a question in a language: the top search hit for the customer's
    /// words among articles that answer this intent (or name no intents).
    pub(crate) fn best_article(
        &self,
        query: &str,
        intent: &str,
        lang: Lang,
    ) -> Option<FoundArticle> {
        let kb = self
            .knowledge_base
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let hits = kb.search(query, lang, 5);
        let hit = hits.into_iter().find(|h| {
            kb.get(&h.id, lang)
                .is_some_and(|a| a.intents.is_empty() || a.intents.iter().any(|i| i == intent))
        })?;
        let article = kb.get(&hit.id, lang)?;
        Some(FoundArticle {
            id: hit.id.clone(),
            version: hit.version,
            confidence: hit.confidence,
            body: article.answer_text(),
        })
    }

    /// The first always-human term of the policy that the text contains, on word boundaries.
    pub(crate) fn always_human_term(&self, text: &str) -> Option<&str> {
        let lower = text.to_lowercase();
        self.always_human_terms
            .iter()
            .find(|term| contains_words(&lower, term))
            .map(String::as_str)
    }

    /// The store decisions are recorded in.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The keyed hash of a customer id, for logs: never log the id itself.
    pub fn customer_hash(&self, customer_id: &str) -> String {
        self.key.identifier_hash(customer_id)
    }

    /// The current time, as the pipeline stamps records.
    pub fn now() -> Timestamp {
        stages::now()
    }

    /// Runs one message through every stage and records it.
    ///
    /// When this returns `Ok`, the message, its original, its decision and its audit entry are
    /// durable. On `Err`, nothing about the message was recorded (a pseudonym ordinal may have
    /// been reserved, which is harmless: assignments are idempotent).
    ///
    /// # Errors
    ///
    /// Invalid input, a conversation of another customer, or a storage failure.
    pub async fn process(&self, inbound: Inbound) -> Result<Outcome, PipelineError> {
        stages::run(self, inbound).await
    }
}

/// Whether `text` contains `term` with a word boundary on both sides.
fn contains_words(text: &str, term: &str) -> bool {
    text.match_indices(term).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + term.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}
