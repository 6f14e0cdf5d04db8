//! `candor keys rotate`: every data key re-wrapped under a new master key, which alone then
//! opens every original; re-running finds nothing left.

use std::path::Path;

use candor_store::testing::ScratchDatabase;
use serde_json::{Value, json};

use crate::run_candor as run;

fn rotates_through_the_cli(dir: &Path, storage: &[String]) {
    let input = dir.join("in.jsonl");
    let lines = [
        json!({"customer_id": "key-a", "text": "Hej, min mail er ole.hansen@example.dk"}),
        json!({"customer_id": "key-b", "text": "Hallo, mijn e-mail is els@example.nl"}),
    ];
    let text: Vec<String> = lines.iter().map(Value::to_string).collect();
    std::fs::write(&input, text.join("\n")).unwrap();
    let (ok, _, err) = run(
        dir,
        storage,
        &[
            "triage",
            "--input",
            input.to_str().unwrap(),
            "--output",
            "out.jsonl",
        ],
    );
    assert!(ok, "{err}");

    let (ok, out, err) = run(
        dir,
        storage,
        &[
            "keys",
            "rotate",
            "--new-key-file",
            "new.key",
            "--batch-size",
            "1",
        ],
    );
    assert!(ok, "{err}");
    assert!(out.contains("Created the new master key new.key"), "{out}");
    assert!(out.contains("Re-wrapped 2 of 2 data key(s)"), "{out}");
    assert!(out.contains("0 left"), "{out}");
    assert!(
        out.contains("privacy.master_key_file = \"new.key\"")
            && out.contains("candor-data/keys/master.key"),
        "the steps name both files: {out}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("new.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // The new key alone opens every original; the old key alone opens none.
    std::fs::write(
        dir.join("new-only.toml"),
        "[privacy]\nmaster_key_file = \"new.key\"\n",
    )
    .unwrap();
    for (customer, value) in [
        ("key-a", "ole.hansen@example.dk"),
        ("key-b", "els@example.nl"),
    ] {
        let (ok, out, err) = run(
            dir,
            storage,
            &["customer", "export", customer, "--config", "new-only.toml"],
        );
        assert!(ok, "{err}");
        let export: Value = serde_json::from_str(&out).unwrap();
        assert!(
            export["originals"][0]["text"]
                .as_str()
                .unwrap()
                .contains(value)
        );
        let (ok, _, err) = run(dir, storage, &["customer", "export", customer]);
        assert!(!ok);
        assert!(err.contains("privacy.previous_master_key_files"), "{err}");
    }

    // Finishing with the nodes' new configuration finds nothing left, and says so.
    std::fs::write(
        dir.join("rotating.toml"),
        "[privacy]\nmaster_key_file = \"new.key\"\nprevious_master_key_files = [\"candor-data/keys/master.key\"]\n",
    )
    .unwrap();
    let (ok, out, err) = run(
        dir,
        storage,
        &["keys", "rotate", "--config", "rotating.toml"],
    );
    assert!(ok, "{err}");
    assert!(
        out.contains("Re-wrapped 0 of 2") && out.contains("2 already were"),
        "{out}"
    );
    assert!(out.contains("can be emptied"), "{out}");
    let (ok, out, err) = run(
        dir,
        storage,
        &["audit", "verify", "--config", "new-only.toml"],
    );
    assert!(ok, "{out}{err}");

    // A master key that no longer exists is named, not guessed.
    let (ok, _, err) = run(
        dir,
        storage,
        &[
            "keys",
            "rotate",
            "--config",
            "new-only.toml",
            "--new-key-file",
            "third.key",
        ],
    );
    assert!(ok, "{err}");
    let (ok, out, err) = run(
        dir,
        storage,
        &[
            "keys",
            "rotate",
            "--new-key-file",
            "fourth.key",
            "--create-only",
        ],
    );
    assert!(ok, "{err}");
    assert!(out.contains("Nothing was re-wrapped"), "{out}");
    std::fs::write(
        dir.join("lost.toml"),
        "[privacy]\nmaster_key_file = \"fourth.key\"\n",
    )
    .unwrap();
    let (ok, _, err) = run(
        dir,
        storage,
        &[
            "keys",
            "rotate",
            "--config",
            "lost.toml",
            "--new-key-file",
            "fifth.key",
        ],
    );
    assert!(!ok);
    assert!(err.contains("2 data key(s) could not be opened"), "{err}");
}

#[test]
fn rotation_on_sqlite_rewraps_every_data_key() {
    let dir = tempfile::tempdir().unwrap();
    rotates_through_the_cli(dir.path(), &[]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotation_on_postgres_rewraps_every_data_key() {
    let db = ScratchDatabase::create().await;
    let dir = tempfile::tempdir().unwrap();
    let storage = vec!["--database-url".to_owned(), db.url.clone()];
    rotates_through_the_cli(dir.path(), &storage);
}
