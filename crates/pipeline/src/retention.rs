//! Retention per data class (`[retention]` in `policy.toml`) and the purge that enforces it.
//!
//! A purge computes, per class with a retention period, the cutoff `now - days` and removes
//! what is older, in batches; every batch is one transaction that also appends a
//! `retention_purge` audit record, so no data goes unrecorded. A dry run reports the same
//! counts and changes nothing. The audit ledger itself is never purged: it holds no raw
//! personal data, and purging it would break its proofs.

use std::collections::BTreeMap;

use candor_audit::AuditRecord;
use candor_core::Timestamp;
pub use candor_store::{Expired, ExpiredItem, RetentionClass};
use candor_store::{Store, StoreError};

use crate::Pipeline;

/// Items purged per transaction: small enough that the single SQLite writer is never held
/// for long, large enough that an hourly purge is one batch.
pub const PURGE_BATCH: u32 = 1000;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Retention periods in days per class; a class without one is kept until erased.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Retention {
    days: BTreeMap<RetentionClass, u32>,
}

impl Retention {
    /// Validates the `[retention]` table, adding every problem to `problems`.
    pub(crate) fn from_config(
        table: &BTreeMap<String, u32>,
        problems: &mut Vec<String>,
    ) -> Retention {
        let mut days = BTreeMap::new();
        for (name, d) in table {
            match RetentionClass::parse(name) {
                None => problems.push(format!(
                    "retention.{name}: unknown data class (known: {})",
                    RetentionClass::ALL.map(|c| c.as_str()).join(", ")
                )),
                Some(_) if *d == 0 => problems.push(format!(
                    "retention.{name} must be at least 1 day (leave it out to keep the data until erased)"
                )),
                Some(_) if *d > 36_500 => problems.push(format!(
                    "retention.{name} must be at most 36500 days (leave it out to keep the data until erased)"
                )),
                Some(class) => {
                    days.insert(class, *d);
                }
            }
        }
        Retention { days }
    }

    /// A retention from days per class, for tests and tools.
    pub fn from_days(days: impl IntoIterator<Item = (RetentionClass, u32)>) -> Retention {
        Retention {
            days: days.into_iter().collect(),
        }
    }

    /// The period of a class in days; `None`: kept until erased.
    pub fn days(&self, class: RetentionClass) -> Option<u32> {
        self.days.get(&class).copied()
    }

    /// The cutoff of a class as of `now`: items older than it have expired.
    pub fn cutoff(&self, class: RetentionClass, now: Timestamp) -> Option<Timestamp> {
        self.days(class)
            .map(|d| Timestamp(now.millis().saturating_sub(i64::from(d) * DAY_MS)))
    }
}

/// What a purge did (or, dry, would do) to one class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassPurge {
    /// The class.
    pub class: RetentionClass,
    /// Its retention in days; `None`: kept until erased, nothing purged.
    pub days: Option<u32>,
    /// Items older than this expired.
    pub cutoff: Option<Timestamp>,
    /// Items expired (dry run) or purged.
    pub count: u64,
    /// The oldest expired item, found before purging.
    pub oldest: Option<ExpiredItem>,
    /// The audit records of the batches, in order (empty for a dry run or nothing purged).
    pub audit_indexes: Vec<u64>,
}

/// What a purge did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurgeReport {
    /// The time the cutoffs were computed from.
    pub now: Timestamp,
    /// Whether nothing was changed.
    pub dry_run: bool,
    /// Per class, in [`RetentionClass::ALL`] order.
    pub classes: Vec<ClassPurge>,
}

/// Purges what is older than its class's retention as of `now`; with `dry_run`, only counts.
///
/// # Errors
///
/// Storage failure. Batches committed before the failure stay purged and recorded.
pub async fn purge(
    store: &dyn Store,
    retention: &Retention,
    now: Timestamp,
    dry_run: bool,
) -> Result<PurgeReport, StoreError> {
    let mut classes = Vec::with_capacity(RetentionClass::ALL.len());
    for class in RetentionClass::ALL {
        let days = retention.days(class);
        let Some(cutoff) = retention.cutoff(class, now) else {
            classes.push(ClassPurge {
                class,
                days,
                cutoff: None,
                count: 0,
                oldest: None,
                audit_indexes: Vec::new(),
            });
            continue;
        };
        let expired = store.expired(class, cutoff).await?;
        let mut done = ClassPurge {
            class,
            days,
            cutoff: Some(cutoff),
            count: if dry_run { expired.count } else { 0 },
            oldest: expired.oldest,
            audit_indexes: Vec::new(),
        };
        if !dry_run && expired.count > 0 {
            let record = |count: u64| {
                AuditRecord::RetentionPurge {
                    at_ms: now.millis(),
                    class: class.as_str().to_owned(),
                    cutoff_ms: cutoff.millis(),
                    count,
                }
                .encode()
            };
            loop {
                let batch = store
                    .purge_expired(class, cutoff, PURGE_BATCH, now, &record)
                    .await?;
                if batch.count == 0 {
                    break;
                }
                done.count += batch.count;
                done.audit_indexes.extend(batch.audit_index);
            }
        }
        tracing::info!(
            class = class.as_str(),
            days,
            cutoff_ms = cutoff.millis(),
            count = done.count,
            dry_run,
            audit_records = done.audit_indexes.len(),
            "Retention purge"
        );
        classes.push(done);
    }
    Ok(PurgeReport {
        now,
        dry_run,
        classes,
    })
}

impl Pipeline {
    /// Purges by the policy's retention as of `now` (see [`purge`]).
    ///
    /// # Errors
    ///
    /// Storage failure.
    pub async fn purge_expired(
        &self,
        now: Timestamp,
        dry_run: bool,
    ) -> Result<PurgeReport, StoreError> {
        purge(self.store.as_ref(), &self.policy.retention, now, dry_run).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_validated_with_every_problem_named() {
        let table: BTreeMap<String, u32> = [
            ("message_originals".to_owned(), 30),
            ("decisions".to_owned(), 0),
            ("originals".to_owned(), 5),
            ("feedback".to_owned(), 40_000),
        ]
        .into();
        let mut problems = Vec::new();
        let r = Retention::from_config(&table, &mut problems);
        let all = problems.join("\n");
        assert!(
            all.contains("retention.originals: unknown data class"),
            "{all}"
        );
        assert!(
            all.contains("retention.decisions must be at least 1 day"),
            "{all}"
        );
        assert!(
            all.contains("retention.feedback must be at most 36500"),
            "{all}"
        );
        assert_eq!(r.days(RetentionClass::MessageOriginals), Some(30));
        assert_eq!(r.days(RetentionClass::PseudonymisedText), None);
    }

    #[test]
    fn the_cutoff_is_now_minus_the_period() {
        let r = Retention::from_days([(RetentionClass::Decisions, 2)]);
        assert_eq!(
            r.cutoff(RetentionClass::Decisions, Timestamp(3 * DAY_MS)),
            Some(Timestamp(DAY_MS))
        );
        assert_eq!(
            r.cutoff(RetentionClass::Feedback, Timestamp(3 * DAY_MS)),
            None
        );
    }
}
