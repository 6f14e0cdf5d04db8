//! Outcomes per group over time: one series per outcome, attribute and group, bucketed by day
//! (or by week when the window is long).
//!
//! A bucket in which a group has fewer rows than the minimum group size is a gap (`null`), not
//! a value: a rate over three decisions says nothing, and drawing it would invite a judgement
//! the group audit itself refuses to make.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::audit::AuditRow;

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;

/// Windows spanning more days than this are bucketed by week, so a chart keeps few enough
/// points to read.
pub const MAX_DAILY_BUCKETS: i64 = 92;

/// The outcomes followed over time: the three rates and the mean wait. Priority bands are
/// several classes each and stay in the per-group bar charts.
pub const TIMELINE_METRICS: [&str; 4] = [
    "escalated",
    "bot_answered",
    "overridden",
    "minutes_to_person",
];

/// The window and the smallest group a bucket may judge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimelineConfig {
    /// Start of the window, ms since the Unix epoch (inclusive).
    pub from_ms: i64,
    /// End of the window, ms since the Unix epoch (inclusive).
    pub to_ms: i64,
    /// A group with fewer rows in a bucket is a gap in that bucket.
    pub min_group_size: usize,
}

/// One group's values, one per bucket.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    /// Rows counted per bucket (for `minutes_to_person`, rows with a wait).
    pub counts: Vec<usize>,
    /// The rate (or mean minutes) per bucket; `None` (JSON `null`) where the group was below
    /// the minimum size.
    pub values: Vec<Option<f64>>,
}

/// Outcomes per group per bucket.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeline {
    /// `day` or `week`.
    pub bucket: String,
    /// The bucket's length in ms.
    pub bucket_ms: i64,
    /// The start of each bucket, ms since the Unix epoch (UTC midnight).
    pub starts_ms: Vec<i64>,
    /// Each bucket's first day as `YYYY-MM-DD` (UTC).
    pub labels: Vec<String>,
    /// Groups with fewer rows in a bucket are gaps there.
    pub min_group_size: usize,
    /// Outcome -> attribute -> group -> series.
    pub metrics: BTreeMap<String, BTreeMap<String, BTreeMap<String, Series>>>,
}

#[derive(Default, Clone, Copy)]
struct Acc {
    rows: usize,
    escalated: usize,
    bot_answered: usize,
    overridden: usize,
    waits: usize,
    wait_sum: f64,
}

/// Buckets `rows` by the time they carry (`at_ms`) over the window and computes every
/// [`TIMELINE_METRICS`] outcome per attribute and group. Rows without a time or outside the
/// window are left out.
pub fn timeline(rows: &[AuditRow], config: &TimelineConfig) -> Timeline {
    let start = config.from_ms.div_euclid(DAY_MS) * DAY_MS;
    let span = (config.to_ms - start).max(1);
    let (bucket, bucket_ms) = if span > MAX_DAILY_BUCKETS * DAY_MS {
        ("week", 7 * DAY_MS)
    } else {
        ("day", DAY_MS)
    };
    let buckets = usize::try_from((span + bucket_ms - 1) / bucket_ms)
        .unwrap_or(1)
        .max(1);
    let mut acc: HashMap<&str, HashMap<&str, Vec<Acc>>> = HashMap::new();
    for row in rows {
        let Some(at) = row.at_ms else { continue };
        if at < config.from_ms || at > config.to_ms {
            continue;
        }
        let Ok(b) = usize::try_from((at - start) / bucket_ms) else {
            continue;
        };
        let b = b.min(buckets - 1);
        for (attr, group) in &row.groups {
            let cells = acc
                .entry(attr.as_str())
                .or_default()
                .entry(group.as_str())
                .or_insert_with(|| vec![Acc::default(); buckets]);
            let c = &mut cells[b];
            c.rows += 1;
            c.escalated += usize::from(row.escalated);
            c.bot_answered += usize::from(row.bot_answered);
            c.overridden += usize::from(row.overridden);
            if let Some(m) = row.minutes_to_person {
                c.waits += 1;
                c.wait_sum += m;
            }
        }
    }
    let min = config.min_group_size;
    let mut metrics: BTreeMap<String, BTreeMap<String, BTreeMap<String, Series>>> = BTreeMap::new();
    for metric in TIMELINE_METRICS {
        let per_attr = metrics.entry(metric.to_owned()).or_default();
        for (attr, groups) in &acc {
            let per_group = per_attr.entry((*attr).to_owned()).or_default();
            for (group, cells) in groups {
                let (counts, values) = cells
                    .iter()
                    .map(|c| {
                        let (n, sum) = match metric {
                            "escalated" => (c.rows, c.escalated as f64),
                            "bot_answered" => (c.rows, c.bot_answered as f64),
                            "overridden" => (c.rows, c.overridden as f64),
                            _ => (c.waits, c.wait_sum),
                        };
                        let value = (n >= min.max(1)).then(|| sum / n as f64);
                        (n, value)
                    })
                    .unzip();
                per_group.insert((*group).to_owned(), Series { counts, values });
            }
        }
    }
    let starts_ms: Vec<i64> = (0..buckets).map(|i| start + i as i64 * bucket_ms).collect();
    let labels = starts_ms.iter().map(|ms| date(*ms)).collect();
    Timeline {
        bucket: bucket.to_owned(),
        bucket_ms,
        starts_ms,
        labels,
        min_group_size: min,
        metrics,
    }
}

