//! The conversation around decisions: the human queue by priority, claiming, replying as a
//! person, overriding and judging AI decisions, resolving, the AI preference, consent per
//! purpose, complaints, hand-off packets, explanations and the knowledge base.
//!
//! Every change that concerns an AI decision is recorded twice, in one transaction: as a
//! conversation event (the history agents read) and as an audit record (the ledger).

use candor_audit::AuditRecord;
use candor_core::{Decision, EscalationReason, Lang, Route, Timestamp};
use candor_kb::{Article, KbError};
use candor_store::{
    AiPreference, Complaint, ComplaintResolution, ComplaintStatus, ConsentChange,
    ConversationEvent, ConversationState, EventKind, NewEvent, StoreError, StoredArticle,
    StoredConversation, Transition,
};
use serde_json::json;
use uuid::Uuid;

use crate::Pipeline;
use crate::priority::{NeedSignals, priority_score};

/// Why a service operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceError {
    /// Storage failed, or the thing does not exist, or its state forbids the change.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A knowledge-base article is invalid.
    #[error(transparent)]
    Kb(#[from] KbError),
    /// The request is not acceptable, naming the field.
    #[error("{field}: {problem}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// What is wrong.
        problem: String,
    },
}

fn invalid(field: &'static str, problem: impl Into<String>) -> ServiceError {
    ServiceError::Invalid {
        field,
        problem: problem.into(),
    }
}

/// Longest free text (replies, reasons, comments) accepted from a person, in bytes.
pub const MAX_NOTE_BYTES: usize = 8 * 1024;

fn note(field: &'static str, text: &str, required: bool) -> Result<String, ServiceError> {
    let text = text.trim();
    if required && text.is_empty() {
        return Err(invalid(field, "must not be empty"));
    }
    if text.len() > MAX_NOTE_BYTES {
        return Err(invalid(
            field,
            format!("is {} bytes; the limit is {MAX_NOTE_BYTES}", text.len()),
        ));
    }
    Ok(text.to_owned())
}

/// One conversation in the human queue, with its priority now.
#[derive(Debug, Clone)]
pub struct QueuedConversation {
    /// The conversation.
    pub conversation_id: String,
    /// Its customer.
    pub customer_id: String,
    /// Its channel (shown, never an input to the priority).
    pub channel: candor_core::Channel,
    /// Priority score now (higher first); see [`priority_score`].
    pub priority: f64,
    /// The need signals it was computed from (waiting time as of now).
    pub needs: NeedSignals,
    /// Since when it has waited.
    pub waiting_since: Timestamp,
    /// The language of its latest message.
    pub language: Option<Lang>,
    /// How many messages it has.
    pub message_count: u64,
}

/// Everything an agent needs to take over without making the customer repeat themselves.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HandoffPacket {
    /// The conversation.
    pub conversation_id: String,
    /// Where it stands.
    pub state: &'static str,
    /// The latest intent understood.
    pub intent: Option<String>,
    /// The language of the latest message.
    pub language: Option<Lang>,
    /// Frustration per customer message, oldest first.
    pub frustration_trajectory: Vec<f32>,
    /// Why it was escalated (the latest escalation).
    pub escalation_reason: Option<EscalationReason>,
    /// The explanation of that escalation.
    pub escalation_detail: Option<String>,
    /// What the bot answered or asked, in order: `article@version` or `clarifying question`.
    pub bot_attempts: Vec<String>,
    /// The last messages, pseudonymised, oldest first: `customer: …`, `bot: …`, `agent: …`.
    pub transcript: Vec<TranscriptLine>,
}

/// One line of a hand-off transcript.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TranscriptLine {
    /// `customer`, `bot` or `agent`.
    pub from: &'static str,
    /// When.
    pub at_ms: i64,
    /// The text, pseudonymised for the customer.
    pub text: String,
}

