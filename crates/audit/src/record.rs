//! Audit records and their canonical, versioned encoding (`docs/specs/audit-record.md`).

use serde_json::{Value, json};

/// The version of the record encoding; bumped on any change to fields or their meaning.
pub const RECORD_VERSION: u32 = 2;

/// One audit record. A record never holds raw personal data: people are keyed hashes
/// (`*_hash`), texts are pseudonymised.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum AuditRecord {
    /// The pipeline decided where a message goes.
    Decision(Box<DecisionRecord>),
    /// A person changed a decision.
    Override {
        /// When, in ms since the Unix epoch.
        at_ms: i64,
        /// The message whose decision was changed.
        message_id: String,
        /// Keyed hash of the person.
        actor_hash: String,
        /// What was changed: `route`, `intent` or `priority`.
        field: String,
        /// The value before.
        from: String,
        /// The value after.
        to: String,
        /// Why, pseudonymised.
        reason: String,
    },
    /// A person judged a decision.
    Feedback {
        /// When.
        at_ms: i64,
        /// The message.
        message_id: String,
        /// Keyed hash of the person.
        actor_hash: String,
        /// Whether the decision was right.
        correct: bool,
        /// Comment, pseudonymised.
        comment: String,
    },
    /// A conversation was handed to a person.
    Escalation {
        /// When.
        at_ms: i64,
        /// The conversation.
        conversation_id: String,
        /// Stable reason code, e.g. `customer_asked_for_human`.
        reason_code: String,
        /// In plain language.
        detail: String,
    },
    /// A customer opted out of (or back into) AI.
    OptOut {
        /// When.
        at_ms: i64,
        /// Keyed hash of the customer.
        customer_hash: String,
        /// `true`: no AI from now on.
        opted_out: bool,
        /// How: `channel_phrase`, `agent`, `api`.
        source: String,
    },
    /// Consent for a purpose was given or withdrawn.
    ConsentChange {
        /// When.
        at_ms: i64,
        /// Keyed hash of the customer.
        customer_hash: String,
        /// `ai_triage`, `ai_answers`, `analytics`, `model_training`.
        purpose: String,
        /// Given (`true`) or withdrawn.
        granted: bool,
        /// How it was recorded.
        source: String,
        /// The version of the policy text the customer saw.
        policy_text_version: String,
    },
    /// A pseudonymised value was revealed to a person.
    PiiReveal {
        /// When.
        at_ms: i64,
        /// Keyed hash of the person.
        actor_hash: String,
        /// Their role.
        role: String,
        /// The conversation.
        conversation_id: String,
        /// The pseudonym revealed, e.g. `<EMAIL_1>`.
        token: String,
        /// The stated reason.
        reason: String,
    },
    /// A customer's data was erased.
    Erasure {
        /// When.
        at_ms: i64,
        /// Keyed hash of the customer.
        customer_hash: String,
        /// Keyed hash of the person who erased it.
        actor_hash: String,
        /// What was erased, e.g. `["originals", "vault", "data_key"]`.
        scope: Vec<String>,
    },
    /// A model or policy version was put into force.
    Activation {
        /// When.
        at_ms: i64,
        /// `policy` or `model`.
        artifact: String,
        /// Its name.
        name: String,
        /// The version now in force.
        version: String,
        /// The version before, if any.
        previous_version: Option<String>,
        /// Who or what activated it (`startup`, or a keyed hash of a person).
        actor: String,
    },
    /// A complaint about an AI decision changed state.
    Complaint {
        /// When.
        at_ms: i64,
        /// The complaint.
        complaint_id: String,
        /// Keyed hash of the customer.
        customer_hash: String,
        /// The message complained about, if any.
        message_id: Option<String>,
        /// `opened`, `in_review`, `upheld`, `rejected`, `resolved`.
        status: String,
    },
    /// A group audit of the decisions in a window was run (`docs/specs/fairness.md`).
    FairnessAudit {
        /// When it ran.
        at_ms: i64,
        /// The window's start, ms since the Unix epoch.
        window_from_ms: i64,
        /// The window's end.
        window_to_ms: i64,
        /// Decisions audited.
        decisions: u64,
        /// Groups with fewer decisions were not judged.
        min_group_size: u64,
        /// What ran it: `schedule`, `api` or `cli`.
        trigger: String,
        /// Every disparity above the limits.
        alerts: Vec<FairnessAlert>,
    },
    /// Data older than its retention period was purged (one record per purge batch).
    RetentionPurge {
        /// When.
        at_ms: i64,
        /// The data class: `message_originals`, `pseudonymised_text`, `decisions`, `feedback`.
        class: String,
        /// Items received before this time (ms since the Unix epoch) were expired.
        cutoff_ms: i64,
        /// How many items were purged.
        count: u64,
    },
    /// Customers' data keys were re-wrapped under a new master key.
    KeyRotation {
        /// When.
        at_ms: i64,
        /// The new master key's id (16 hex digits; never the key).
        key_id: String,
        /// Data keys re-wrapped by this run.
        rewrapped: u64,
        /// Data keys still wrapped by another master key after this run.
        remaining: u64,
    },
}

