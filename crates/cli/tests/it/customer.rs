//! `candor customer export|erase`: the data-subject rights from the command line.

use std::path::Path;

use serde_json::{Value, json};

fn run(dir: &Path, args: &[&str]) -> (bool, String, String) {
    crate::run_candor(dir, &[], args)
}

#[test]
fn a_customer_is_exported_then_erased_and_the_ledger_still_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let lines = [
        json!({"customer_id": "cli-erase", "text": "Hej, min mail er ole.hansen@example.dk"}),
        json!({"customer_id": "cli-keep", "text": "Hallo, mijn e-mail is els@example.nl"}),
    ];
    let text: Vec<String> = lines.iter().map(Value::to_string).collect();
    std::fs::write(&input, text.join("\n")).unwrap();
    let (ok, _, err) = run(
        dir.path(),
        &[
            "triage",
            "--input",
            input.to_str().unwrap(),
            "--output",
            "out.jsonl",
        ],
    );
    assert!(ok, "{err}");

    let (ok, out, err) = run(dir.path(), &["customer", "export", "cli-erase"]);
    assert!(ok, "{err}");
    let export: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(export["customer_id"], "cli-erase");
    assert!(
        export["originals"][0]["text"]
            .as_str()
            .unwrap()
            .contains("ole.hansen@example.dk")
    );
    assert_eq!(export["vault"][0]["value"], "ole.hansen@example.dk");

    // Erasure needs an explicit --yes, and says so.
    let (ok, _, err) = run(dir.path(), &["customer", "erase", "cli-erase"]);
    assert!(!ok);
    assert!(err.contains("--yes"), "{err}");
    let (ok, out, err) = run(
        dir.path(),
        &[
            "customer",
            "erase",
            "cli-erase",
            "--actor",
            "dpo-test",
            "--yes",
        ],
    );
    assert!(ok, "{err}");
    let erased: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(erased["originals"], 1);
    assert_eq!(erased["data_key_destroyed"], true);

    let (ok, out, _) = run(dir.path(), &["customer", "export", "cli-erase"]);
    assert!(ok);
    let after: Value = serde_json::from_str(&out).unwrap();
    assert!(after["originals"].as_array().unwrap().is_empty());
    assert!(after["conversations"].as_array().unwrap().is_empty());
    // The other customer is untouched, and the ledger (with the erasure record) verifies.
    let (_, out, _) = run(dir.path(), &["customer", "export", "cli-keep"]);
    let kept: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(kept["vault"][0]["value"], "els@example.nl");
    let (ok, out, err) = run(dir.path(), &["audit", "verify"]);
    assert!(ok, "{out}{err}");
    // Erasing someone with no data is a named error.
    let (ok, _, err) = run(dir.path(), &["customer", "erase", "nobody", "--yes"]);
    assert!(!ok);
    assert!(
        err.contains("`nobody`") && err.contains("not found"),
        "{err}"
    );
}

#[test]
fn consent_is_recorded_and_shown_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out, err) = run(
        dir.path(),
        &[
            "customer",
            "consent",
            "cli-consent",
            "--purpose",
            "model_training",
            "--grant",
            "--source",
            "phone call 2026-11-20",
        ],
    );
    assert!(ok, "{err}");
    let view: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(view["customer_id"], "cli-consent");
    assert_eq!(view["consents"]["model_training"]["status"], "granted");
    assert_eq!(view["consents"]["model_training"]["default"], false);
    // The other purposes are the policy's defaults.
    assert_eq!(view["consents"]["ai_answers"]["status"], "granted");
    assert_eq!(view["consents"]["ai_answers"]["default"], true);
    assert_eq!(view["history"][0]["source"], "phone call 2026-11-20");

    let (ok, _, err) = run(
        dir.path(),
        &[
            "customer",
            "consent",
            "cli-consent",
            "--purpose",
            "ai_answers",
            "--withdraw",
        ],
    );
    assert!(ok, "{err}");
    let (ok, out, err) = run(dir.path(), &["customer", "consents", "cli-consent"]);
    assert!(ok, "{err}");
    let view: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(view["consents"]["ai_answers"]["status"], "withdrawn");
    assert_eq!(view["consents"]["ai_answers"]["default"], false);
    let history = view["history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1]["purpose"], "ai_answers");
    assert_eq!(history[1]["source"], "cli");

    // Each change is in the audit ledger, which verifies.
    let (ok, proof, err) = run(dir.path(), &["audit", "proof", "--entry", "1"]);
    assert!(ok, "{err}");
    assert!(proof.contains("consent_change"), "{proof}");
    assert!(
        !proof.contains("cli-consent"),
        "only a keyed hash of the customer: {proof}"
    );
    let (ok, out, err) = run(dir.path(), &["audit", "verify"]);
    assert!(ok, "{out}{err}");

    // Grant or withdraw, exactly one, for a known purpose.
    for bad in [
        &[
            "customer",
            "consent",
            "cli-consent",
            "--purpose",
            "analytics",
        ][..],
        &[
            "customer",
            "consent",
            "cli-consent",
            "--purpose",
            "analytics",
            "--grant",
            "--withdraw",
        ],
        &[
            "customer",
            "consent",
            "cli-consent",
            "--purpose",
            "marketing",
            "--grant",
        ],
    ] {
        let (ok, _, err) = run(dir.path(), bad);
        assert!(!ok, "{bad:?}");
        assert!(err.contains("--"), "{err}");
    }
    let (ok, _, err) = run(
        dir.path(),
        &[
            "customer",
            "consent",
            "cli-consent",
            "--purpose",
            "analytics",
            "--grant",
            "--source",
            " ",
        ],
    );
    assert!(!ok);
    assert!(err.contains("source"), "{err}");
}
