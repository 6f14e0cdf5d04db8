//! Audit ledger throughput: single and batched appends, proof generation and full
//! verification at a large size, on SQLite and PostgreSQL.
//!
//! `cargo bench -p candor --bench ledger` (release). `LEDGER_BENCH_N` sets the large size
//! (default 1,000,000); PostgreSQL is the local server (`CANDOR_TEST_DATABASE_URL`).

use std::sync::Arc;
use std::time::Instant;

use candor_audit::CheckpointSigner;
use candor_core::Timestamp;
use candor_pipeline::{Ledger, verify_ledger};
use candor_store::testing::ScratchDatabase;
use candor_store::{PgStore, SqliteStore, SqliteSync, Store};

/// A realistic record size: a decision record with a short pseudonymised message is ~700 bytes.
fn payload(i: u64) -> Vec<u8> {
    format!(
        "{{\"channel\":\"chat\",\"conversation_id\":\"019a4f0e-{i:012}\",\"customer_hash\":\"{:032x}\",\"explanation\":\"Sent to a person (human queue) by policy rule `everyone-to-a-person`: Every message goes to a person until bot answers are switched on.\",\"language\":\"da\",\"language_confidence\":\"0.9874\",\"message_id\":\"019a4f0e-{i:012}\",\"pii_kinds\":[\"EMAIL\",\"PHONE\"],\"pseudonymised_text\":\"Hej, jeg har ikke modtaget min pakke endnu. Min e-mail er <EMAIL_1> og mit nummer er <PHONE_1>.\",\"reason_codes\":[\"language_identified\",\"pii_pseudonymised\",\"policy_rule_matched\"],\"received_at_ms\":{i},\"route\":\"human_queue\",\"rule\":\"everyone-to-a-person\",\"type\":\"decision\",\"v\":1,\"versions\":{{\"language_model\":\"lingua-1.8/da+nl+de+en\",\"pipeline\":\"candor-pipeline/0.1.0\",\"policy\":\"sha256:3f1c9a0b7d2e4f61\"}}}}",
        u128::from(i) * 0x9e37_79b9_7f4a_7c15
    )
    .into_bytes()
}

async fn run(name: &str, store: Arc<dyn Store>, n: u64) {
    let now = Timestamp(1_700_000_000_000);
    // Single appends: one transaction each, as a lone audit event is written.
    let singles = 2_000u64;
    let started = Instant::now();
    for i in 0..singles {
        store.append_audit(&[payload(i)], now).await.unwrap();
    }
    let single_rate = singles as f64 / started.elapsed().as_secs_f64();

    // Batched appends up to n.
    let batch = 10_000u64;
    let started = Instant::now();
    let mut at = singles;
    while at < n {
        let end = (at + batch).min(n);
        let payloads: Vec<Vec<u8>> = (at..end).map(payload).collect();
        store.append_audit(&payloads, now).await.unwrap();
        at = end;
    }
    let batched_rate = (n - singles) as f64 / started.elapsed().as_secs_f64();

    let ledger = Ledger::new(
        store.clone(),
        CheckpointSigner::new("bench-log", &[3; 32]).unwrap(),
    );
    let started = Instant::now();
    ledger.checkpoint(now).await.unwrap();
    let checkpoint_ms = started.elapsed().as_secs_f64() * 1e3;

    let proofs = 1_000u64;
    let started = Instant::now();
    for k in 0..proofs {
        let index = (k * 7_919 + 13) % n;
        let p = ledger.entry(index, Some(n)).await.unwrap();
        assert!(!p.proof.is_empty());
    }
    let inclusion_us = started.elapsed().as_secs_f64() * 1e6 / proofs as f64;
    let started = Instant::now();
    for k in 1..=proofs {
        let from = (k * 997) % (n - 1) + 1;
        ledger.consistency(from, n).await.unwrap();
    }
    let consistency_us = started.elapsed().as_secs_f64() * 1e6 / proofs as f64;

    let started = Instant::now();
    let report = verify_ledger(store.as_ref(), &ledger.verifier(), |_| {})
        .await
        .unwrap();
    let verify_s = started.elapsed().as_secs_f64();
    assert_eq!(report.entries, n);

    println!(
        "| {name} | {n} | {single_rate:.0} | {batched_rate:.0} | {checkpoint_ms:.1} | {inclusion_us:.0} | {consistency_us:.0} | {verify_s:.2} |"
    );
}

#[tokio::main]
async fn main() {
    let n: u64 = std::env::var("LEDGER_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    println!(
        "| backend | entries | single appends/s | batched appends/s (10k per transaction) | checkpoint at n (ms) | inclusion proof (µs, incl. fetch) | consistency proof (µs) | verify all (s) |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (label, sync) in [
        ("SQLite (synchronous=full)", SqliteSync::Full),
        ("SQLite (synchronous=normal)", SqliteSync::Normal),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path(), sync).await.unwrap();
        run(label, Arc::new(store), n).await;
    }
    let db = ScratchDatabase::create().await;
    let store = PgStore::connect(&db.url).await.unwrap();
    run("PostgreSQL 15 (loopback)", Arc::new(store), n).await;
}
