//! `candor retention purge [--dry-run]` on both backends, with a customer's data moved 100
//! days into the past (the shipped policy keeps originals 90 days).

use std::path::Path;

use candor_store::testing::{ScratchDatabase, Target, backdate_customer};
use candor_store::{SqliteStore, SqliteSync, Store};
use serde_json::{Value, json};

use crate::ServerProcess;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

use crate::run_candor as run;

fn export(dir: &Path, storage: &[String], customer: &str) -> Value {
    let (ok, out, err) = run(dir, storage, &["customer", "export", customer]);
    assert!(ok, "{err}");
    serde_json::from_str(&out).unwrap()
}

fn line<'a>(out: &'a str, class: &str) -> &'a str {
    out.lines()
        .find(|l| l.starts_with(&format!("{class}:")))
        .unwrap_or_else(|| panic!("no line for {class} in:\n{out}"))
}

async fn purges_through_the_cli(dir: &Path, storage: Vec<String>, target: Target) {
    let input = dir.join("in.jsonl");
    let lines = [
        json!({"customer_id": "cli-old", "text": "Hej, min mail er ole.hansen@example.dk"}),
        json!({"customer_id": "cli-young", "text": "Hallo, mijn e-mail is els@example.nl"}),
    ];
    let text: Vec<String> = lines.iter().map(Value::to_string).collect();
    std::fs::write(&input, text.join("\n")).unwrap();
    let (ok, _, err) = run(
        dir,
        &storage,
        &[
            "triage",
            "--input",
            input.to_str().unwrap(),
            "--output",
            "out.jsonl",
        ],
    );
    assert!(ok, "{err}");
    backdate_customer(&target, "cli-old", 100 * DAY_MS).await;
    let sealed = match &target {
        Target::Sqlite(data) => {
            let store = SqliteStore::open(data, SqliteSync::Full).await.unwrap();
            let originals = store.customer_originals("cli-old").await.unwrap();
            Some(originals[0].1.clone())
        }
        Target::Postgres(_) => None,
    };

    let (ok, out, err) = run(dir, &storage, &["retention", "purge", "--dry-run"]);
    assert!(ok, "{err}");
    assert!(
        out.contains("dry run") && out.contains("nothing was changed"),
        "{out}"
    );
    // The old customer's original, the e-mail in the vault and its pseudonym mapping.
    let originals = line(&out, "message_originals");
    assert!(
        originals.contains(": 3 would be purged (older than 90 days"),
        "{out}"
    );
    assert!(originals.contains("oldest: original "), "{out}");
    assert!(
        line(&out, "pseudonymised_text").contains(": 0 would be purged"),
        "{out}"
    );
    assert_eq!(
        export(dir, &storage, "cli-old")["originals"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let (ok, out, err) = run(dir, &storage, &["retention", "purge"]);
    assert!(ok, "{err}");
    let originals = line(&out, "message_originals");
    assert!(
        originals.contains(": 3 purged (older than 90 days"),
        "{out}"
    );
    let index: u64 = originals
        .rsplit("audit record ")
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("no audit index in {originals}"));
    assert!(!line(&out, "decisions").contains("audit record"), "{out}");
    let (ok, proof, err) = run(
        dir,
        &storage,
        &["audit", "proof", "--entry", &index.to_string()],
    );
    assert!(ok, "{err}");
    assert!(proof.contains("retention_purge"), "{proof}");

    let old = export(dir, &storage, "cli-old");
    assert!(old["originals"].as_array().unwrap().is_empty(), "{old}");
    assert!(old["vault"].as_array().unwrap().is_empty(), "{old}");
    assert_eq!(
        old["conversations"].as_array().unwrap().len(),
        1,
        "decisions stay"
    );
    let young = export(dir, &storage, "cli-young");
    assert_eq!(young["vault"][0]["value"], "els@example.nl");
    let (ok, out, err) = run(dir, &storage, &["audit", "verify"]);
    assert!(ok, "{out}{err}");
    if let (Some(sealed), Target::Sqlite(data)) = (sealed, &target) {
        let mut bytes = std::fs::read(data.join(SqliteStore::FILE_NAME)).unwrap();
        bytes.extend(std::fs::read(data.join("candor.sqlite3-wal")).unwrap_or_default());
        assert!(
            !bytes.windows(32).any(|w| w == &sealed[1..33]),
            "the purged original is still in the SQLite file"
        );
    }
    let (ok, out, _) = run(dir, &storage, &["retention", "purge"]);
    assert!(ok);
    assert!(
        line(&out, "message_originals").contains(": 0 purged"),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purge_on_sqlite_removes_expired_originals_and_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let target = Target::Sqlite(dir.path().join("candor-data"));
    purges_through_the_cli(dir.path(), Vec::new(), target).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purge_on_postgres_removes_expired_originals_and_is_recorded() {
    let db = ScratchDatabase::create().await;
    let dir = tempfile::tempdir().unwrap();
    let storage = vec!["--database-url".to_owned(), db.url.clone()];
    purges_through_the_cli(dir.path(), storage, Target::Postgres(db.url.clone())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_purges_on_its_schedule_logs_counts_only_and_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let line_of =
        json!({"customer_id": "sched-old", "text": "Hej, min mail er ole.hansen@example.dk"});
    std::fs::write(&input, line_of.to_string()).unwrap();
    let (ok, _, err) = run(
        dir.path(),
        &[],
        &[
            "triage",
            "--input",
            input.to_str().unwrap(),
            "--output",
            "out.jsonl",
        ],
    );
    assert!(ok, "{err}");
    let target = Target::Sqlite(dir.path().join("candor-data"));
    backdate_customer(&target, "sched-old", 100 * DAY_MS).await;

    // The first scheduled purge runs when the server starts.
    let server = ServerProcess::start(dir.path(), &[]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let logs = server.logs.lock().unwrap().clone();
        if logs.lines().any(|l| {
            l.contains("Retention purge")
                && l.contains("message_originals")
                && l.contains("count=3")
        }) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no purge logged:\n{logs}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let (status, logs) = server.terminate();
    assert!(status.success(), "{logs}");
    assert!(
        !logs.contains("ole.hansen"),
        "personal data in the logs:\n{logs}"
    );
    let (ok, out, err) = run(dir.path(), &[], &["retention", "purge", "--dry-run"]);
    assert!(ok, "{err}");
    assert!(
        line(&out, "message_originals").contains(": 0 would be purged"),
        "{out}"
    );
}
