//! `candor audit` as an operator runs it, and two nodes sharing one PostgreSQL.

use std::path::Path;

use candor_store::testing::{ScratchDatabase, Tamper, Target, tamper};
use serde_json::{Value, json};

use crate::{ServerProcess, candor};

fn triage_lines(dir: &Path, n: usize) {
    let input = dir.join("in.jsonl");
    let lines: Vec<String> = (0..n)
        .map(|i| json!({"customer_id": format!("c{}", i % 4), "text": format!("Ticket {i}: my number is +45 22 33 44 {:02}", i)}).to_string())
        .collect();
    std::fs::write(&input, lines.join("\n")).unwrap();
    let out = candor()
        .current_dir(dir)
        .args(["triage", "--input"])
        .arg(&input)
        .args(["--output"])
        .arg(dir.join("out.jsonl"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn run(dir: &Path, args: &[&str]) -> (bool, String, String) {
    crate::run_candor(dir, &[], args)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_passes_on_an_intact_ledger_and_names_the_first_bad_entry() {
    let dir = tempfile::tempdir().unwrap();
    triage_lines(dir.path(), 10);
    let (ok, note, _) = run(dir.path(), &["audit", "checkpoint"]);
    assert!(ok);
    assert!(note.lines().nth(1) == Some("10"), "{note}");
    let (ok, stdout, stderr) = run(dir.path(), &["audit", "verify"]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("OK: 10 entries, 1 checkpoints"), "{stdout}");

    tamper(
        &Target::Sqlite(dir.path().join("candor-data")),
        Tamper::FlipPayloadByte { index: 4 },
    )
    .await;
    let (ok, _, stderr) = run(dir.path(), &["audit", "verify"]);
    assert!(!ok, "a changed record must fail verification");
    assert!(stderr.contains("entry 4:"), "{stderr}");

    // Without the signing key and without --public-key there is nothing to check against.
    let (ok, _, stderr) = run(dir.path(), &["audit", "verify", "--data-dir", "elsewhere"]);
    assert!(!ok);
    assert!(stderr.contains("signing key"), "{stderr}");
}

#[test]
fn proofs_are_printed_as_json_and_bad_requests_are_named() {
    let dir = tempfile::tempdir().unwrap();
    triage_lines(dir.path(), 6);
    let (ok, stdout, stderr) = run(dir.path(), &["audit", "proof", "--entry", "3"]);
    assert!(ok, "{stderr}");
    let entry: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(entry["index"], 3);
    assert_eq!(entry["tree"]["size"], 6);
    assert_eq!(entry["record"]["type"], "decision");
    assert!(!entry["inclusion_proof"].as_array().unwrap().is_empty());

    let (ok, stdout, _) = run(dir.path(), &["audit", "proof", "--consistency", "2", "6"]);
    assert!(ok);
    let c: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(c["from"]["size"], 2);

    let (ok, _, stderr) = run(dir.path(), &["audit", "proof", "--entry", "6"]);
    assert!(!ok);
    assert!(
        stderr.contains("entry 6 is not in a tree of 6 entries"),
        "{stderr}"
    );
    let (ok, _, stderr) = run(dir.path(), &["audit", "proof", "--consistency", "5", "2"]);
    assert!(!ok);
    assert!(stderr.contains("consistency"), "{stderr}");
    let (ok, _, _) = run(dir.path(), &["audit", "proof"]);
    assert!(!ok);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_on_one_postgres_append_to_one_log_that_verifies() {
    let db = ScratchDatabase::create().await;
    let dir = tempfile::tempdir().unwrap();
    // Both nodes share the data directory for their keys (as they would share a key file).
    let args = vec![
        "--database-url".to_owned(),
        db.url.clone(),
        "--data-dir".to_owned(),
        dir.path().join("keys-shared").display().to_string(),
    ];
    let a = ServerProcess::start(dir.path(), &args);
    let b = ServerProcess::start(dir.path(), &args);
    let client = a.client.clone();
    let mut tasks = Vec::new();
    for i in 0..60 {
        let base = if i % 2 == 0 {
            a.base.clone()
        } else {
            b.base.clone()
        };
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let body = json!({"customer_id": format!("n{}", i % 5), "channel": "api", "text": format!("Node test {i}, mail me at x{i}@example.com")});
            let r = client.post(format!("{base}/v1/messages")).json(&body).send().await.unwrap();
            assert_eq!(r.status().as_u16(), 201);
            let v: Value = r.json().await.unwrap();
            v["decision"]["audit_index"].as_u64().unwrap()
        }));
    }
    let mut indexes = Vec::new();
    for t in tasks {
        indexes.push(t.await.unwrap());
    }
    indexes.sort_unstable();
    assert_eq!(
        indexes,
        (0..60).collect::<Vec<u64>>(),
        "one log: no gaps, no duplicate indexes"
    );
    let vkey: Value = client
        .get(format!("{}/v1/audit/public-key", a.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (sa, _) = a.terminate();
    let (sb, _) = b.terminate();
    assert!(sa.success() && sb.success());

    let (ok, stdout, stderr) = run(
        dir.path(),
        &[
            "audit",
            "verify",
            "--database-url",
            &db.url,
            "--public-key",
            vkey["vkey"].as_str().unwrap(),
        ],
    );
    assert!(ok, "{stderr}");
    assert!(stdout.contains("OK: 60 entries"), "{stdout}");
}
