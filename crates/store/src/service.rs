//! The service around messages: conversation states and their transitions, replies, overrides
//! and feedback, customers' AI preference and consent, knowledge-base articles and complaints.
//!
//! [`ServiceStore`] is a supertrait of [`Store`](crate::Store), implemented for both backends
//! by `service_store_impl!` with the same shared SQL.

use async_trait::async_trait;
use candor_core::{Lang, Timestamp};
use uuid::Uuid;

use crate::StoreError;

/// Where a conversation stands: bot → waiting for a person → assigned → resolved (→ reopened,
/// which is a transition back to `bot` or `waiting_for_human`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConversationState {
    /// The bot is handling it.
    Bot,
    /// Waiting in the human queue.
    WaitingForHuman,
    /// An agent has claimed it.
    Assigned,
    /// Resolved; a new customer message reopens it.
    Resolved,
}

impl ConversationState {
    /// The wire and database name.
    pub fn as_str(&self) -> &'static str {
        match self {
            ConversationState::Bot => "bot",
            ConversationState::WaitingForHuman => "waiting_for_human",
            ConversationState::Assigned => "assigned",
            ConversationState::Resolved => "resolved",
        }
    }

    pub(crate) fn parse(s: &str) -> Result<Self, StoreError> {
        match s {
            "bot" => Ok(ConversationState::Bot),
            "waiting_for_human" => Ok(ConversationState::WaitingForHuman),
            "assigned" => Ok(ConversationState::Assigned),
            "resolved" => Ok(ConversationState::Resolved),
            other => Err(StoreError::Corrupt(format!(
                "unknown conversation state `{other}`"
            ))),
        }
    }
}

/// What kind of thing happened in a conversation besides customer messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// The state changed.
    State,
    /// A person replied to the customer.
    AgentReply,
    /// A person overrode an AI decision.
    Override,
    /// A person judged a bot answer (labelled data for retraining).
    Feedback,
    /// A complaint about a decision was filed or resolved.
    Complaint,
}

impl EventKind {
    /// The wire and database name.
    pub fn as_str(&self) -> &'static str {
        match self {
            EventKind::State => "state",
            EventKind::AgentReply => "agent_reply",
            EventKind::Override => "override",
            EventKind::Feedback => "feedback",
            EventKind::Complaint => "complaint",
        }
    }

    pub(crate) fn parse(s: &str) -> Result<Self, StoreError> {
        Ok(match s {
            "state" => EventKind::State,
            "agent_reply" => EventKind::AgentReply,
            "override" => EventKind::Override,
            "feedback" => EventKind::Feedback,
            "complaint" => EventKind::Complaint,
            other => {
                return Err(StoreError::Corrupt(format!("unknown event kind `{other}`")));
            }
        })
    }
}

/// An event to record.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// The conversation.
    pub conversation_id: String,
    /// When.
    pub at: Timestamp,
    /// What.
    pub kind: EventKind,
    /// Who: `candor`, or `token:<id>` for a person or integration.
    pub actor: String,
    /// The message (decision) it concerns, if any.
    pub message_id: Option<Uuid>,
    /// Kind-specific facts as a JSON object (docs/specs/agent.md).
    pub detail: String,
    /// The audit record to append in the same transaction, if any.
    pub audit_payload: Option<Vec<u8>>,
}

/// An event as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversationEvent {
    /// Its id.
    pub id: String,
    /// The conversation.
    pub conversation_id: String,
    /// When.
    pub at: Timestamp,
    /// What.
    pub kind: EventKind,
    /// Who.
    pub actor: String,
    /// The message it concerns.
    pub message_id: Option<Uuid>,
    /// For state changes: the state before.
    pub from_state: Option<ConversationState>,
    /// For state changes: the state after.
    pub to_state: Option<ConversationState>,
    /// Kind-specific facts (JSON).
    pub detail: String,
}

