//! The stages themselves, in the order they run.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use candor_audit::{AuditRecord, DecisionRecord};
use candor_core::{Lang, Timestamp};
use candor_pii::{Detection, Normalised, normalise, pseudonymise, token};
use candor_store::{NewMessage, StoredPii, VaultEntry};
use uuid::Uuid;

use crate::decide::{self, Context, Turn};
use crate::priority::NeedSignals;
use crate::service::Purpose;
use crate::{
    Inbound, InvalidInput, Outcome, PiiFound, Pipeline, PipelineError, Stage, StageTimings,
};

const MAX_CUSTOMER_ID_BYTES: usize = 256;
const MAX_CONVERSATION_ID_BYTES: usize = 128;

/// Measures each stage in turn.
pub(crate) struct Clock {
    last: Instant,
    timings: StageTimings,
}

impl Clock {
    fn start() -> Clock {
        Clock {
            last: Instant::now(),
            timings: StageTimings::default(),
        }
    }

    pub(crate) fn lap(&mut self, stage: Stage) {
        let now = Instant::now();
        self.timings.0.push((stage, now - self.last));
        self.last = now;
    }
}

pub(crate) async fn run(p: &Pipeline, inbound: Inbound) -> Result<Outcome, PipelineError> {
    let mut clock = Clock::start();

    let inbound = ingest(p, inbound)?;
    let message_id = Uuid::now_v7();
    let received_at = now();
    let conversation_id = match &inbound.conversation_id {
        Some(id) => {
            p.store.check_conversation(id, &inbound.customer_id).await?;
            id.clone()
        }
        None => Uuid::now_v7().to_string(),
    };
    let (ctx, last_message) = context(p, &inbound, inbound.conversation_id.is_some()).await?;
    clock.lap(Stage::Ingest);

    let normalised = normalise(&inbound.text);
    clock.lap(Stage::Normalise);

    let detections = p.registry.detect(&normalised.text);
    clock.lap(Stage::DetectPii);

    let digests: Vec<_> = detections
        .iter()
        .map(|d| (d.kind, p.key.digest(d.kind, &d.canonical)))
        .collect();
    let ordinals = p
        .store
        .pseudonym_ordinals(
            &conversation_id,
            &inbound.customer_id,
            p.policy.pseudonym_scope,
            &digests,
            received_at,
        )
        .await?;
    let pseudonymised_text = pseudonymise(&normalised.text, &detections, &ordinals);
    let pii = found(&normalised, &detections, &ordinals);
    clock.lap(Stage::Pseudonymise);

    // Every model from here on reads only the pseudonymised text.
    let decided = decide::decide(
        p,
        inbound.channel,
        &pseudonymised_text,
        &pii,
        &ctx,
        &mut clock,
    );
    let decision = decide::enforce_disclosure(decided.decision);
    let language = decision.understanding.language;
    let customer_hash = p.key.identifier_hash(&inbound.customer_id);
    if decided.requests.opt_out {
        p.set_ai_preference(&inbound.customer_id, true, "channel_phrase", received_at)
            .await
            .map_err(service_to_pipeline)?;
    }
    if decided.requests.complaint
        && let Some(previous) = last_message
    {
        p.file_complaint(previous, "channel_phrase", &pseudonymised_text, received_at)
            .await
            .map_err(service_to_pipeline)?;
    }

    let record = AuditRecord::Decision(Box::new(DecisionRecord {
        message_id: message_id.to_string(),
        conversation_id: conversation_id.clone(),
        customer_hash,
        channel: inbound.channel.as_str().to_owned(),
        received_at_ms: received_at.millis(),
        route: decision.route.as_str().to_owned(),
        rule: decision.rule.clone(),
        language: language.lang.map(|l| l.code().to_owned()),
        language_confidence: language.confidence,
        pii_kinds: pii.iter().map(|f| f.kind.as_str().to_owned()).collect(),
        pseudonymised_text: pseudonymised_text.clone(),
        explanation: decision.explanation.summary.clone(),
        reason_codes: decision
            .explanation
            .reasons
            .iter()
            .map(|r| r.code.clone())
            .collect(),
        pipeline_version: decision.versions.pipeline.clone(),
        policy_version: decision.versions.policy.clone(),
        language_model_version: decision.versions.language_model.clone(),
        escalation_reason: decision.escalation_reason.map(|r| r.as_str().to_owned()),
        intent: decision
            .understanding
            .intent
            .as_ref()
            .and_then(|i| i.label.clone()),
        reply_article: decision.reply.as_ref().and_then(|r| {
            r.article_id
                .as_ref()
                .map(|id| format!("{id}@{}", r.article_version.unwrap_or(0)))
        }),
        component_versions: vec![
            (
                "intent_model".into(),
                decision.versions.intent_model.clone(),
            ),
            (
                "sentiment_model".into(),
                decision.versions.sentiment_model.clone(),
            ),
            ("cues".into(), decision.versions.cues.clone()),
            (
                "knowledge_base".into(),
                decision.versions.knowledge_base.clone(),
            ),
        ],
    }));
    let need = decision.priority.as_ref().map(|pr| {
        serde_json::to_string(&NeedSignals {
            service_level_minutes: pr.service_level_minutes,
            frustration: pr.frustration,
            urgent: pr.urgent,
            waiting_minutes: 0.0,
        })
        .expect("need signals serialise")
    });
    // Originals and vault values are sealed with the customer's own data key before they reach
    // storage, so that erasing the customer can destroy them by destroying the key.
    let data_key = data_key_for(p, &inbound.customer_id, received_at).await?;
    let vault = pii
        .iter()
        .map(|f| VaultEntry {
            token: f.token.clone(),
            kind: f.kind,
            sealed: data_key.seal(
                &crate::privacy::vault_context(&conversation_id, &f.token),
                &inbound.text.as_bytes()[f.span.start..f.span.end],
            ),
        })
        .collect();
    let audit_index = p
        .store
        .record_message(NewMessage {
            id: message_id,
            conversation_id: conversation_id.clone(),
            customer_id: inbound.customer_id.clone(),
            channel: inbound.channel,
            received_at,
            pseudonym_scope: p.policy.pseudonym_scope,
            original_sealed: data_key.seal(
                &crate::privacy::original_context(message_id),
                inbound.text.as_bytes(),
            ),
            pseudonymised_text: pseudonymised_text.clone(),
            metadata: inbound.metadata.clone(),
            language: language.lang,
            language_confidence: language.confidence,
            pii: pii
                .iter()
                .map(|f| StoredPii {
                    kind: f.kind,
                    span: f.span,
                    token: f.token.clone(),
                    score: f.score,
                    recogniser: f.recogniser.to_owned(),
                })
                .collect(),
            vault,
            decision: decision.clone(),
            need,
            audit_payload: record.encode(),
        })
        .await?;
    clock.lap(Stage::Record);

    Ok(Outcome {
        message_id,
        conversation_id,
        received_at,
        language,
        pii,
        pseudonymised_text,
        decision,
        audit_index,
        timings: clock.timings,
    })
}