/// `YYYY-MM-DD` (UTC) of a time in ms since the Unix epoch, by Howard Hinnant's
/// `civil_from_days`, so the crate needs no date library for its labels.
pub fn date(ms: i64) -> String {
    let z = ms.div_euclid(DAY_MS) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(at_ms: i64, region: &str, escalated: bool, wait: Option<f64>) -> AuditRow {
        AuditRow {
            groups: BTreeMap::from([("region".to_owned(), region.to_owned())]),
            escalated,
            bot_answered: !escalated,
            priority_band: None,
            minutes_to_person: wait,
            overridden: false,
            at_ms: Some(at_ms),
        }
    }

    #[test]
    fn dates_are_utc_calendar_days() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(951_782_400_000), "2000-02-29");
        assert_eq!(date(1_795_392_000_000 + DAY_MS - 1), "2026-11-23");
        assert_eq!(date(-1), "1969-12-31");
    }

    #[test]
    fn small_groups_are_gaps_and_values_are_per_bucket() {
        let day0 = 20_000 * DAY_MS;
        let mut rows = Vec::new();
        // Day 0: north 4 rows (1 escalated), south 1 row. Day 2: north 2 rows, both escalated.
        for i in 0..4 {
            rows.push(row(day0 + 1000 * i, "north", i == 0, Some(10.0 + i as f64)));
        }
        rows.push(row(day0 + 5, "south", true, None));
        rows.push(row(day0 + 2 * DAY_MS + 7, "north", true, None));
        rows.push(row(day0 + 2 * DAY_MS + 8, "north", true, None));
        // Outside the window and without a time: left out.
        rows.push(row(day0 - 1, "north", true, None));
        let mut untimed = row(day0, "north", true, None);
        untimed.at_ms = None;
        rows.push(untimed);
        let t = timeline(
            &rows,
            &TimelineConfig {
                from_ms: day0,
                to_ms: day0 + 2 * DAY_MS + 10,
                min_group_size: 2,
            },
        );
        assert_eq!(t.bucket, "day");
        assert_eq!(t.starts_ms, [day0, day0 + DAY_MS, day0 + 2 * DAY_MS]);
        let esc = &t.metrics["escalated"]["region"];
        assert_eq!(esc["north"].counts, [4, 0, 2]);
        assert_eq!(esc["north"].values, [Some(0.25), None, Some(1.0)]);
        assert_eq!(esc["south"].values, [None, None, None]);
        let wait = &t.metrics["minutes_to_person"]["region"]["north"];
        assert_eq!(wait.values, [Some(11.5), None, None]);
        assert_eq!(t.metrics.len(), TIMELINE_METRICS.len());
    }

    #[test]
    fn long_windows_are_weekly() {
        let t = timeline(
            &[],
            &TimelineConfig {
                from_ms: 0,
                to_ms: 180 * DAY_MS,
                min_group_size: 30,
            },
        );
        assert_eq!((t.bucket.as_str(), t.bucket_ms), ("week", 7 * DAY_MS));
        assert_eq!(t.starts_ms.len(), 26);
        assert!(t.metrics.values().all(BTreeMap::is_empty));
    }
}
