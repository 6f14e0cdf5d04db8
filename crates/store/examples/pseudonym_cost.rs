//! What one call of `pseudonym_ordinals` costs per scope and backend: the write transaction
//! of the pseudonymise stage. Messages of 50 customers, each in 5 conversations, ask for two
//! values: one the customer wrote before, and every fourth time a new one.
//!
//! `cargo run --release -p candor-store --example pseudonym_cost` (PostgreSQL at
//! `CANDOR_TEST_DATABASE_URL` or 127.0.0.1:5432).

use std::sync::Arc;
use std::time::Instant;

use candor_core::{EntityKind, Timestamp};
use candor_store::testing::ScratchDatabase;
use candor_store::{PgStore, PseudonymScope, SqliteStore, SqliteSync, Store};

const CALLS: u32 = 4000;

async fn measure(store: &dyn Store, scope: PseudonymScope) -> f64 {
    let started = Instant::now();
    for i in 0..CALLS {
        let customer = format!("customer-{}", i % 50);
        let conversation = format!("{customer}-conv-{}", (i / 50) % 5);
        let known = [(i % 50) as u8; 32];
        let mut new = [0u8; 32];
        new[..4].copy_from_slice(&i.to_be_bytes());
        let fresh = if i % 4 == 0 { new } else { known };
        store
            .pseudonym_ordinals(
                &conversation,
                &customer,
                scope,
                &[(EntityKind::Email, known), (EntityKind::Email, fresh)],
                Timestamp(1_800_000_000_000 + i64::from(i)),
            )
            .await
            .expect("ordinals");
    }
    started.elapsed().as_secs_f64() * 1e6 / f64::from(CALLS)
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut databases = Vec::new();
    for (backend, sqlite) in [("sqlite", true), ("postgres", false)] {
        for scope in [PseudonymScope::Conversation, PseudonymScope::Customer] {
            // A fresh database per run, so the second scope does not find the first's rows.
            let store: Arc<dyn Store> = if sqlite {
                let path = dir.path().join(scope.as_str());
                Arc::new(
                    SqliteStore::open(&path, SqliteSync::Normal)
                        .await
                        .expect("SQLite"),
                )
            } else {
                let db = ScratchDatabase::create().await;
                let store = PgStore::connect(&db.url).await.expect("PostgreSQL");
                databases.push(db);
                Arc::new(store)
            };
            let micros = measure(store.as_ref(), scope).await;
            println!(
                "{backend:8} {:12} {micros:8.1} µs per call ({CALLS} calls)",
                scope.as_str()
            );
        }
    }
    // Dropping the scratch databases removes them; their pools must close first.
    drop(databases);
}