/// How many transcript lines a hand-off packet carries.
const HANDOFF_LINES: usize = 12;

/// What a customer may consent to, each on its own (docs/specs/privacy.md, "Consent").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Purpose {
    /// Intent, sentiment and frustration models read the customer's messages.
    AiTriage,
    /// The bot may answer the customer.
    AiAnswers,
    /// The customer's messages may count in analytics.
    Analytics,
    /// People's judgements of the customer's messages may become training data.
    ModelTraining,
}

impl Purpose {
    /// Every purpose, in a fixed order.
    pub const ALL: [Purpose; 4] = [
        Purpose::AiTriage,
        Purpose::AiAnswers,
        Purpose::Analytics,
        Purpose::ModelTraining,
    ];

    /// The wire, policy and database name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Purpose::AiTriage => "ai_triage",
            Purpose::AiAnswers => "ai_answers",
            Purpose::Analytics => "analytics",
            Purpose::ModelTraining => "model_training",
        }
    }

    /// The purpose with this name, if there is one.
    pub fn parse(name: &str) -> Option<Purpose> {
        Purpose::ALL.into_iter().find(|p| p.as_str() == name)
    }
}

/// A customer's consent as it stands: one value per purpose, from their latest change or,
/// without one, the policy's default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentState {
    /// Per purpose, in [`Purpose::ALL`] order: granted or not, and whether that is the
    /// policy's default (`true`) or the customer's own choice.
    pub in_force: Vec<(Purpose, bool, bool)>,
    /// Every change, oldest first.
    pub history: Vec<ConsentChange>,
}

impl ConsentState {
    /// Whether the purpose is granted now.
    pub fn granted(&self, purpose: Purpose) -> bool {
        self.in_force
            .iter()
            .any(|(p, granted, _)| *p == purpose && *granted)
    }
}

/// Who an explanation is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The customer: plain language, in their language.
    Customer,
    /// Staff: features, weights, thresholds and versions.
    Staff,
}

impl Pipeline {
    fn actor_hash(&self, actor: &str) -> String {
        self.key.identifier_hash(actor)
    }

    /// Sets a customer's AI preference (`opt_out: true` means no AI), audited.
    ///
    /// # Errors
    ///
    /// Storage failures.
    pub async fn set_ai_preference(
        &self,
        customer_id: &str,
        opt_out: bool,
        source: &str,
        at: Timestamp,
    ) -> Result<(), ServiceError> {
        let record = AuditRecord::OptOut {
            at_ms: at.millis(),
            customer_hash: self.key.identifier_hash(customer_id),
            opted_out: opt_out,
            source: source.to_owned(),
        };
        self.store
            .set_ai_preference(
                customer_id,
                &AiPreference {
                    opt_out,
                    source: source.to_owned(),
                    updated_at: at,
                },
                &record.encode(),
            )
            .await?;
        Ok(())
    }

    /// A customer's AI preference, if one was ever set.
    ///
    /// # Errors
    ///
    /// Storage failures.
    pub async fn ai_preference(
        &self,
        customer_id: &str,
    ) -> Result<Option<AiPreference>, ServiceError> {
        Ok(self.store.ai_preference(customer_id).await?)
    }

    /// Records a change of a customer's consent to one purpose, with the policy text version
    /// in force, audited. It applies from the next message on; earlier decisions stand.
    ///
    /// # Errors
    ///
    /// An empty or oversized source, or storage failures.
    pub async fn set_consent(
        &self,
        customer_id: &str,
        purpose: Purpose,
        granted: bool,
        source: &str,
        at: Timestamp,
    ) -> Result<(), ServiceError> {
        let source = note("source", source, true)?;
        let policy_text_version = self.policy.consent.policy_text_version.clone();
        let record = AuditRecord::ConsentChange {
            at_ms: at.millis(),
            customer_hash: self.key.identifier_hash(customer_id),
            purpose: purpose.as_str().to_owned(),
            granted,
            source: source.clone(),
            policy_text_version: policy_text_version.clone(),
        };
        self.store
            .record_consent(
                customer_id,
                &ConsentChange {
                    purpose: purpose.as_str().to_owned(),
                    granted,
                    source,
                    policy_text_version,
                    at,
                },
                &record.encode(),
            )
            .await?;
        Ok(())
    }