/// A requested state change that the conversation's current state does not allow.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition<'a> {
    /// The conversation.
    pub conversation_id: &'a str,
    /// States it may be in for the change to apply.
    pub from: &'a [ConversationState],
    /// The state after.
    pub to: ConversationState,
    /// Who.
    pub actor: &'a str,
    /// The agent it is assigned to (for `assigned`).
    pub assignee: Option<&'a str>,
    /// Why, as a JSON object.
    pub detail: &'a str,
    /// When.
    pub at: Timestamp,
}

/// A customer's choice about AI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AiPreference {
    /// `true`: no AI answers and no AI triage beyond what safety and privacy require.
    pub opt_out: bool,
    /// How it was set: `channel_phrase`, `agent`, `api`.
    pub source: String,
    /// When.
    pub updated_at: Timestamp,
}

/// One change of a customer's consent to one purpose. The latest change per purpose is the
/// one in force; earlier ones stay as history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentChange {
    /// `ai_triage`, `ai_answers`, `analytics` or `model_training`.
    pub purpose: String,
    /// Given (`true`) or withdrawn.
    pub granted: bool,
    /// How it was recorded: `api`, `agent`, `channel`, …
    pub source: String,
    /// The version of the policy text the customer saw.
    pub policy_text_version: String,
    /// When.
    pub at: Timestamp,
}

/// A knowledge-base article as stored (its Markdown source).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredArticle {
    /// Article id.
    pub id: String,
    /// Its language.
    pub lang: Lang,
    /// Its version.
    pub version: u32,
    /// The Markdown source with front matter.
    pub markdown: String,
}

/// Where a complaint stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ComplaintStatus {
    /// Filed, waiting for its owner.
    Open,
    /// The complaint was right: the decision was corrected.
    Upheld,
    /// The decision stands, for a stated reason.
    Rejected,
}

impl ComplaintStatus {
    /// The wire and database name.
    pub fn as_str(&self) -> &'static str {
        match self {
            ComplaintStatus::Open => "open",
            ComplaintStatus::Upheld => "upheld",
            ComplaintStatus::Rejected => "rejected",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(ComplaintStatus::Open),
            "upheld" => Some(ComplaintStatus::Upheld),
            "rejected" => Some(ComplaintStatus::Rejected),
            _ => None,
        }
    }
}

/// A complaint about an AI decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Complaint {
    /// Its id.
    pub id: String,
    /// The message whose decision is complained about.
    pub message_id: Uuid,
    /// Its conversation.
    pub conversation_id: String,
    /// `customer`, `channel_phrase` or `token:<id>`.
    pub filed_by: String,
    /// What the complainant said (pseudonymised).
    pub text: String,
    /// The role that owns it (`supervisor` or `ai_officer`).
    pub owner_role: String,
    /// Where it stands.
    pub status: ComplaintStatus,
    /// When it was filed.
    pub filed_at: Timestamp,
    /// When it is due.
    pub due_at: Timestamp,
    /// The resolution's reason or correction.
    pub resolution: Option<String>,
    /// Who resolved it.
    pub resolved_by: Option<String>,
    /// When.
    pub resolved_at: Option<Timestamp>,
}

/// A resolution of a complaint.
#[derive(Debug, Clone)]
pub struct ComplaintResolution<'a> {
    /// The complaint.
    pub id: &'a str,
    /// Upheld or rejected.
    pub status: ComplaintStatus,
    /// The correction made or the reason for rejecting.
    pub resolution: &'a str,
    /// Who.
    pub by: &'a str,
    /// When.
    pub at: Timestamp,
    /// The audit record of the resolution.
    pub audit_payload: Vec<u8>,
}

