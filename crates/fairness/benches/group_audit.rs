//! The group audit over one million synthetic decisions: `group_audit` (every attribute,
//! outcome and class, no bootstrap) and the `timeline` over a 30-day window.
//!
//! `cargo bench -p candor-fairness --bench group_audit`; results are written to
//! `docs/BENCHMARKS.md` by hand. `CANDOR_BENCH_ROWS` changes the number of rows (default
//! 1,000,000). The cost of gathering rows from a store is measured by
//! `crates/pipeline/benches/fairness_gather.rs`.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Duration;

use candor_fairness::timeline::{DAY_MS, TimelineConfig, timeline};
use candor_fairness::{AuditConfig, AuditRow, group_audit};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const LANGUAGES: [&str; 4] = ["da", "nl", "de", "en"];
const CHANNELS: [&str; 3] = ["chat", "email", "api"];
const TENURE: [&str; 3] = ["new", "regular", "long"];
const REGIONS: [&str; 8] = ["r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8"];
const BANDS: [&str; 4] = ["low", "normal", "high", "urgent"];
const WINDOW_DAYS: i64 = 30;

/// SplitMix64, so the rows are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

/// Rows as the store gathering makes them: four attributes, every outcome, spread over the
/// window; region `r1` is escalated twice as often, so the audit has an alert to write.
fn rows(n: usize) -> Vec<AuditRow> {
    let mut rng = Rng(7);
    (0..n)
        .map(|_| {
            let region = REGIONS[rng.below(REGIONS.len())];
            let escalated = rng.chance(if region == "r1" { 0.4 } else { 0.2 });
            AuditRow {
                groups: BTreeMap::from([
                    (
                        "language".to_owned(),
                        LANGUAGES[rng.below(LANGUAGES.len())].to_owned(),
                    ),
                    (
                        "channel".to_owned(),
                        CHANNELS[rng.below(CHANNELS.len())].to_owned(),
                    ),
                    (
                        "tenure_band".to_owned(),
                        TENURE[rng.below(TENURE.len())].to_owned(),
                    ),
                    ("region".to_owned(), region.to_owned()),
                ]),
                escalated,
                bot_answered: !escalated && rng.chance(0.7),
                priority_band: escalated.then(|| BANDS[rng.below(BANDS.len())].to_owned()),
                minutes_to_person: escalated.then(|| 1.0 + rng.below(120) as f64),
                overridden: rng.chance(0.03),
                at_ms: Some(rng.below((WINDOW_DAYS * DAY_MS) as usize) as i64),
            }
        })
        .collect()
}

fn audit(c: &mut Criterion) {
    let n: usize = std::env::var("CANDOR_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let rows = rows(n);
    let config = AuditConfig::default();
    let mut group = c.benchmark_group("fairness");
    // Each iteration takes about a second; ten samples keep a run on a shared 2-core machine
    // to a few minutes.
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function(format!("group_audit/{n}"), |b| {
        b.iter(|| black_box(group_audit(black_box(&rows), &config)));
    });
    let window = TimelineConfig {
        from_ms: 0,
        to_ms: WINDOW_DAYS * DAY_MS - 1,
        min_group_size: config.min_group_size,
    };
    group.bench_function(format!("timeline/{n}"), |b| {
        b.iter(|| black_box(timeline(black_box(&rows), &window)));
    });
    group.finish();
}

criterion_group!(benches, audit);
criterion_main!(benches);