/// The customer's data key, created (and wrapped by the master key) on their first message.
pub(crate) async fn data_key_for(
    p: &Pipeline,
    customer_id: &str,
    now: Timestamp,
) -> Result<crate::vault::DataKey, PipelineError> {
    let wrapped = match p.store.wrapped_data_key(customer_id).await? {
        Some(w) => w,
        None => {
            let (_, fresh) = p.master.new_data_key(customer_id);
            // Another node may have won the race; the stored key is the one to use.
            p.store
                .insert_wrapped_data_key(customer_id, &fresh, now)
                .await?
        }
    };
    p.master
        .unwrap(customer_id, &wrapped)
        .map_err(PipelineError::Vault)
}

pub(crate) fn now() -> Timestamp {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    Timestamp(i64::try_from(ms).unwrap_or(i64::MAX))
}

/// Validates what arrived; trims identifiers.
fn ingest(p: &Pipeline, mut m: Inbound) -> Result<Inbound, InvalidInput> {
    let invalid = |field, problem: String| InvalidInput { field, problem };
    m.customer_id = m.customer_id.trim().to_owned();
    if m.customer_id.is_empty() {
        return Err(invalid("customer_id", "must not be empty".into()));
    }
    if m.customer_id.len() > MAX_CUSTOMER_ID_BYTES {
        return Err(invalid(
            "customer_id",
            format!("must be at most {MAX_CUSTOMER_ID_BYTES} bytes"),
        ));
    }
    if m.customer_id.chars().any(char::is_control) {
        return Err(invalid(
            "customer_id",
            "must not contain control characters".into(),
        ));
    }
    if let Some(id) = &m.conversation_id {
        let ok_chars = id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
        if id.is_empty() || id.len() > MAX_CONVERSATION_ID_BYTES || !ok_chars {
            return Err(invalid(
                "conversation_id",
                format!(
                    "must be 1 to {MAX_CONVERSATION_ID_BYTES} characters of A-Z, a-z, 0-9, `-`, `_`, `.`, `:`"
                ),
            ));
        }
    }
    if m.text.trim().is_empty() {
        return Err(invalid("text", "must not be empty".into()));
    }
    if m.text.len() > p.limits.max_text_bytes {
        return Err(invalid(
            "text",
            format!(
                "is {} bytes; the limit is {} bytes",
                m.text.len(),
                p.limits.max_text_bytes
            ),
        ));
    }
    Ok(m)
}

