//! Durability across SIGKILL, clean shutdown, logs free of personal data, the demo, config
//! errors and help texts.

use std::collections::HashMap;

use candor_store::testing::ScratchDatabase;
use serde_json::{Value, json};

use crate::{ServerProcess, candor};

/// Personal data the durability test sends; none of it may ever appear in a log line.
const PII: [&str; 6] = [
    "mette.jensen@example.dk",
    "22 33 44 55",
    "DK50 0040 0440 1162 43",
    "+44 7911 123456",
    "sam.taylor@example.co.uk",
    "NL91ABNA0417164300",
];

fn message(i: usize) -> Value {
    let texts = [
        format!("Hej, min mail er {} og nummer {}", PII[0], PII[1]),
        format!("Refunder venligst til {}", PII[2]),
        format!("Please call me on {} or mail {}", PII[3], PII[4]),
        format!("Mijn rekening is {}, graag terugbetalen", PII[5]),
        "Ich warte seit zwei Wochen auf meine Lieferung.".to_owned(),
    ];
    let channel = ["email", "chat", "voice", "api"][i % 4];
    json!({
        "customer_id": format!("durable-customer-{}", i % 7),
        "conversation_id": format!("durable-conv-{}", i % 7),
        "channel": channel,
        "text": texts[i % texts.len()],
    })
}

async fn send_then_kill_then_find_everything(storage_args: Vec<String>) {
    let dir = tempfile::tempdir().unwrap();

    let server = ServerProcess::start(dir.path(), &storage_args);
    let client = server.client.clone();
    let mut accepted: HashMap<String, Value> = HashMap::new();
    for i in 0..30 {
        let r = client
            .post(format!("{}/v1/messages", server.base))
            .json(&message(i))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 201);
        let body: Value = r.json().await.unwrap();
        accepted.insert(
            body["message_id"].as_str().unwrap().to_owned(),
            body["decision"].clone(),
        );
    }
    // No graceful anything: the process dies mid-flight.
    let logs_before = server.kill9();

    let server = ServerProcess::start(dir.path(), &storage_args);
    let client = server.client.clone();
    for (id, decision) in &accepted {
        let r = client
            .get(format!("{}/v1/messages/{id}", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "message {id} lost after SIGKILL");
        let stored: Value = r.json().await.unwrap();
        assert_eq!(
            &stored["decision"], decision,
            "decision of {id} changed after SIGKILL"
        );
    }
    let queue: Value = client
        .get(format!("{}/v1/queue", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(queue["conversations"].as_array().unwrap().len(), 7);
    // The server goes on accepting after the restart, continuing the audit sequence.
    let r = client
        .post(format!("{}/v1/messages", server.base))
        .json(&message(0))
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["decision"]["audit_index"], 30);
    let (status, logs_after) = server.terminate();
    assert!(
        status.success(),
        "SIGTERM should shut down cleanly: {status:?}\n{logs_after}"
    );

    // The logs say what happened, by id, and never what was written.
    let logs = format!("{logs_before}\n{logs_after}");
    assert!(
        logs.contains("Message recorded"),
        "expected request logs:\n{logs}"
    );
    for value in PII
        .iter()
        .chain(&["durable-customer-", "Refunder venligst", "seit zwei Wochen"])
    {
        assert!(
            !logs.contains(value),
            "`{value}` appeared in the logs:\n{logs}"
        );
    }
    let compact: String = PII[2].split_whitespace().collect();
    assert!(!logs.contains(&compact));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_201_survives_sigkill() {
    send_then_kill_then_find_everything(Vec::new()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_201_survives_sigkill() {
    let db = ScratchDatabase::create().await;
    send_then_kill_then_find_everything(vec!["--database-url".to_owned(), db.url.clone()]).await;
}

#[test]
fn demo_runs_four_languages_over_http_and_shows_no_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let out = candor()
        .current_dir(dir.path())
        .args(["demo", "--exit", "--addr", "127.0.0.1:0"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "demo failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    for expected in [
        "da (",
        "nl (",
        "de (",
        "en (",
        "unknown (",
        "human",
        "bot",
        "human_requested",
        "opted_out",
        "frustration",
        "password-reset",
        "frustration_trajectory",
        "AI assistant",
        "<EMAIL_1>",
        "<IBAN_1>",
        "<PHONE_1>",
        "curl",
    ] {
        assert!(
            stdout.contains(expected),
            "`{expected}` missing from demo output:\n{stdout}"
        );
    }
    for secret in ["mette.jensen@example.dk", "DE89 3704", "22 33 44 55"] {
        assert!(!stdout.contains(secret), "`{secret}` shown by the demo");
    }
    // The demo used the embedded default: SQLite under ./candor-data.
    assert!(
        dir.path()
            .join("candor-data")
            .join("candor.sqlite3")
            .exists()
    );
}

#[test]
fn bad_configuration_is_named_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, "[server]\nadress = \"127.0.0.1:1\"\n").unwrap();
    let out = candor()
        .args(["serve", "--config"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("adress"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = candor()
        .current_dir(dir.path())
        .env("CANDOR_SERVER__ADDR", "nowhere")
        .arg("serve")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("server.addr"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = candor()
        .args(["serve", "--config"])
        .arg(dir.path().join("missing.toml"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));

    let policy = dir.path().join("policy.toml");
    std::fs::write(
        &policy,
        "[languages]\nsupported=[\"da\",\"xx\"]\nconfidence_floor=0.5\n",
    )
    .unwrap();
    let out = candor()
        .current_dir(dir.path())
        .env("CANDOR_PIPELINE__POLICY_FILE", &policy)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("missing field `bot`"), "{stderr}");

    let out = candor()
        .current_dir(dir.path())
        .args([
            "serve",
            "--database-url",
            "postgres://nobody@127.0.0.1:1/none",
            "--addr",
            "127.0.0.1:0",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("PostgreSQL"));
}

#[test]
fn every_command_has_an_example_in_its_help() {
    for command in [
        &["serve"][..],
        &["triage"],
        &["demo"],
        &["audit", "verify"],
        &["audit", "proof"],
        &["audit", "checkpoint"],
        &["token", "create"],
        &["user", "create"],
        &["user", "list"],
        &["user", "disable"],
    ] {
        let out = candor().args(command).arg("--help").output().unwrap();
        assert!(out.status.success());
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(
            help.contains("Example:"),
            "{command:?} --help has no example:\n{help}"
        );
    }
}

#[test]
fn tokens_are_created_listed_and_revoked_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let secret = crate::create_token(dir.path(), &[], "dpo");
    assert!(secret.starts_with("cnd_"), "{secret}");
    let out = candor()
        .current_dir(dir.path())
        .args(["token", "list"])
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        listing.contains("test-suite") && listing.contains("dpo"),
        "{listing}"
    );
    assert!(!listing.contains(&secret), "secrets are never listed");
    let id = listing
        .split_whitespace()
        .find(|w| w.starts_with("tok_"))
        .unwrap()
        .to_owned();
    let out = candor()
        .current_dir(dir.path())
        .args(["token", "revoke", &id])
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = candor()
        .current_dir(dir.path())
        .args(["token", "revoke", &id])
        .output()
        .unwrap();
    assert!(!out.status.success(), "revoking twice names the problem");
    assert!(String::from_utf8_lossy(&out.stderr).contains(&id));
    let out = candor()
        .current_dir(dir.path())
        .args(["token", "create", "--name", "x", "--role", "root"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("`root` is not a role"));
}