    /// A customer's consent in force (their latest change per purpose, else the policy's
    /// default) and its history.
    ///
    /// # Errors
    ///
    /// Storage failures.
    pub async fn consents(&self, customer_id: &str) -> Result<ConsentState, ServiceError> {
        let history = self.store.consents(customer_id).await?;
        Ok(self.consent_state(history))
    }

    pub(crate) fn consent_state(&self, history: Vec<ConsentChange>) -> ConsentState {
        let in_force = Purpose::ALL
            .into_iter()
            .map(|purpose| {
                // History is oldest first, so the last change of a purpose is in force.
                match history.iter().rev().find(|c| c.purpose == purpose.as_str()) {
                    Some(c) => (purpose, c.granted, false),
                    None => (purpose, self.policy.consent.default_for(purpose), true),
                }
            })
            .collect();
        ConsentState { in_force, history }
    }

    /// The human queue, highest priority first, scored as of `now`.
    ///
    /// # Errors
    ///
    /// Storage failures.
    pub async fn queue(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<QueuedConversation>, ServiceError> {
        // Read the whole waiting set: priority, not arrival, decides who is first.
        let entries = self.store.queue(10_000).await?;
        let mut queued: Vec<QueuedConversation> = entries
            .into_iter()
            .map(|e| {
                let mut needs = e
                    .need
                    .as_deref()
                    .and_then(|n| serde_json::from_str::<NeedSignals>(n).ok())
                    .unwrap_or(NeedSignals {
                        service_level_minutes: self.policy.priority.default_service_level_minutes,
                        frustration: 0.0,
                        urgent: false,
                        waiting_minutes: 0.0,
                    });
                needs.waiting_minutes =
                    (now.millis() - e.waiting_since.millis()).max(0) as f64 / 60_000.0;
                QueuedConversation {
                    conversation_id: e.conversation_id,
                    customer_id: e.customer_id,
                    channel: e.channel,
                    priority: priority_score(&needs),
                    needs,
                    waiting_since: e.waiting_since,
                    language: e.language,
                    message_count: e.message_count,
                }
            })
            .collect();
        queued.sort_by(|a, b| {
            b.priority
                .total_cmp(&a.priority)
                .then(a.waiting_since.cmp(&b.waiting_since))
                .then(a.conversation_id.cmp(&b.conversation_id))
        });
        queued.truncate(limit as usize);
        Ok(queued)
    }

    /// An agent claims a waiting conversation.
    ///
    /// # Errors
    ///
    /// Not found, or not waiting (already claimed, resolved or with the bot).
    pub async fn claim(
        &self,
        conversation_id: &str,
        agent: &str,
        at: Timestamp,
    ) -> Result<(), ServiceError> {
        self.store
            .transition(Transition {
                conversation_id,
                from: &[ConversationState::WaitingForHuman],
                to: ConversationState::Assigned,
                actor: agent,
                assignee: Some(agent),
                detail: &json!({"reason": "claimed"}).to_string(),
                at,
            })
            .await?;
        Ok(())
    }

    /// A person takes over a conversation the bot has (an agent stepping in), or resolves one.
    ///
    /// # Errors
    ///
    /// Not found, or already resolved.
    pub async fn resolve(
        &self,
        conversation_id: &str,
        actor: &str,
        at: Timestamp,
    ) -> Result<(), ServiceError> {
        self.store
            .transition(Transition {
                conversation_id,
                from: &[
                    ConversationState::Bot,
                    ConversationState::WaitingForHuman,
                    ConversationState::Assigned,
                ],
                to: ConversationState::Resolved,
                actor,
                assignee: None,
                detail: &json!({"reason": "resolved"}).to_string(),
                at,
            })
            .await?;
        Ok(())
    }

    /// A person replies to the customer. The conversation must be assigned (claim it first).
    ///
    /// # Errors
    ///
    /// Empty or oversized text; a conversation that does not exist or is not assigned.
    pub async fn agent_reply(
        &self,
        conversation_id: &str,
        agent: &str,
        text: &str,
        at: Timestamp,
    ) -> Result<String, ServiceError> {
        let text = note("text", text, true)?;
        let conversation = self.conversation(conversation_id).await?;
        if conversation.state != ConversationState::Assigned {
            return Err(ServiceError::Store(StoreError::InvalidState(format!(
                "conversation `{conversation_id}` is `{}`; claim it before replying",
                conversation.state.as_str()
            ))));
        }
        Ok(self
            .store
            .add_event(NewEvent {
                conversation_id: conversation_id.to_owned(),
                at,
                kind: EventKind::AgentReply,
                actor: agent.to_owned(),
                message_id: None,
                detail: json!({ "text": text }).to_string(),
                audit_payload: None,
            })
            .await?)
    }

    async fn conversation(&self, id: &str) -> Result<StoredConversation, ServiceError> {
        self.store.conversation(id).await?.ok_or_else(|| {
            ServiceError::Store(StoreError::NotFound(format!("conversation `{id}`")))
        })
    }

    async fn decision_of(
        &self,
        message_id: Uuid,
    ) -> Result<candor_store::StoredMessage, ServiceError> {
        self.store.message(message_id).await?.ok_or_else(|| {
            ServiceError::Store(StoreError::NotFound(format!("message `{message_id}`")))
        })
    }

    /// A person overrides an AI decision: `field` is `route` (`bot`/`human`), `intent` (a label
    /// of the intent model) or `priority` (a number), with a required reason. Recorded in the
    /// conversation and the audit ledger. Overriding the route to `human` also puts the
    /// conversation in the human queue.
    ///
    /// # Errors
    ///
    /// An unknown field or value, an empty reason, an unknown message.
    pub async fn override_decision(
        &self,
        message_id: Uuid,
        actor: &str,
        field: &str,
        to: &str,
        reason: &str,
        at: Timestamp,
    ) -> Result<String, ServiceError> {
        let reason = note("reason", reason, true)?;
        let message = self.decision_of(message_id).await?;
        let d = &message.decision;
        let from = match field {
            "route" => {
                to.parse::<Route>()
                    .map_err(|e| invalid("to", e.to_string()))?;
                d.route.as_str().to_owned()
            }
            "intent" => {
                if !self.intent.labels().iter().any(|l| l == to) {
                    return Err(invalid(
                        "to",
                        format!("`{to}` is not an intent of the model in force"),
                    ));
                }
                d.understanding
                    .intent
                    .as_ref()
                    .and_then(|i| i.label.clone())
                    .unwrap_or_else(|| "none".to_owned())
            }
            "priority" => {
                let v: f64 = to
                    .parse()
                    .map_err(|_| invalid("to", format!("`{to}` is not a number")))?;
                if !v.is_finite() || v < 0.0 {
                    return Err(invalid("to", "must be a finite number of at least 0"));
                }
                d.priority
                    .as_ref()
                    .map_or_else(|| "none".to_owned(), |p| format!("{:.4}", p.score))
            }
            other => {
                return Err(invalid(
                    "field",
                    format!("`{other}` cannot be overridden (expected route, intent or priority)"),
                ));
            }
        };
        let record = AuditRecord::Override {
            at_ms: at.millis(),
            message_id: message_id.to_string(),
            actor_hash: self.actor_hash(actor),
            field: field.to_owned(),
            from: from.clone(),
            to: to.to_owned(),
            reason: reason.clone(),
        };
        let id = self
            .store
            .add_event(NewEvent {
                conversation_id: message.conversation_id.clone(),
                at,
                kind: EventKind::Override,
                actor: actor.to_owned(),
                message_id: Some(message_id),
                detail: json!({"field": field, "from": from, "to": to, "reason": reason})
                    .to_string(),
                audit_payload: Some(record.encode()),
            })
            .await?;
        if field == "route" && to == "human" {
            // Into the queue, unless a person already has it.
            match self
                .store
                .transition(Transition {
                    conversation_id: &message.conversation_id,
                    from: &[ConversationState::Bot, ConversationState::Resolved],
                    to: ConversationState::WaitingForHuman,
                    actor,
                    assignee: None,
                    detail: &json!({"reason": "override"}).to_string(),
                    at,
                })
                .await
            {
                Ok(_) | Err(StoreError::InvalidState(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(id)
    }

    /// A person judges a decision (`correct: false` for a wrong bot answer). Stored as labelled
    /// data for retraining, in the conversation and the audit ledger. A wrong bot answer makes
    /// the next message of the conversation go to a person.
    ///
    /// # Errors
    ///
    /// An oversized comment or an unknown message.
    pub async fn feedback(
        &self,
        message_id: Uuid,
        actor: &str,
        correct: bool,
        comment: &str,
        at: Timestamp,
    ) -> Result<String, ServiceError> {
        let comment = note("comment", comment, false)?;
        let message = self.decision_of(message_id).await?;
        let d = &message.decision;
        let record = AuditRecord::Feedback {
            at_ms: at.millis(),
            message_id: message_id.to_string(),
            actor_hash: self.actor_hash(actor),
            correct,
            comment: comment.clone(),
        };
        // Training exports skip examples whose customer has not consented to model training;
        // the mark is made now, so a later withdrawal needs the export to re-check consent.
        let model_training = self
            .consents(&message.customer_id)
            .await?
            .granted(Purpose::ModelTraining);
        let detail = json!({
            "correct": correct,
            "comment": comment,
            "model_training": model_training,
            // The labelled example: the text as models saw it and what was decided.
            "text": message.pseudonymised_text,
            "intent": d.understanding.intent.as_ref().and_then(|i| i.label.clone()),
            "route": d.route.as_str(),
            "article_id": d.reply.as_ref().and_then(|r| r.article_id.clone()),
        });
        Ok(self
            .store
            .add_event(NewEvent {
                conversation_id: message.conversation_id.clone(),
                at,
                kind: EventKind::Feedback,
                actor: actor.to_owned(),
                message_id: Some(message_id),
                detail: detail.to_string(),
                audit_payload: Some(record.encode()),
            })
            .await?)
    }

    /// The conversation's events (state changes, agent replies, overrides, feedback).
    ///
    /// # Errors
    ///
    /// Storage failures.
    pub async fn events(
        &self,
        conversation_id: &str,
    ) -> Result<Vec<ConversationEvent>, ServiceError> {
        Ok(self.store.events(conversation_id).await?)
    }

    /// Files a complaint against a decision. Its owner and due date come from the policy.
    ///
    /// # Errors
    ///
    /// An unknown message, or oversized text.
    pub async fn file_complaint(
        &self,
        message_id: Uuid,
        filed_by: &str,
        text: &str,
        at: Timestamp,
    ) -> Result<Complaint, ServiceError> {
        let text = note("text", text, false)?;
        let message = self.decision_of(message_id).await?;
        let complaint = Complaint {
            id: Uuid::now_v7().to_string(),
            message_id,
            conversation_id: message.conversation_id.clone(),
            filed_by: filed_by.to_owned(),
            text,
            owner_role: self.policy.complaints.owner.clone(),
            status: ComplaintStatus::Open,
            filed_at: at,
            due_at: Timestamp(
                at.millis() + i64::from(self.policy.complaints.due_days) * 86_400_000,
            ),
            resolution: None,
            resolved_by: None,
            resolved_at: None,
        };
        let record = AuditRecord::Complaint {
            at_ms: at.millis(),
            complaint_id: complaint.id.clone(),
            customer_hash: self.key.identifier_hash(&message.customer_id),
            message_id: Some(message_id.to_string()),
            status: "opened".to_owned(),
        };
        self.store
            .file_complaint(&complaint, &record.encode())
            .await?;
        self.store
            .add_event(NewEvent {
                conversation_id: complaint.conversation_id.clone(),
                at,
                kind: EventKind::Complaint,
                actor: filed_by.to_owned(),
                message_id: Some(message_id),
                detail: json!({"complaint_id": complaint.id, "status": "open"}).to_string(),
                audit_payload: None,
            })
            .await?;
        Ok(complaint)
    }

    /// Complaints, optionally in one status.
    ///
    /// # Errors
    ///
    /// Storage failures.
    pub async fn complaints(
        &self,
        status: Option<ComplaintStatus>,
    ) -> Result<Vec<Complaint>, ServiceError> {
        Ok(self.store.complaints(status).await?)
    }

    /// Resolves a complaint: upheld (the decision is corrected: with `correct_route`, an
    /// override is recorded too) or rejected with a reason. The customer sees the resolution
    /// in the conversation's history.
    ///
    /// # Errors
    ///
    /// An empty resolution, an unknown or already resolved complaint.
    pub async fn resolve_complaint(
        &self,
        id: &str,
        upheld: bool,
        resolution: &str,
        correct_route: Option<Route>,
        by: &str,
        at: Timestamp,
    ) -> Result<Complaint, ServiceError> {
        let resolution = note("resolution", resolution, true)?;
        let existing = self.store.complaint(id).await?.ok_or_else(|| {
            ServiceError::Store(StoreError::NotFound(format!("complaint `{id}`")))
        })?;
        let message = self.decision_of(existing.message_id).await?;
        let status = if upheld {
            ComplaintStatus::Upheld
        } else {
            ComplaintStatus::Rejected
        };
        let record = AuditRecord::Complaint {
            at_ms: at.millis(),
            complaint_id: id.to_owned(),
            customer_hash: self.key.identifier_hash(&message.customer_id),
            message_id: Some(existing.message_id.to_string()),
            status: status.as_str().to_owned(),
        };
        let resolved = self
            .store
            .resolve_complaint(ComplaintResolution {
                id,
                status,
                resolution: &resolution,
                by,
                at,
                audit_payload: record.encode(),
            })
            .await?;
        if upheld && let Some(route) = correct_route {
            self.override_decision(
                existing.message_id,
                by,
                "route",
                route.as_str(),
                &format!("complaint {id} upheld: {resolution}"),
                at,
            )
            .await?;
        }
        self.store
            .add_event(NewEvent {
                conversation_id: existing.conversation_id.clone(),
                at,
                kind: EventKind::Complaint,
                actor: by.to_owned(),
                message_id: Some(existing.message_id),
                detail:
                    json!({"complaint_id": id, "status": status.as_str(), "resolution": resolution})
                        .to_string(),
                audit_payload: None,
            })
            .await?;
        Ok(resolved)
    }

    /// The hand-off packet for a conversation.
    ///
    /// # Errors
    ///
    /// An unknown conversation.
    pub async fn handoff(&self, conversation_id: &str) -> Result<HandoffPacket, ServiceError> {
        let conversation = self.conversation(conversation_id).await?;
        let events = self.store.events(conversation_id).await?;
        let mut transcript = Vec::new();
        let mut bot_attempts = Vec::new();
        for m in &conversation.messages {
            transcript.push(TranscriptLine {
                from: "customer",
                at_ms: m.received_at.millis(),
                text: m.pseudonymised_text.clone(),
            });
            if let Some(reply) = &m.decision.reply {
                bot_attempts.push(match (&reply.article_id, reply.article_version) {
                    (Some(id), Some(v)) => format!("{id}@{v}"),
                    _ => "clarifying question".to_owned(),
                });
                transcript.push(TranscriptLine {
                    from: "bot",
                    at_ms: m.received_at.millis(),
                    text: reply.text.clone(),
                });
            }
        }
        for e in events.iter().filter(|e| e.kind == EventKind::AgentReply) {
            let text = serde_json::from_str::<serde_json::Value>(&e.detail)
                .ok()
                .and_then(|v| v["text"].as_str().map(str::to_owned))
                .unwrap_or_default();
            transcript.push(TranscriptLine {
                from: "agent",
                at_ms: e.at.millis(),
                text,
            });
        }
        transcript.sort_by_key(|l| l.at_ms);
        let skip = transcript.len().saturating_sub(HANDOFF_LINES);
        let escalation = conversation
            .messages
            .iter()
            .rev()
            .find(|m| m.decision.escalation_reason.is_some());
        let latest: Option<&Decision> = conversation.messages.last().map(|m| &m.decision);
        Ok(HandoffPacket {
            conversation_id: conversation.id.clone(),
            state: conversation.state.as_str(),
            intent: conversation.messages.iter().rev().find_map(|m| {
                m.decision
                    .understanding
                    .intent
                    .as_ref()
                    .and_then(|i| i.label.clone())
            }),
            language: latest.and_then(|d| d.understanding.language.lang),
            frustration_trajectory: conversation
                .messages
                .iter()
                .filter_map(|m| {
                    m.decision
                        .understanding
                        .frustration
                        .as_ref()
                        .map(|f| f.score)
                })
                .collect(),
            escalation_reason: escalation.and_then(|m| m.decision.escalation_reason),
            escalation_detail: escalation.map(|m| m.decision.explanation.summary.clone()),
            bot_attempts,
            transcript: transcript.into_iter().skip(skip).collect(),
        })
    }

    /// Imports knowledge-base articles (Markdown with front matter): stored, then put in force.
    /// Returns how many were stored; an article whose version is not newer than the stored one
    /// is an error naming it, and nothing after it is stored.
    ///
    /// # Errors
    ///
    /// An article that does not parse, a stale version, storage failures.
    pub async fn import_articles(
        &self,
        markdown: &[String],
        at: Timestamp,
    ) -> Result<usize, ServiceError> {
        self.put_articles(markdown, false, at).await
    }

    /// Like [`Pipeline::import_articles`], but articles whose stored version is the same or
    /// newer are left as they are instead of being an error: for bringing a directory of
    /// articles in on every start. Returns how many were stored.
    ///
    /// # Errors
    ///
    /// An article that does not parse, storage failures.
    pub async fn import_newer_articles(
        &self,
        markdown: &[String],
        at: Timestamp,
    ) -> Result<usize, ServiceError> {
        self.put_articles(markdown, true, at).await
    }

    async fn put_articles(
        &self,
        markdown: &[String],
        skip_stale: bool,
        at: Timestamp,
    ) -> Result<usize, ServiceError> {
        let mut parsed = Vec::with_capacity(markdown.len());
        for text in markdown {
            parsed.push(Article::parse(text)?);
        }
        let mut stored = 0;
        for a in &parsed {
            let put = self
                .store
                .put_article(
                    &StoredArticle {
                        id: a.id.clone(),
                        lang: a.lang,
                        version: a.version,
                        markdown: a.to_markdown(),
                    },
                    at,
                )
                .await;
            match put {
                Ok(()) => stored += 1,
                Err(StoreError::StaleVersion(_)) if skip_stale => {}
                Err(e) => return Err(e.into()),
            }
        }
        self.reload_knowledge_base().await?;
        Ok(stored)
    }
}
