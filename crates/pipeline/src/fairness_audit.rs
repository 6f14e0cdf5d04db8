//! Group audits of the decisions Candor has logged: gathering them from the store as the
//! fairness crate's [`AuditRow`]s, auditing a window, and recording that an audit ran.
//!
//! The audit log is the one place that lists every decision in order; messages and
//! conversation events add what the records leave out (metadata groups, priority, pick-up
//! time). Groups are language, channel and the metadata keys in [`METADATA_GROUPS`]: only what
//! the integration declared, never anything inferred about a person.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

use candor_audit::{AuditRecord, FairnessAlert};
use candor_core::{Route, Timestamp};
use candor_fairness::timeline::{TimelineConfig, timeline};
use candor_fairness::{AuditConfig, AuditRow, GroupAuditReport, group_audit};
use candor_store::{ConversationState, EventKind, Store, StoreError};
use serde_json::Value;
use uuid::Uuid;

/// Metadata keys of a message that become audit groups (besides language and channel).
pub const METADATA_GROUPS: [&str; 2] = ["tenure_band", "region"];

/// How many audit entries are read per query.
const BATCH: u32 = 1000;

/// The decisions to audit: those received in `[from, to]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Start, inclusive.
    pub from: Timestamp,
    /// End, inclusive.
    pub to: Timestamp,
}

/// Where gathering is, for progress bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GatherProgress {
    /// Audit entries read, of the log's size.
    Log {
        /// Read so far.
        read: u64,
        /// The log's size.
        of: u64,
    },
    /// Decisions completed with their message and conversation, of those in the window.
    Decisions {
        /// Done so far.
        read: u64,
        /// Decisions in the window.
        of: u64,
    },
}

/// Why an audit could not be run or recorded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FairnessAuditError {
    /// The store failed.
    #[error("storage failed: {0}")]
    Store(#[from] StoreError),
    /// An audit entry does not hold a JSON record: the log is damaged (`candor audit verify`).
    #[error("audit entry {0} is not JSON")]
    NotJson(u64),
}

/// A period that is not a whole number followed by `m`, `h`, `d` or `w`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a period (a whole number and m, h, d or w: 30d, 12h, 2w, 90m)")]
pub struct PeriodError(pub String);

/// Parses a period such as `30d`, `12h`, `2w` or `90m`.
///
/// # Errors
///
/// When the text is not a whole number followed by `m`, `h`, `d` or `w`.
pub fn parse_period(s: &str) -> Result<Duration, PeriodError> {
    let s = s.trim();
    let bad = || PeriodError(s.to_owned());
    let Some(unit) = s.chars().last() else {
        return Err(bad());
    };
    let n = &s[..s.len() - unit.len_utf8()];
    // `u64::from_str` accepts a leading `+`; a period is digits only.
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let n: u64 = n.parse().map_err(|_| bad())?;
    let minutes = match unit {
        'm' => 1,
        'h' => 60,
        'd' => 24 * 60,
        'w' => 7 * 24 * 60,
        _ => return Err(bad()),
    };
    Ok(Duration::from_secs(n.saturating_mul(minutes * 60)))
}

impl Window {
    /// The `period` up to `now`.
    pub fn last(period: Duration, now: Timestamp) -> Window {
        let ms = i64::try_from(period.as_millis()).unwrap_or(i64::MAX);
        Window {
            from: Timestamp(now.0.saturating_sub(ms)),
            to: now,
        }
    }
}

/// The priority band of a queue priority score.
///
/// At decision time the score is `60 / service_level_minutes + 0.5 × frustration + 0.5 ×
/// urgent` (`priority.rs`), so the bands' lower bounds are the scores of a calm request with a
/// 60, 120 and 240 minute service level: a message is in band `urgent` when its needs rank it
/// with an hour's service level or sooner, and so on.
pub fn priority_band(score: f64) -> &'static str {
    if score >= 1.0 {
        "urgent"
    } else if score >= 0.5 {
        "high"
    } else if score >= 0.25 {
        "normal"
    } else {
        "low"
    }
}

/// One decision record of the audit log, read as JSON (`docs/specs/audit-record.md`).
#[derive(Debug)]
struct LoggedDecision {
    message_id: String,
    conversation_id: String,
    received_at: i64,
    groups: BTreeMap<String, String>,
    escalated: bool,
    bot_answered: bool,
}

fn logged_decision(record: &Value) -> Option<LoggedDecision> {
    let s = |k: &str| record.get(k).and_then(Value::as_str);
    let mut groups = BTreeMap::new();
    groups.insert(
        "language".to_owned(),
        s("language").unwrap_or("unknown").to_owned(),
    );
    groups.insert("channel".to_owned(), s("channel")?.to_owned());
    let route = s("route")?;
    Some(LoggedDecision {
        message_id: s("message_id")?.to_owned(),
        conversation_id: s("conversation_id")?.to_owned(),
        received_at: record.get("received_at_ms")?.as_i64()?,
        groups,
        escalated: route == Route::Human.as_str(),
        bot_answered: route == Route::Bot.as_str() && s("reply_article").is_some(),
    })
}

