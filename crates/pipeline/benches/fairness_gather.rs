//! Gathering the group audit's rows from a store: `fairness_audit::gather_rows` over the
//! decisions of a real SQLite store (one audit-log pass, then each decision's message, and the
//! conversation's events for those that went to a person), and the audit of what it gathered.
//!
//! Seeding goes through `Pipeline::process`, so it takes a while: `CANDOR_BENCH_DECISIONS`
//! (default 2,000) decisions, a quarter of them asking for a person. The audit over a million
//! rows without a store is `crates/fairness/benches/group_audit.rs`.
//!
//! `cargo bench -p candor-pipeline --bench fairness_gather`; results are written to
//! `docs/BENCHMARKS.md` by hand.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use candor_core::{Channel, Timestamp};
use candor_fairness::AuditConfig;
use candor_pii::PseudonymKey;
use candor_pipeline::fairness_audit::{Window, audit_rows, gather_rows};
use candor_pipeline::vault::MasterKey;
use candor_pipeline::{DEFAULT_POLICY, Inbound, Limits, Pipeline, Policy};
use candor_store::{SqliteStore, SqliteSync, Store};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const TEXTS: [&str; 4] = [
    "How do I reset my password? I forgot it.",
    "Where is my parcel? It was due on Monday.",
    "Can I get a copy of my last invoice?",
    "I want to speak to a real person.",
];
const REGIONS: [&str; 4] = ["north", "south", "east", "west"];

fn gather(c: &mut Criterion) {
    let n: usize = std::env::var("CANDOR_BENCH_DECISIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000);
    let rt = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store: Arc<dyn Store> = Arc::new(
        rt.block_on(SqliteStore::open(dir.path(), SqliteSync::Normal))
            .expect("open the SQLite store"),
    );
    let policy = Policy::parse(DEFAULT_POLICY).expect("the shipped policy parses");
    let pipeline = Pipeline::new(
        policy,
        PseudonymKey::from_bytes([7; 32]),
        MasterKey::from_bytes([8; 32]),
        Limits::default(),
        store.clone(),
    )
    .expect("build the pipeline");
    let start = Pipeline::now();
    for i in 0..n {
        let metadata = format!(
            r#"{{"region": "{}", "tenure_band": "{}"}}"#,
            REGIONS[i % REGIONS.len()],
            ["new", "long"][i / 4 % 2]
        );
        rt.block_on(pipeline.process(Inbound {
            customer_id: format!("bench-{i}"),
            conversation_id: None,
            channel: [Channel::Chat, Channel::Email][i / 8 % 2],
            text: TEXTS[i % TEXTS.len()].to_owned(),
            metadata: Some(metadata),
        }))
        .expect("process a message");
    }
    let window = Window {
        from: Timestamp(start.0 - 1),
        to: Timestamp(Pipeline::now().0 + 1),
    };
    let config = AuditConfig::default();

    let mut group = c.benchmark_group("fairness_gather");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(15));
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function(format!("gather_rows/sqlite/{n}"), |b| {
        b.iter(|| {
            let rows = rt
                .block_on(gather_rows(store.as_ref(), window, |_| {}))
                .expect("gather");
            assert_eq!(rows.len(), n);
            black_box(rows)
        });
    });
    let rows = rt
        .block_on(gather_rows(store.as_ref(), window, |_| {}))
        .expect("gather");
    group.bench_function(format!("audit_rows/{n}"), |b| {
        b.iter(|| black_box(audit_rows(black_box(&rows), window, &config)));
    });
    group.finish();
}

criterion_group!(benches, gather);
criterion_main!(benches);