/// One disparity a fairness audit found: groups are the deployment's own categories
/// (language, channel, tenure band, region), never people.
#[derive(Debug, Clone, PartialEq)]
pub struct FairnessAlert {
    /// The attribute, e.g. `region`.
    pub attribute: String,
    /// The outcome, e.g. `escalated`.
    pub outcome: String,
    /// The class (`true`, a priority band; empty for minutes to a person).
    pub class: String,
    /// The group with the lowest value.
    pub lowest_group: String,
    /// Its value.
    pub lowest_value: f64,
    /// The group with the highest value.
    pub highest_group: String,
    /// Its value.
    pub highest_value: f64,
    /// Every limit exceeded: (metric, value, limit).
    pub violations: Vec<(String, f64, f64)>,
}

impl FairnessAlert {
    fn to_json(&self) -> Value {
        let violations: Vec<Value> = self
            .violations
            .iter()
            .map(|(metric, value, limit)| {
                json!({"metric": metric, "value": format!("{value:.4}"), "limit": format!("{limit:.4}")})
            })
            .collect();
        json!({
            "attribute": self.attribute, "outcome": self.outcome, "class": self.class,
            "lowest_group": self.lowest_group, "lowest_value": format!("{:.4}", self.lowest_value),
            "highest_group": self.highest_group, "highest_value": format!("{:.4}", self.highest_value),
            "violations": violations,
        })
    }
}

/// The facts of one decision, free of raw personal data.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionRecord {
    /// The message.
    pub message_id: String,
    /// The conversation it belongs to.
    pub conversation_id: String,
    /// Keyed hash of the customer id.
    pub customer_hash: String,
    /// The channel it arrived on.
    pub channel: String,
    /// When it was received, milliseconds since the Unix epoch.
    pub received_at_ms: i64,
    /// The route chosen.
    pub route: String,
    /// The policy rule that chose it.
    pub rule: String,
    /// The language, or `None` for unknown.
    pub language: Option<String>,
    /// Confidence of the language guess, in `[0, 1]`.
    pub language_confidence: f64,
    /// The kinds of personal data found, one per detection, in text order.
    pub pii_kinds: Vec<String>,
    /// The text with personal data replaced by pseudonyms.
    pub pseudonymised_text: String,
    /// The plain-language summary of the explanation.
    pub explanation: String,
    /// The reason codes behind it, in order.
    pub reason_codes: Vec<String>,
    /// Pipeline version.
    pub pipeline_version: String,
    /// Policy version (content hash).
    pub policy_version: String,
    /// Language model version.
    pub language_model_version: String,
    /// Why it went to a person, when it did (`human_requested`, `frustration`, …).
    pub escalation_reason: Option<String>,
    /// The intent understood, when one was.
    pub intent: Option<String>,
    /// The knowledge-base article the bot answered from, as `id@version`.
    pub reply_article: Option<String>,
    /// Versions of the other components that took part (`intent_model`, `sentiment_model`,
    /// `cues`, `knowledge_base`), recorded under `versions` beside the three above.
    pub component_versions: Vec<(String, String)>,
}

