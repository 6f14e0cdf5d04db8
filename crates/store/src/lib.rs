//! Candor's persistence behind one interface, [`Store`], with two real implementations:
//! [`SqliteStore`] (the embedded default, WAL, one file) and [`PgStore`] (PostgreSQL, for
//! several Candor nodes on one database).
//!
//! This is the only crate that knows SQL. Both backends share their statements (see
//! `backend.rs`); they differ only in how concurrent writers are serialised.
//!
//! A message, its original text, its personal-data vault entries, its decision and its audit
//! entry are written in ONE transaction ([`Store::record_message`]): when it returns, all of
//! them are durable, and if it fails none of them are.
#![deny(missing_docs)]

use async_trait::async_trait;
use candor_core::{Channel, Decision, EntityKind, Lang, Role, Span, Timestamp};
use uuid::Uuid;

mod accounts;
mod backend;
mod keys;
mod postgres;
mod retention;
mod service;
mod sqlite;
#[doc(hidden)]
pub mod testing;

pub use accounts::{AccountStore, StoredUser};
pub use keys::{KeyStore, RewrappedKey};
pub use postgres::PgStore;
pub use retention::{
    Expired, ExpiredItem, PurgeBatch, PurgeRecord, RetentionClass, RetentionStore,
};
pub use service::{
    AiPreference, Complaint, ComplaintResolution, ComplaintStatus, ConsentChange,
    ConversationEvent, ConversationState, EventKind, NewEvent, ServiceStore, StoredArticle,
    Transition,
};
pub use sqlite::{SqliteStore, SqliteSync};

pub use candor_audit::merkle::Hash;

/// A storage failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The conversation exists and belongs to a different customer.
    #[error("conversation `{0}` belongs to another customer")]
    ConversationOwnedByOther(String),
    /// Stored data that cannot be read back as what it should be.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The database could not be reached or refused the operation.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The thing asked for does not exist.
    #[error("{0} does not exist")]
    NotFound(String),
    /// The thing exists but its state does not allow the change.
    #[error("{0}")]
    InvalidState(String),
    /// A newer or equal version is already stored.
    #[error("{0}")]
    StaleVersion(String),
    /// The data directory could not be created.
    #[error("cannot use data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

/// One detected piece of personal data, as stored with its message.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPii {
    /// What it is.
    pub kind: EntityKind,
    /// Byte offsets into the ORIGINAL text.
    pub span: Span,
    /// The pseudonym that replaced it, e.g. `<EMAIL_1>`.
    pub token: String,
    /// Recogniser confidence.
    pub score: f32,
    /// The recogniser that found it.
    pub recogniser: String,
}

/// An original value kept in the vault, under its pseudonym, for its conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct VaultEntry {
    /// The pseudonym, e.g. `<EMAIL_1>`.
    pub token: String,
    /// What it is.
    pub kind: EntityKind,
    /// The value as the customer wrote it, sealed with the customer's data key.
    pub sealed: Vec<u8>,
}

/// A vault value as read back, with where it belongs.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredVaultEntry {
    /// The conversation.
    pub conversation_id: String,
    /// The pseudonym.
    pub token: String,
    /// What it is.
    pub kind: EntityKind,
    /// The sealed value.
    pub sealed: Vec<u8>,
}

/// What an erasure removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErasureCounts {
    /// Messages whose customer id and metadata were replaced.
    pub messages: u64,
    /// Sealed originals deleted.
    pub originals: u64,
    /// Sealed vault values deleted.
    pub vault_values: u64,
    /// Pseudonym mappings deleted.
    pub pseudonyms: u64,
    /// Whether a data key existed and was destroyed.
    pub data_key: bool,
}

/// How far one numbering of pseudonyms reaches (`[pii] pseudonym_scope` in the policy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PseudonymScope {
    /// Each conversation numbers its own values from 1, so that tokens do not link a
    /// customer's conversations.
    #[default]
    Conversation,
    /// A customer's values are numbered once for all their conversations, so that the same
    /// value gets the same token in each of them. Never shared between customers.
    Customer,
}