/// Maps detections back to the original text and names their tokens.
fn found(normalised: &Normalised, detections: &[Detection], ordinals: &[u32]) -> Vec<PiiFound> {
    detections
        .iter()
        .zip(ordinals)
        .map(|(d, ordinal)| PiiFound {
            kind: d.kind,
            span: normalised.map.to_original(d.span),
            token: token(d.kind, *ordinal),
            score: d.score,
            recogniser: d.recogniser,
            validator: d.validator,
        })
        .collect()
}

/// What the conversation so far says, and its latest message (for complaints by phrase).
async fn context(
    p: &Pipeline,
    inbound: &Inbound,
    continued: bool,
) -> Result<(Context, Option<Uuid>), PipelineError> {
    let preference = p.store.ai_preference(&inbound.customer_id).await?;
    let consent = p.consent_state(p.store.consents(&inbound.customer_id).await?);
    let mut ctx = Context {
        opted_out: preference.is_some_and(|pr| pr.opt_out),
        no_ai_triage: !consent.granted(Purpose::AiTriage),
        no_ai_answers: !consent.granted(Purpose::AiAnswers),
        declared_language: declared_language(inbound.metadata.as_deref()),
        ..Context::default()
    };
    let mut last = None;
    if continued
        && let Some(id) = &inbound.conversation_id
        && let Some(conversation) = p.store.conversation(id).await?
    {
        ctx.state = Some(conversation.state);
        ctx.turns = conversation
            .messages
            .iter()
            .map(|m| Turn::from_decision(&m.decision))
            .collect();
        last = conversation.messages.last().map(|m| m.id);
        ctx.bot_marked_wrong = p.store.events(id).await?.iter().any(|e| {
            e.kind == candor_store::EventKind::Feedback
                && serde_json::from_str::<serde_json::Value>(&e.detail)
                    .is_ok_and(|v| v["correct"] == serde_json::Value::Bool(false))
        });
    }
    Ok((ctx, last))
}

/// A locale the integration declared in the message metadata (`{"locale": "da-DK"}`).
fn declared_language(metadata: Option<&str>) -> Option<Lang> {
    let value: serde_json::Value = serde_json::from_str(metadata?).ok()?;
    let locale = value.get("locale")?.as_str()?;
    locale.get(..2)?.to_ascii_lowercase().parse().ok()
}

fn service_to_pipeline(e: crate::service::ServiceError) -> PipelineError {
    match e {
        crate::service::ServiceError::Store(s) => PipelineError::from(s),
        other => PipelineError::Store(candor_store::StoreError::Corrupt(other.to_string())),
    }
}