/// The service side of storage.
#[async_trait]
pub trait ServiceStore: Send + Sync {
    /// Changes a conversation's state if it is in one of `t.from`, recording the transition.
    /// Returns the state before.
    ///
    /// # Errors
    ///
    /// [`StoreError::NotFound`] for an unknown conversation, [`StoreError::InvalidState`] when
    /// its state does not allow the change.
    async fn transition(&self, t: Transition<'_>) -> Result<ConversationState, StoreError>;

    /// Records an event (and its audit record, in the same transaction). Returns the event id.
    async fn add_event(&self, event: NewEvent) -> Result<String, StoreError>;

    /// A conversation's events, oldest first.
    async fn events(&self, conversation_id: &str) -> Result<Vec<ConversationEvent>, StoreError>;

    /// Sets a customer's AI preference, with its audit record, in one transaction.
    async fn set_ai_preference(
        &self,
        customer_id: &str,
        preference: &AiPreference,
        audit_payload: &[u8],
    ) -> Result<(), StoreError>;

    /// A customer's AI preference, if they ever set one.
    async fn ai_preference(&self, customer_id: &str) -> Result<Option<AiPreference>, StoreError>;

    /// Records a change of a customer's consent, with its audit record, in one transaction.
    async fn record_consent(
        &self,
        customer_id: &str,
        change: &ConsentChange,
        audit_payload: &[u8],
    ) -> Result<(), StoreError>;

    /// A customer's consent history, oldest first (empty when they never changed a default).
    async fn consents(&self, customer_id: &str) -> Result<Vec<ConsentChange>, StoreError>;

    /// Stores an article, replacing an older version of the same id and language.
    ///
    /// # Errors
    ///
    /// [`StoreError::StaleVersion`] when the stored version is the same or newer.
    async fn put_article(&self, article: &StoredArticle, at: Timestamp) -> Result<(), StoreError>;

    /// Every stored article.
    async fn articles(&self) -> Result<Vec<StoredArticle>, StoreError>;

    /// Files a complaint, with its audit record, in one transaction.
    async fn file_complaint(
        &self,
        complaint: &Complaint,
        audit_payload: &[u8],
    ) -> Result<(), StoreError>;

    /// One complaint.
    async fn complaint(&self, id: &str) -> Result<Option<Complaint>, StoreError>;

    /// Complaints, optionally only those in one status, oldest due first.
    async fn complaints(
        &self,
        status: Option<ComplaintStatus>,
    ) -> Result<Vec<Complaint>, StoreError>;

    /// Resolves an open complaint.
    ///
    /// # Errors
    ///
    /// [`StoreError::NotFound`], or [`StoreError::InvalidState`] when it is already resolved.
    async fn resolve_complaint(&self, r: ComplaintResolution<'_>) -> Result<Complaint, StoreError>;
}

/// A complaint query: the columns `decode_complaint` reads, then `$rest`.
macro_rules! complaint_select {
    ($rest:literal) => {
        concat!(
            "SELECT id, message_id, conversation_id, filed_by, text, owner_role, status, ",
            "filed_at_ms, due_at_ms, resolution, resolved_by, resolved_at_ms FROM complaints ",
            $rest
        )
    };
}

pub(crate) use complaint_select;

/// Implements [`ServiceStore`] inside `shared_store_impl!`, where the backend's helpers are in
/// scope.
macro_rules! service_store_impl {
    ($store:ty) => {
        use crate::service::{
            AiPreference, Complaint, ComplaintResolution, ComplaintStatus, ConsentChange,
            ConversationEvent, EventKind, NewEvent, ServiceStore, StoredArticle, Transition,
        };

        fn decode_complaint(r: &DbRow) -> Result<Complaint, StoreError> {
            let message_id: String = r.try_get("message_id")?;
            let status: String = r.try_get("status")?;
            let resolved_at: Option<i64> = r.try_get("resolved_at_ms")?;
            Ok(Complaint {
                id: r.try_get("id")?,
                message_id: Uuid::parse_str(&message_id).map_err(corrupt)?,
                conversation_id: r.try_get("conversation_id")?,
                filed_by: r.try_get("filed_by")?,
                text: r.try_get("text")?,
                owner_role: r.try_get("owner_role")?,
                status: ComplaintStatus::parse(&status).ok_or_else(|| corrupt(format!("complaint status `{status}`")))?,
                filed_at: Timestamp(r.try_get("filed_at_ms")?),
                due_at: Timestamp(r.try_get("due_at_ms")?),
                resolution: r.try_get("resolution")?,
                resolved_by: r.try_get("resolved_by")?,
                resolved_at: resolved_at.map(Timestamp),
            })
        }

        #[async_trait]
        impl ServiceStore for $store {
            async fn transition(&self, t: Transition<'_>) -> Result<ConversationState, StoreError> {
                let mut tx = self.writer().begin().await?;
                if let Some(lock) = LOCK_CONVERSATION {
                    sqlx::query(lock).bind(t.conversation_id).execute(&mut *tx).await?;
                }
                let state: Option<String> = sqlx::query_scalar("SELECT state FROM conversations WHERE id = $1")
                    .bind(t.conversation_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some(state) = state else {
                    return Err(StoreError::NotFound(format!("conversation `{}`", t.conversation_id)));
                };
                let from = ConversationState::parse(&state)?;
                if !t.from.contains(&from) {
                    return Err(StoreError::InvalidState(format!(
                        "conversation `{}` is `{}`; it cannot become `{}`",
                        t.conversation_id,
                        from.as_str(),
                        t.to.as_str()
                    )));
                }
                let waiting = matches!(t.to, ConversationState::WaitingForHuman).then_some(t.at.millis());
                sqlx::query(
                    "UPDATE conversations SET state = $1, assigned_to = $2, \
                     waiting_since_ms = CASE WHEN $3 IS NULL THEN waiting_since_ms ELSE $3 END WHERE id = $4",
                )
                .bind(t.to.as_str())
                .bind(t.assignee)
                .bind(waiting)
                .bind(t.conversation_id)
                .execute(&mut *tx)
                .await?;
                insert_state_event(&mut tx, t.conversation_id, t.at, t.actor, None, Some(from), t.to, t.detail).await?;
                tx.commit().await?;
                Ok(from)
            }

            async fn add_event(&self, e: NewEvent) -> Result<String, StoreError> {
                let id = Uuid::now_v7().to_string();
                let mut tx = self.writer().begin().await?;
                sqlx::query(
                    "INSERT INTO conversation_events (id, conversation_id, at_ms, kind, actor, message_id, detail) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&id)
                .bind(&e.conversation_id)
                .bind(e.at.millis())
                .bind(e.kind.as_str())
                .bind(&e.actor)
                .bind(e.message_id.map(|m| m.to_string()))
                .bind(&e.detail)
                .execute(&mut *tx)
                .await?;
                if let Some(payload) = &e.audit_payload {
                    append_in_tx(&mut tx, std::slice::from_ref(payload), e.at).await?;
                }
                tx.commit().await?;
                Ok(id)
            }

            async fn events(&self, conversation_id: &str) -> Result<Vec<ConversationEvent>, StoreError> {
                let rows = sqlx::query(
                    "SELECT id, conversation_id, at_ms, kind, actor, message_id, from_state, to_state, detail \
                     FROM conversation_events WHERE conversation_id = $1 ORDER BY at_ms, id",
                )
                .bind(conversation_id)
                .fetch_all(self.reader())
                .await?;
                rows.iter()
                    .map(|r| {
                        let kind: String = r.try_get("kind")?;
                        let message_id: Option<String> = r.try_get("message_id")?;
                        let from: Option<String> = r.try_get("from_state")?;
                        let to: Option<String> = r.try_get("to_state")?;
                        Ok(ConversationEvent {
                            id: r.try_get("id")?,
                            conversation_id: r.try_get("conversation_id")?,
                            at: Timestamp(r.try_get("at_ms")?),
                            kind: EventKind::parse(&kind)?,
                            actor: r.try_get("actor")?,
                            message_id: message_id.map(|m| Uuid::parse_str(&m)).transpose().map_err(corrupt)?,
                            from_state: from.map(|s| ConversationState::parse(&s)).transpose()?,
                            to_state: to.map(|s| ConversationState::parse(&s)).transpose()?,
                            detail: r.try_get("detail")?,
                        })
                    })
                    .collect()
            }

            async fn set_ai_preference(&self, customer_id: &str, p: &AiPreference, audit_payload: &[u8]) -> Result<(), StoreError> {
                let mut tx = self.writer().begin().await?;
                sqlx::query(
                    "INSERT INTO customer_preferences (customer_id, ai_opt_out, source, updated_at_ms) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (customer_id) DO UPDATE SET ai_opt_out = excluded.ai_opt_out, source = excluded.source, \
                     updated_at_ms = excluded.updated_at_ms",
                )
                .bind(customer_id)
                .bind(p.opt_out)
                .bind(&p.source)
                .bind(p.updated_at.millis())
                .execute(&mut *tx)
                .await?;
                append_in_tx(&mut tx, &[audit_payload.to_vec()], p.updated_at).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn ai_preference(&self, customer_id: &str) -> Result<Option<AiPreference>, StoreError> {
                let row = sqlx::query("SELECT ai_opt_out, source, updated_at_ms FROM customer_preferences WHERE customer_id = $1")
                    .bind(customer_id)
                    .fetch_optional(self.reader())
                    .await?;
                row.map(|r| {
                    Ok(AiPreference {
                        opt_out: r.try_get("ai_opt_out")?,
                        source: r.try_get("source")?,
                        updated_at: Timestamp(r.try_get("updated_at_ms")?),
                    })
                })
                .transpose()
            }

            async fn record_consent(&self, customer_id: &str, c: &ConsentChange, audit_payload: &[u8]) -> Result<(), StoreError> {
                let mut tx = self.writer().begin().await?;
                sqlx::query(
                    "INSERT INTO consent_changes (customer_id, purpose, granted, source, policy_text_version, at_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(customer_id)
                .bind(&c.purpose)
                .bind(c.granted)
                .bind(&c.source)
                .bind(&c.policy_text_version)
                .bind(c.at.millis())
                .execute(&mut *tx)
                .await?;
                append_in_tx(&mut tx, &[audit_payload.to_vec()], c.at).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn consents(&self, customer_id: &str) -> Result<Vec<ConsentChange>, StoreError> {
                // `id` breaks ties between changes in the same millisecond in insertion order.
                let rows = sqlx::query(
                    "SELECT purpose, granted, source, policy_text_version, at_ms FROM consent_changes \
                     WHERE customer_id = $1 ORDER BY at_ms, id",
                )
                .bind(customer_id)
                .fetch_all(self.reader())
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(ConsentChange {
                            purpose: r.try_get("purpose")?,
                            granted: r.try_get("granted")?,
                            source: r.try_get("source")?,
                            policy_text_version: r.try_get("policy_text_version")?,
                            at: Timestamp(r.try_get("at_ms")?),
                        })
                    })
                    .collect()
            }

            async fn put_article(&self, a: &StoredArticle, at: Timestamp) -> Result<(), StoreError> {
                let mut tx = self.writer().begin().await?;
                let held: Option<i64> = sqlx::query_scalar("SELECT version FROM kb_articles WHERE id = $1 AND lang = $2")
                    .bind(&a.id)
                    .bind(a.lang.code())
                    .fetch_optional(&mut *tx)
                    .await?;
                if let Some(held) = held
                    && held >= i64::from(a.version)
                {
                    return Err(StoreError::StaleVersion(format!(
                        "article `{}` ({}) is already at version {held}; version {} is not newer",
                        a.id, a.lang, a.version
                    )));
                }
                sqlx::query(
                    "INSERT INTO kb_articles (id, lang, version, markdown, imported_at_ms) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (id, lang) DO UPDATE SET version = excluded.version, markdown = excluded.markdown, \
                     imported_at_ms = excluded.imported_at_ms",
                )
                .bind(&a.id)
                .bind(a.lang.code())
                .bind(i64::from(a.version))
                .bind(&a.markdown)
                .bind(at.millis())
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn articles(&self) -> Result<Vec<StoredArticle>, StoreError> {
                let rows = sqlx::query("SELECT id, lang, version, markdown FROM kb_articles ORDER BY id, lang")
                    .fetch_all(self.reader())
                    .await?;
                rows.iter()
                    .map(|r| {
                        let lang: String = r.try_get("lang")?;
                        let version: i64 = r.try_get("version")?;
                        Ok(StoredArticle {
                            id: r.try_get("id")?,
                            lang: lang.parse::<Lang>().map_err(corrupt)?,
                            version: u32::try_from(version).map_err(corrupt)?,
                            markdown: r.try_get("markdown")?,
                        })
                    })
                    .collect()
            }

            async fn file_complaint(&self, c: &Complaint, audit_payload: &[u8]) -> Result<(), StoreError> {
                let mut tx = self.writer().begin().await?;
                sqlx::query(
                    "INSERT INTO complaints (id, message_id, conversation_id, filed_by, text, owner_role, status, \
                     filed_at_ms, due_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(&c.id)
                .bind(c.message_id.to_string())
                .bind(&c.conversation_id)
                .bind(&c.filed_by)
                .bind(&c.text)
                .bind(&c.owner_role)
                .bind(c.status.as_str())
                .bind(c.filed_at.millis())
                .bind(c.due_at.millis())
                .execute(&mut *tx)
                .await?;
                append_in_tx(&mut tx, &[audit_payload.to_vec()], c.filed_at).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn complaint(&self, id: &str) -> Result<Option<Complaint>, StoreError> {
                let row = sqlx::query(crate::service::complaint_select!("WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(self.reader())
                    .await?;
                row.as_ref().map(decode_complaint).transpose()
            }

            async fn complaints(&self, status: Option<ComplaintStatus>) -> Result<Vec<Complaint>, StoreError> {
                let rows = match status {
                    Some(s) => {
                        sqlx::query(crate::service::complaint_select!("WHERE status = $1 ORDER BY due_at_ms, id"))
                            .bind(s.as_str())
                            .fetch_all(self.reader())
                            .await?
                    }
                    None => {
                        sqlx::query(crate::service::complaint_select!("ORDER BY due_at_ms, id"))
                            .fetch_all(self.reader())
                            .await?
                    }
                };
                rows.iter().map(decode_complaint).collect()
            }

            async fn resolve_complaint(&self, r: ComplaintResolution<'_>) -> Result<Complaint, StoreError> {
                let mut tx = self.writer().begin().await?;
                let done = sqlx::query(
                    "UPDATE complaints SET status = $1, upheld = $2, resolution = $3, resolved_by = $4, resolved_at_ms = $5 \
                     WHERE id = $6 AND status = 'open'",
                )
                .bind(r.status.as_str())
                .bind(r.status == ComplaintStatus::Upheld)
                .bind(r.resolution)
                .bind(r.by)
                .bind(r.at.millis())
                .bind(r.id)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() != 1 {
                    let exists: Option<String> = sqlx::query_scalar("SELECT status FROM complaints WHERE id = $1")
                        .bind(r.id)
                        .fetch_optional(&mut *tx)
                        .await?;
                    return Err(match exists {
                        None => StoreError::NotFound(format!("complaint `{}`", r.id)),
                        Some(s) => StoreError::InvalidState(format!("complaint `{}` is already {s}", r.id)),
                    });
                }
                append_in_tx(&mut tx, std::slice::from_ref(&r.audit_payload), r.at).await?;
                let row = sqlx::query(crate::service::complaint_select!("WHERE id = $1")).bind(r.id).fetch_one(&mut *tx).await?;
                let c = decode_complaint(&row)?;
                tx.commit().await?;
                Ok(c)
            }
        }
    };
}

pub(crate) use service_store_impl;