impl PseudonymScope {
    /// The configuration and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            PseudonymScope::Conversation => "conversation",
            PseudonymScope::Customer => "customer",
        }
    }

    /// Parses a configuration or storage name.
    pub fn parse(name: &str) -> Option<PseudonymScope> {
        [PseudonymScope::Conversation, PseudonymScope::Customer]
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

/// Everything recorded for one message.
#[derive(Debug, Clone)]
pub struct NewMessage {
    /// The message id.
    pub id: Uuid,
    /// The conversation; created if new.
    pub conversation_id: String,
    /// The customer, as the integration identifies them.
    pub customer_id: String,
    /// Where it came from.
    pub channel: Channel,
    /// When Candor received it.
    pub received_at: Timestamp,
    /// The pseudonym scope a new conversation is recorded with; an existing conversation
    /// keeps its own (see [`Store::pseudonym_ordinals`]).
    pub pseudonym_scope: PseudonymScope,
    /// The text exactly as sent, sealed with the customer's data key. Kept in its own table,
    /// apart from everything derived.
    pub original_sealed: Vec<u8>,
    /// The text with personal data replaced by pseudonyms.
    pub pseudonymised_text: String,
    /// Opaque metadata from the integration (a JSON object as text), if any.
    pub metadata: Option<String>,
    /// Identified language, or `None` for unknown.
    pub language: Option<Lang>,
    /// Confidence of the language guess.
    pub language_confidence: f64,
    /// Detected personal data.
    pub pii: Vec<StoredPii>,
    /// New vault entries (values first seen in this message).
    pub vault: Vec<VaultEntry>,
    /// The decision.
    pub decision: Decision,
    /// When routed to a person: the need signals the queue priority is computed from (JSON).
    pub need: Option<String>,
    /// The canonical audit record of the decision, appended to the audit ledger.
    pub audit_payload: Vec<u8>,
}

/// A message as read back.
#[derive(Debug, Clone)]
pub struct StoredMessage {
    /// The message id.
    pub id: Uuid,
    /// Its conversation.
    pub conversation_id: String,
    /// Its customer.
    pub customer_id: String,
    /// Where it came from.
    pub channel: Channel,
    /// When Candor received it.
    pub received_at: Timestamp,
    /// Pseudonymised text.
    pub pseudonymised_text: String,
    /// Opaque metadata, if any.
    pub metadata: Option<String>,
    /// Identified language.
    pub language: Option<Lang>,
    /// Confidence of the language guess.
    pub language_confidence: f64,
    /// Detected personal data.
    pub pii: Vec<StoredPii>,
    /// The decision.
    pub decision: Decision,
    /// The leaf index of the decision's record in the audit ledger.
    pub audit_index: u64,
}

/// A conversation with its messages, oldest first.
#[derive(Debug, Clone)]
pub struct StoredConversation {
    /// The conversation id.
    pub id: String,
    /// Its customer.
    pub customer_id: String,
    /// The channel of its first message.
    pub channel: Channel,
    /// Where it stands.
    pub state: ConversationState,
    /// When its first message arrived.
    pub created_at: Timestamp,
    /// Since when it has waited for a person.
    pub waiting_since: Option<Timestamp>,
    /// Its messages with their decisions, in the order received.
    pub messages: Vec<StoredMessage>,
}

/// One conversation in the human queue.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueEntry {
    /// The conversation id.
    pub conversation_id: String,
    /// Its customer.
    pub customer_id: String,
    /// The channel of its first message.
    pub channel: Channel,
    /// Since when it has waited.
    pub waiting_since: Timestamp,
    /// How many messages it has.
    pub message_count: u64,
    /// The language of its latest message.
    pub language: Option<Lang>,
    /// The need signals of its latest message routed to a person (JSON), if any.
    pub need: Option<String>,
}

/// One audit ledger entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Leaf index, from 0, without gaps.
    pub index: u64,
    /// The canonical record.
    pub payload: Vec<u8>,
    /// When it was appended, ms since the Unix epoch.
    pub created_at: Timestamp,
}

/// A signed tree head as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    /// Tree size.
    pub size: u64,
    /// Root hash at that size.
    pub root_hash: Hash,
    /// The signed note.
    pub note: String,
    /// When it was made.
    pub created_at: Timestamp,
}

/// An API token as stored: never the token itself, only its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredToken {
    /// Public identifier, for listing and revoking.
    pub id: String,
    /// What it is for, e.g. `chat-widget`.
    pub name: String,
    /// The role it grants.
    pub role: Role,
    /// SHA-256 of the token.
    pub token_hash: [u8; 32],
    /// When it was made.
    pub created_at: Timestamp,
    /// When it was revoked, if it was.
    pub revoked_at: Option<Timestamp>,
    /// When it stops working, if it ever does.
    pub expires_at: Option<Timestamp>,
    /// The user a session token was issued to; `None` for tokens made by an operator.
    pub user_id: Option<String>,
}

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