/// The [`METADATA_GROUPS`] of a message's metadata, when they are strings or numbers.
fn metadata_groups(metadata: &str) -> Vec<(String, String)> {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(metadata) else {
        return Vec::new();
    };
    METADATA_GROUPS
        .iter()
        .filter_map(|k| match map.get(*k)? {
            Value::String(s) if !s.is_empty() => Some((k.to_string(), s.clone())),
            Value::Number(n) => Some((k.to_string(), n.to_string())),
            _ => None,
        })
        .collect()
}

/// Reads every decision received in `window` from the audit log, with its groups and outcomes.
///
/// # Errors
///
/// The store fails, or an audit entry is not JSON.
pub async fn gather_rows(
    store: &dyn Store,
    window: Window,
    mut progress: impl FnMut(GatherProgress),
) -> Result<Vec<AuditRow>, FairnessAuditError> {
    let size = store.audit_size().await?;
    let mut decisions = Vec::new();
    let mut overridden = HashSet::new();
    let mut from = 0;
    while from < size {
        let entries = store.audit_entries(from, BATCH).await?;
        if entries.is_empty() {
            break;
        }
        for e in &entries {
            let record = serde_json::from_slice::<Value>(&e.payload)
                .map_err(|_| FairnessAuditError::NotJson(e.index))?;
            match record.get("type").and_then(Value::as_str) {
                Some("decision") => {
                    if let Some(d) = logged_decision(&record)
                        && (window.from.0..=window.to.0).contains(&d.received_at)
                    {
                        decisions.push(d);
                    }
                }
                Some("override") => {
                    if let Some(id) = record.get("message_id").and_then(Value::as_str) {
                        overridden.insert(id.to_owned());
                    }
                }
                _ => {}
            }
        }
        from += entries.len() as u64;
        progress(GatherProgress::Log {
            read: from,
            of: size,
        });
    }

    let total = decisions.len() as u64;
    let mut pickups: HashMap<String, Vec<Timestamp>> = HashMap::new();
    let mut rows = Vec::with_capacity(decisions.len());
    for (n, mut d) in decisions.into_iter().enumerate() {
        let mut band = None;
        // An erased message is gone from the store; its record still counts, without metadata.
        if let Ok(id) = Uuid::parse_str(&d.message_id)
            && let Some(m) = store.message(id).await?
        {
            if let Some(meta) = &m.metadata {
                d.groups.extend(metadata_groups(meta));
            }
            band = m
                .decision
                .priority
                .as_ref()
                .map(|p| priority_band(p.score).to_owned());
        }
        let minutes_to_person = if d.escalated {
            if !pickups.contains_key(&d.conversation_id) {
                let claimed = store
                    .events(&d.conversation_id)
                    .await?
                    .into_iter()
                    .filter(|e| {
                        e.kind == EventKind::State
                            && e.to_state == Some(ConversationState::Assigned)
                    })
                    .map(|e| e.at)
                    .collect();
                pickups.insert(d.conversation_id.clone(), claimed);
            }
            pickups[&d.conversation_id]
                .iter()
                .find(|at| at.0 >= d.received_at)
                .map(|at| (at.0 - d.received_at) as f64 / 60_000.0)
        } else {
            None
        };
        rows.push(AuditRow {
            overridden: overridden.contains(&d.message_id),
            groups: d.groups,
            escalated: d.escalated,
            bot_answered: d.bot_answered,
            priority_band: band,
            minutes_to_person,
            at_ms: Some(d.received_at),
        });
        progress(GatherProgress::Decisions {
            read: n as u64 + 1,
            of: total,
        });
    }
    Ok(rows)
}

/// Audits the decisions received in `window` per group, with the timeline over the window.
///
/// # Errors
///
/// As [`gather_rows`].
pub async fn audit_window(
    store: &dyn Store,
    window: Window,
    config: &AuditConfig,
    progress: impl FnMut(GatherProgress),
) -> Result<GroupAuditReport, FairnessAuditError> {
    let rows = gather_rows(store, window, progress).await?;
    Ok(audit_rows(&rows, window, config))
}

/// The group audit of rows already gathered, with the timeline over `window`.
pub fn audit_rows(rows: &[AuditRow], window: Window, config: &AuditConfig) -> GroupAuditReport {
    let mut report = group_audit(rows, config);
    report.timeline = Some(timeline(
        rows,
        &TimelineConfig {
            from_ms: window.from.0,
            to_ms: window.to.0,
            min_group_size: config.min_group_size,
        },
    ));
    report
}

/// The audit record of a finished audit; `trigger` says what ran it (`schedule`, `api`,
/// `cli`).
pub fn audit_record(
    report: &GroupAuditReport,
    window: Window,
    trigger: &str,
    at: Timestamp,
) -> AuditRecord {
    AuditRecord::FairnessAudit {
        at_ms: at.0,
        window_from_ms: window.from.0,
        window_to_ms: window.to.0,
        decisions: report.rows as u64,
        min_group_size: report.config.min_group_size as u64,
        trigger: trigger.to_owned(),
        alerts: report
            .alerts
            .iter()
            .map(|a| FairnessAlert {
                attribute: a.attribute.clone(),
                outcome: a.outcome.clone(),
                class: a.class.clone(),
                lowest_group: a.lowest_group.clone(),
                lowest_value: a.lowest_value,
                highest_group: a.highest_group.clone(),
                highest_value: a.highest_value,
                violations: a
                    .violations
                    .iter()
                    .map(|v| (v.metric.clone(), v.value, v.limit))
                    .collect(),
            })
            .collect(),
    }
}

