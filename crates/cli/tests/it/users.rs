//! `candor user` and `candor token create --expires-in` as an operator runs them, then the
//! people they made logging in to a real `candor serve`, whose logs never hold a password or
//! a token.

use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};

use candor_store::testing::ScratchDatabase;
use serde_json::{Value, json};

use crate::{ServerProcess, candor, client_with_token};

const PASSWORD: &str = "a long and private passphrase";

fn run(dir: &Path, storage: &[String], args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = candor();
    cmd.current_dir(dir)
        .args(args)
        .args(storage)
        .env_remove("CANDOR_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn people_are_managed_from_the_command_line_and_log_in(storage: Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();

    let short = run(
        dir,
        &storage,
        &["user", "create", "--username", "Jane", "--role", "agent"],
        Some("too short\n"),
    );
    assert!(!short.status.success());
    assert!(
        stderr(&short).contains("at least 12 characters"),
        "{}",
        stderr(&short)
    );

    let mut with_env = candor();
    let created = with_env
        .current_dir(dir)
        .args(["user", "create", "--username", " Jane ", "--role", "agent"])
        .args(&storage)
        .env("CANDOR_PASSWORD", PASSWORD)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(created.status.success(), "{}", stderr(&created));
    assert!(stderr(&created).contains("jane"), "{}", stderr(&created));

    let again = run(
        dir,
        &storage,
        &["user", "create", "--username", "JANE", "--role", "dpo"],
        Some(&format!("{PASSWORD}\n")),
    );
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );
    let channel = run(
        dir,
        &storage,
        &[
            "user",
            "create",
            "--username",
            "widget",
            "--role",
            "channel",
        ],
        Some(&format!("{PASSWORD}\n")),
    );
    assert!(!channel.status.success());
    assert!(stderr(&channel).contains("channel"), "{}", stderr(&channel));
    // From standard input, with a Windows line ending.
    let piped = run(
        dir,
        &storage,
        &[
            "user",
            "create",
            "--username",
            "sam",
            "--role",
            "supervisor",
        ],
        Some(&format!("{PASSWORD}\r\n")),
    );
    assert!(piped.status.success(), "{}", stderr(&piped));

    let listing = stdout(&run(dir, &storage, &["user", "list"], None));
    assert!(
        listing.contains("jane") && listing.contains("agent") && listing.contains("sam"),
        "{listing}"
    );
    assert!(!listing.contains("argon2"), "hashes are never listed");

    // The interface that existed keeps working; --name may be left out, --expires-in added.
    let expiring = run(
        dir,
        &storage,
        &[
            "token",
            "create",
            "--role",
            "ai_officer",
            "--expires-in",
            "7",
        ],
        None,
    );
    assert!(expiring.status.success(), "{}", stderr(&expiring));
    assert!(
        stderr(&expiring).contains("expires"),
        "{}",
        stderr(&expiring)
    );
    let tokens = stdout(&run(dir, &storage, &["token", "list"], None));
    let row = tokens
        .lines()
        .find(|l| l.contains("ai_officer"))
        .unwrap_or_else(|| panic!("{tokens}"));
    // Named after its role; created and expires are both dates.
    assert_eq!(row.matches("ai_officer").count(), 2, "{row}");
    assert_eq!(row.matches('Z').count(), 2, "{row}");
    let zero = run(
        dir,
        &storage,
        &["token", "create", "--role", "agent", "--expires-in", "0"],
        None,
    );
    assert!(!zero.status.success());
    assert!(stderr(&zero).contains("--expires-in"), "{}", stderr(&zero));

    let server = ServerProcess::start(dir, &storage);
    let anonymous = reqwest::Client::new();
    let r = anonymous
        .post(format!("{}/v1/sessions", server.base))
        .json(&json!({"username": "JANE", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let session: Value = r.json().await.unwrap();
    let secret = session["token"].as_str().unwrap().to_owned();
    let jane = client_with_token(&secret);
    let queue = format!("{}/v1/queue", server.base);
    assert_eq!(
        jane.get(&queue).send().await.unwrap().status().as_u16(),
        200
    );
    let refused = anonymous
        .post(format!("{}/v1/sessions", server.base))
        .json(&json!({"username": "sam", "password": "a wrong but long password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 401);

    let disabled = run(
        dir,
        &storage,
        &["user", "disable", "--username", "Jane"],
        None,
    );
    assert!(disabled.status.success(), "{}", stderr(&disabled));
    assert!(
        stderr(&disabled).contains("1 open session"),
        "{}",
        stderr(&disabled)
    );
    assert_eq!(
        jane.get(&queue).send().await.unwrap().status().as_u16(),
        401
    );
    let twice = run(
        dir,
        &storage,
        &["user", "disable", "--username", "jane"],
        None,
    );
    assert!(!twice.status.success());

    let (_, logs) = server.terminate();
    for secret_text in [
        PASSWORD,
        "a wrong but long password",
        &secret,
        &secret[4..],
        "$argon2",
    ] {
        assert!(
            !logs.contains(secret_text),
            "the logs hold a secret ({secret_text:?}):\n{logs}"
        );
    }
    assert!(logs.contains("Session started"), "{logs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_people_are_managed_from_the_command_line_and_log_in() {
    people_are_managed_from_the_command_line_and_log_in(Vec::new()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_people_are_managed_from_the_command_line_and_log_in() {
    let db = ScratchDatabase::create().await;
    people_are_managed_from_the_command_line_and_log_in(vec![
        "--database-url".to_owned(),
        db.url.clone(),
    ])
    .await;
}