/// The `versions` object of a decision record: the three core versions and every component.
fn decision_versions(d: &DecisionRecord) -> Value {
    let mut versions = serde_json::Map::new();
    for (name, version) in &d.component_versions {
        versions.insert(name.clone(), Value::from(version.clone()));
    }
    versions.insert("pipeline".into(), Value::from(d.pipeline_version.clone()));
    versions.insert("policy".into(), Value::from(d.policy_version.clone()));
    versions.insert(
        "language_model".into(),
        Value::from(d.language_model_version.clone()),
    );
    Value::Object(versions)
}

impl AuditRecord {
    /// The record's type name, e.g. `decision`.
    pub fn kind(&self) -> &'static str {
        match self {
            AuditRecord::Decision(_) => "decision",
            AuditRecord::Override { .. } => "override",
            AuditRecord::Feedback { .. } => "feedback",
            AuditRecord::Escalation { .. } => "escalation",
            AuditRecord::OptOut { .. } => "opt_out",
            AuditRecord::ConsentChange { .. } => "consent_change",
            AuditRecord::PiiReveal { .. } => "pii_reveal",
            AuditRecord::Erasure { .. } => "erasure",
            AuditRecord::Activation { .. } => "activation",
            AuditRecord::Complaint { .. } => "complaint",
            AuditRecord::RetentionPurge { .. } => "retention_purge",
            AuditRecord::KeyRotation { .. } => "key_rotation",
            AuditRecord::FairnessAudit { .. } => "fairness_audit",
        }
    }

    /// The canonical bytes of the record: JSON with keys in sorted order at every level, no
    /// insignificant whitespace, and floats as fixed four-decimal strings (floats have no single
    /// canonical text form).
    pub fn encode(&self) -> Vec<u8> {
        let mut value = match self {
            AuditRecord::Decision(d) => json!({
                "message_id": d.message_id,
                "conversation_id": d.conversation_id,
                "customer_hash": d.customer_hash,
                "channel": d.channel,
                "received_at_ms": d.received_at_ms,
                "route": d.route,
                "rule": d.rule,
                "language": d.language,
                "language_confidence": format!("{:.4}", d.language_confidence),
                "pii_kinds": d.pii_kinds,
                "pseudonymised_text": d.pseudonymised_text,
                "explanation": d.explanation,
                "reason_codes": d.reason_codes,
                "escalation_reason": d.escalation_reason,
                "intent": d.intent,
                "reply_article": d.reply_article,
                "versions": decision_versions(d),
            }),
            AuditRecord::Override {
                at_ms,
                message_id,
                actor_hash,
                field,
                from,
                to,
                reason,
            } => json!({
                "at_ms": at_ms, "message_id": message_id, "actor_hash": actor_hash,
                "field": field, "from": from, "to": to, "reason": reason,
            }),
            AuditRecord::Feedback {
                at_ms,
                message_id,
                actor_hash,
                correct,
                comment,
            } => json!({
                "at_ms": at_ms, "message_id": message_id, "actor_hash": actor_hash, "correct": correct, "comment": comment,
            }),
            AuditRecord::Escalation {
                at_ms,
                conversation_id,
                reason_code,
                detail,
            } => json!({
                "at_ms": at_ms, "conversation_id": conversation_id, "reason_code": reason_code, "detail": detail,
            }),
            AuditRecord::OptOut {
                at_ms,
                customer_hash,
                opted_out,
                source,
            } => json!({
                "at_ms": at_ms, "customer_hash": customer_hash, "opted_out": opted_out, "source": source,
            }),
            AuditRecord::ConsentChange {
                at_ms,
                customer_hash,
                purpose,
                granted,
                source,
                policy_text_version,
            } => json!({
                "at_ms": at_ms, "customer_hash": customer_hash, "purpose": purpose, "granted": granted,
                "source": source, "policy_text_version": policy_text_version,
            }),
            AuditRecord::PiiReveal {
                at_ms,
                actor_hash,
                role,
                conversation_id,
                token,
                reason,
            } => json!({
                "at_ms": at_ms, "actor_hash": actor_hash, "role": role, "conversation_id": conversation_id,
                "token": token, "reason": reason,
            }),
            AuditRecord::Erasure {
                at_ms,
                customer_hash,
                actor_hash,
                scope,
            } => json!({
                "at_ms": at_ms, "customer_hash": customer_hash, "actor_hash": actor_hash, "scope": scope,
            }),
            AuditRecord::Activation {
                at_ms,
                artifact,
                name,
                version,
                previous_version,
                actor,
            } => json!({
                "at_ms": at_ms, "artifact": artifact, "name": name, "version": version,
                "previous_version": previous_version, "actor": actor,
            }),
            AuditRecord::Complaint {
                at_ms,
                complaint_id,
                customer_hash,
                message_id,
                status,
            } => json!({
                "at_ms": at_ms, "complaint_id": complaint_id, "customer_hash": customer_hash,
                "message_id": message_id, "status": status,
            }),
            AuditRecord::RetentionPurge {
                at_ms,
                class,
                cutoff_ms,
                count,
            } => json!({
                "at_ms": at_ms, "class": class, "cutoff_ms": cutoff_ms, "count": count,
            }),
            AuditRecord::KeyRotation {
                at_ms,
                key_id,
                rewrapped,
                remaining,
            } => json!({
                "at_ms": at_ms, "key_id": key_id, "rewrapped": rewrapped, "remaining": remaining,
            }),
            AuditRecord::FairnessAudit {
                at_ms,
                window_from_ms,
                window_to_ms,
                decisions,
                min_group_size,
                trigger,
                alerts,
            } => json!({
                "at_ms": at_ms, "window_from_ms": window_from_ms, "window_to_ms": window_to_ms,
                "decisions": decisions, "min_group_size": min_group_size, "trigger": trigger,
                "alerts": alerts.iter().map(FairnessAlert::to_json).collect::<Vec<_>>(),
            }),
        };
        if let Value::Object(map) = &mut value {
            map.insert("v".to_owned(), json!(RECORD_VERSION));
            map.insert("type".to_owned(), json!(self.kind()));
        }
        // serde_json's map is ordered by key (the `preserve_order` feature is off), which makes
        // this encoding canonical.
        serde_json::to_vec(&value).expect("a JSON value always serialises")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision() -> AuditRecord {
        AuditRecord::Decision(Box::new(DecisionRecord {
            message_id: "m".into(),
            conversation_id: "c".into(),
            customer_hash: "h".into(),
            channel: "chat".into(),
            received_at_ms: 1,
            route: "human".into(),
            rule: "human_requested".into(),
            language: Some("da".into()),
            language_confidence: 0.123456,
            pii_kinds: vec!["EMAIL".into()],
            pseudonymised_text: "hej <EMAIL_1>".into(),
            explanation: "x".into(),
            reason_codes: vec!["policy_rule_matched".into()],
            pipeline_version: "p".into(),
            policy_version: "q".into(),
            language_model_version: "l".into(),
            escalation_reason: Some("human_requested".into()),
            intent: None,
            reply_article: None,
            component_versions: vec![("intent_model".into(), "i".into())],
        }))
    }

    #[test]
    fn decision_encoding_is_canonical_and_sorted() {
        let text = String::from_utf8(decision().encode()).unwrap();
        assert!(
            text.starts_with(r#"{"channel":"chat","conversation_id":"c","customer_hash":"h","escalation_reason":"human_requested","explanation":"x","intent":null,"language":"da","language_confidence":"0.1235""#),
            "{text}"
        );
        assert!(text.contains(r#""type":"decision","v":2,"versions":{"intent_model":"i","language_model":"l","pipeline":"p","policy":"q"}}"#), "{text}");
        assert_eq!(decision().encode(), decision().encode());
    }

    #[test]
    fn every_record_type_encodes_with_its_type_and_version() {
        let records = [
            decision(),
            AuditRecord::Override {
                at_ms: 1,
                message_id: "m".into(),
                actor_hash: "a".into(),
                field: "route".into(),
                from: "x".into(),
                to: "y".into(),
                reason: "r".into(),
            },
            AuditRecord::Feedback {
                at_ms: 1,
                message_id: "m".into(),
                actor_hash: "a".into(),
                correct: false,
                comment: "c".into(),
            },
            AuditRecord::Escalation {
                at_ms: 1,
                conversation_id: "c".into(),
                reason_code: "customer_asked_for_human".into(),
                detail: "d".into(),
            },
            AuditRecord::OptOut {
                at_ms: 1,
                customer_hash: "h".into(),
                opted_out: true,
                source: "api".into(),
            },
            AuditRecord::ConsentChange {
                at_ms: 1,
                customer_hash: "h".into(),
                purpose: "ai_triage".into(),
                granted: true,
                source: "api".into(),
                policy_text_version: "1".into(),
            },
            AuditRecord::PiiReveal {
                at_ms: 1,
                actor_hash: "a".into(),
                role: "dpo".into(),
                conversation_id: "c".into(),
                token: "<EMAIL_1>".into(),
                reason: "r".into(),
            },
            AuditRecord::Erasure {
                at_ms: 1,
                customer_hash: "h".into(),
                actor_hash: "a".into(),
                scope: vec!["vault".into()],
            },
            AuditRecord::Activation {
                at_ms: 1,
                artifact: "policy".into(),
                name: "policy.toml".into(),
                version: "sha256:1".into(),
                previous_version: None,
                actor: "startup".into(),
            },
            AuditRecord::Complaint {
                at_ms: 1,
                complaint_id: "k".into(),
                customer_hash: "h".into(),
                message_id: None,
                status: "opened".into(),
            },
            fairness_audit(),
        ];
        let mut kinds = Vec::new();
        for r in &records {
            let v: Value = serde_json::from_slice(&r.encode()).unwrap();
            assert_eq!(v["v"], 2);
            assert_eq!(v["type"], r.kind());
            let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
            let mut sorted = keys.clone();
            sorted.sort();
            assert_eq!(keys, sorted);
            kinds.push(r.kind());
        }
        kinds.dedup();
        assert_eq!(kinds.len(), 11);
    }

    fn fairness_audit() -> AuditRecord {
        AuditRecord::FairnessAudit {
            at_ms: 3,
            window_from_ms: 1,
            window_to_ms: 2,
            decisions: 400,
            min_group_size: 30,
            trigger: "schedule".into(),
            alerts: vec![FairnessAlert {
                attribute: "region".into(),
                outcome: "escalated".into(),
                class: "true".into(),
                lowest_group: "east".into(),
                lowest_value: 0.1,
                highest_group: "north".into(),
                highest_value: 0.4,
                violations: vec![("demographic_parity_ratio".into(), 0.25, 0.8)],
            }],
        }
    }

    #[test]
    fn fairness_audit_encoding_is_canonical_with_fixed_decimals() {
        let text = String::from_utf8(fairness_audit().encode()).unwrap();
        assert_eq!(
            text,
            r#"{"alerts":[{"attribute":"region","class":"true","highest_group":"north","highest_value":"0.4000","lowest_group":"east","lowest_value":"0.1000","outcome":"escalated","violations":[{"limit":"0.8000","metric":"demographic_parity_ratio","value":"0.2500"}]}],"at_ms":3,"decisions":400,"min_group_size":30,"trigger":"schedule","type":"fairness_audit","v":2,"window_from_ms":1,"window_to_ms":2}"#
        );
    }

    #[test]
    fn retention_and_key_records_encode_canonically_without_personal_data() {
        let purge = AuditRecord::RetentionPurge {
            at_ms: 5,
            class: "message_originals".into(),
            cutoff_ms: 3,
            count: 2,
        };
        assert_eq!(
            String::from_utf8(purge.encode()).unwrap(),
            r#"{"at_ms":5,"class":"message_originals","count":2,"cutoff_ms":3,"type":"retention_purge","v":2}"#
        );
        let rotation = AuditRecord::KeyRotation {
            at_ms: 5,
            key_id: "0123456789abcdef".into(),
            rewrapped: 7,
            remaining: 0,
        };
        assert_eq!(
            String::from_utf8(rotation.encode()).unwrap(),
            r#"{"at_ms":5,"key_id":"0123456789abcdef","remaining":0,"rewrapped":7,"type":"key_rotation","v":2}"#
        );
    }
}