/// Appends the audit record of a finished audit to the log; returns its leaf index.
///
/// # Errors
///
/// The store fails.
pub async fn record_audit(
    store: &dyn Store,
    report: &GroupAuditReport,
    window: Window,
    trigger: &str,
    at: Timestamp,
) -> Result<u64, FairnessAuditError> {
    let record = audit_record(report, window, trigger, at);
    Ok(store.append_audit(&[record.encode()], at).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn periods_parse_in_minutes_hours_days_and_weeks() {
        assert_eq!(parse_period("90m"), Ok(Duration::from_secs(90 * 60)));
        assert_eq!(parse_period("12h"), Ok(Duration::from_secs(12 * 3600)));
        assert_eq!(parse_period("30d"), Ok(Duration::from_secs(30 * 86_400)));
        assert_eq!(parse_period("2w"), Ok(Duration::from_secs(14 * 86_400)));
        for bad in ["", "d", "30", "30y", "-1d", "+1d", "1.5d", "é"] {
            assert!(parse_period(bad).is_err(), "{bad}");
        }
        let w = Window::last(Duration::from_secs(60), Timestamp(100_000));
        assert_eq!((w.from, w.to), (Timestamp(40_000), Timestamp(100_000)));
    }

    #[test]
    fn bands_follow_the_service_levels() {
        // 60 / SLA for a calm, non-urgent request.
        assert_eq!(priority_band(60.0 / 60.0), "urgent");
        assert_eq!(priority_band(60.0 / 120.0), "high");
        assert_eq!(priority_band(60.0 / 240.0), "normal");
        assert_eq!(priority_band(60.0 / 480.0), "low");
        // Urgency lifts a 480-minute request by two bands.
        assert_eq!(priority_band(60.0 / 480.0 + 0.5), "high");
    }

    #[test]
    fn metadata_groups_take_only_the_known_keys() {
        let g = metadata_groups(r#"{"tenure_band": "new", "region": 7, "name": "x", "vip": true}"#);
        assert_eq!(
            g,
            [
                ("tenure_band".to_owned(), "new".to_owned()),
                ("region".to_owned(), "7".to_owned())
            ]
        );
        assert!(metadata_groups("not json").is_empty());
        assert!(metadata_groups(r#"{"region": ""}"#).is_empty());
    }

    #[test]
    fn decision_records_give_language_channel_and_outcomes() {
        let record = json!({
            "type": "decision", "message_id": "m1", "conversation_id": "c1",
            "received_at_ms": 5, "channel": "chat", "language": null, "route": "bot",
            "reply_article": "password-reset@1",
        });
        let d = logged_decision(&record).unwrap();
        assert_eq!(d.groups["language"], "unknown");
        assert_eq!(d.groups["channel"], "chat");
        assert!(d.bot_answered && !d.escalated);
        let mut human = record.clone();
        human["route"] = json!("human");
        human["reply_article"] = Value::Null;
        let d = logged_decision(&human).unwrap();
        assert!(d.escalated && !d.bot_answered);
        assert!(logged_decision(&json!({"type": "decision"})).is_none());
    }

    #[test]
    fn the_record_carries_the_window_and_every_alert() {
        let rows: Vec<AuditRow> = (0..200)
            .map(|i| AuditRow {
                groups: BTreeMap::from([(
                    "region".to_owned(),
                    if i < 100 { "north" } else { "south" }.to_owned(),
                )]),
                escalated: if i < 100 { i % 10 < 4 } else { i % 10 < 1 },
                bot_answered: false,
                priority_band: None,
                minutes_to_person: None,
                overridden: false,
                at_ms: Some(1_000 + i),
            })
            .collect();
        let window = Window {
            from: Timestamp(0),
            to: Timestamp(10_000),
        };
        let report = audit_rows(&rows, window, &AuditConfig::default());
        assert_eq!(report.alerts.len(), 1);
        assert!(report.timeline.is_some());
        let record = audit_record(&report, window, "cli", Timestamp(20_000));
        let v: Value = serde_json::from_slice(&record.encode()).unwrap();
        assert_eq!(v["type"], "fairness_audit");
        assert_eq!(
            (&v["window_from_ms"], &v["window_to_ms"]),
            (&json!(0), &json!(10_000))
        );
        assert_eq!(v["decisions"], 200);
        assert_eq!(v["trigger"], "cli");
        assert_eq!(v["alerts"][0]["attribute"], "region");
        assert_eq!(v["alerts"][0]["highest_group"], "north");
        assert_eq!(v["alerts"][0]["lowest_value"], "0.1000");
    }
}