impl Backend {
    /// Lower-case name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Persistence for the message path. Implementations must be safe to share between tasks.
#[async_trait]
pub trait Store:
    ServiceStore + AccountStore + RetentionStore + KeyStore + Send + Sync + 'static
{
    /// Which database this is.
    fn backend(&self) -> Backend;

    /// Checks that the database answers.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Fails with [`StoreError::ConversationOwnedByOther`] when `conversation_id` exists and
    /// belongs to another customer; succeeds when it is new or theirs.
    async fn check_conversation(
        &self,
        conversation_id: &str,
        customer_id: &str,
    ) -> Result<(), StoreError>;

    /// The ordinal of each value (by kind and keyed digest), assigning the next free ordinal
    /// per kind to values not seen before. Idempotent, and safe to call concurrently: a value
    /// gets one ordinal, and an ordinal one value, however many messages ask at once.
    ///
    /// The numbering is the conversation's own or, with [`PseudonymScope::Customer`], the
    /// customer's across all their conversations. `scope` applies to a conversation without
    /// a recorded message; one that has them keeps the scope it was recorded with, so that a
    /// policy change never gives one token two values within a conversation. `at` is noted
    /// on customer mappings, which retention deletes once the customer's last message has
    /// expired.
    async fn pseudonym_ordinals(
        &self,
        conversation_id: &str,
        customer_id: &str,
        scope: PseudonymScope,
        values: &[(EntityKind, [u8; 32])],
        at: Timestamp,
    ) -> Result<Vec<u32>, StoreError>;

    /// Records a message with everything derived from it, and appends its audit record to the
    /// ledger, in one transaction. Returns the record's leaf index.
    async fn record_message(&self, message: NewMessage) -> Result<u64, StoreError>;

    /// Appends records to the audit ledger in one transaction; returns the first leaf index.
    /// The leaf indexes are assigned inside the transaction, so concurrent writers (also on
    /// other nodes) never fork the log.
    async fn append_audit(&self, payloads: &[Vec<u8>], at: Timestamp) -> Result<u64, StoreError>;

    /// The number of records in the audit ledger.
    async fn audit_size(&self) -> Result<u64, StoreError>;

    /// Stored Merkle hashes by index (see `candor_audit::merkle::stored_hash_index`), in the
    /// order asked. A missing hash is [`StoreError::Corrupt`].
    async fn audit_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, StoreError>;

    /// Stored Merkle hashes with indexes in `[from, to)`, in order.
    async fn audit_hash_range(&self, from: u64, to: u64) -> Result<Vec<(u64, Hash)>, StoreError>;

    /// Saves a signed checkpoint (ignored if one for that size exists).
    async fn save_checkpoint(&self, checkpoint: &StoredCheckpoint) -> Result<(), StoreError>;

    /// The checkpoint with the largest size.
    async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError>;

    /// Every checkpoint, smallest size first.
    async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, StoreError>;

    /// A message with its decision.
    async fn message(&self, id: Uuid) -> Result<Option<StoredMessage>, StoreError>;

    /// The sealed original of a message, with its customer.
    async fn message_original(&self, id: Uuid) -> Result<Option<(String, Vec<u8>)>, StoreError>;

    /// A customer's wrapped data key.
    async fn wrapped_data_key(&self, customer_id: &str) -> Result<Option<Vec<u8>>, StoreError>;

    /// Stores `wrapped` as the customer's data key unless one exists; returns the one in force
    /// (so that two nodes creating a key at once agree on one).
    async fn insert_wrapped_data_key(
        &self,
        customer_id: &str,
        wrapped: &[u8],
        at: Timestamp,
    ) -> Result<Vec<u8>, StoreError>;

    /// One sealed vault value.
    async fn vault_entry(
        &self,
        conversation_id: &str,
        token: &str,
    ) -> Result<Option<StoredVaultEntry>, StoreError>;

    /// Every conversation id of a customer, oldest first.
    async fn customer_conversation_ids(&self, customer_id: &str)
    -> Result<Vec<String>, StoreError>;

    /// Every sealed original of a customer, by message id.
    async fn customer_originals(
        &self,
        customer_id: &str,
    ) -> Result<Vec<(Uuid, Vec<u8>)>, StoreError>;

    /// Every sealed vault value of a customer's conversations.
    async fn customer_vault(&self, customer_id: &str) -> Result<Vec<StoredVaultEntry>, StoreError>;

    /// Erases a customer in one transaction: destroys their data key, deletes their sealed
    /// originals, vault values and pseudonym mappings, and replaces their customer id (and
    /// message metadata) with `replacement` so that only pseudonymised decisions remain.
    async fn erase_customer(
        &self,
        customer_id: &str,
        replacement: &str,
    ) -> Result<ErasureCounts, StoreError>;

    /// A conversation with its messages in order.
    async fn conversation(&self, id: &str) -> Result<Option<StoredConversation>, StoreError>;

    /// Conversations waiting for a person, oldest first.
    async fn queue(&self, limit: u32) -> Result<Vec<QueueEntry>, StoreError>;

    /// Up to `limit` audit entries with index `>= from`, in order.
    async fn audit_entries(&self, from: u64, limit: u32) -> Result<Vec<AuditEntry>, StoreError>;

    /// Saves a new API token.
    async fn create_token(&self, token: &StoredToken) -> Result<(), StoreError>;

    /// The token with this hash, revoked or not.
    async fn token_by_hash(&self, token_hash: &[u8; 32])
    -> Result<Option<StoredToken>, StoreError>;

    /// Every token, oldest first.
    async fn tokens(&self) -> Result<Vec<StoredToken>, StoreError>;

    /// Revokes a token; `false` when no unrevoked token has that id.
    async fn revoke_token(&self, id: &str, at: Timestamp) -> Result<bool, StoreError>;

    /// How many messages are stored.
    async fn message_count(&self) -> Result<u64, StoreError>;
}
