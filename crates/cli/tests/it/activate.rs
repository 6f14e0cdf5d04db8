//! `candor activate`: a model that reads names is refused with its failing cases, and nothing
//! is put into force; the shipped model passes, is put into force and recorded in the ledger.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::candor;

/// One probe per language, each with a name in its sign-off, where names usually are.
const PROBES: &str = r#"{"text": "Hvor kan jeg se min seneste faktura? Mvh {name}", "lang": "da"}
{"text": "Hoe kan ik mijn wachtwoord opnieuw instellen? Groeten, {name}", "lang": "nl"}
{"text": "Wo finde ich meine letzte Rechnung? Viele Grüße, {name}", "lang": "de"}
{"text": "Where can I find my latest invoice? Best regards, {name}", "lang": "en"}
"#;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `(first names, surnames)` of each name group of a language, baseline group first.
fn name_groups(lang: &str) -> Vec<(Vec<String>, Vec<String>)> {
    let path = repo().join(format!("crates/fairness/data/names/{lang}.toml"));
    let text = std::fs::read_to_string(&path).unwrap();
    let quoted = |line: &str| -> Vec<String> {
        line.split('"')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect()
    };
    let mut groups = Vec::new();
    let mut first = Vec::new();
    for line in text.lines() {
        if line.starts_with("first_names") {
            first = quoted(line);
        } else if line.starts_with("surnames") {
            groups.push((std::mem::take(&mut first), quoted(line)));
        }
    }
    assert!(groups.len() >= 2, "{}: no name groups", path.display());
    groups
}

/// Training data for a deliberately biased model: the same requests, labelled by what they
/// ask when signed with a name of the baseline group and `complaint` when signed with any
/// other group's name. The model learns to read names.
fn biased_dataset(path: &Path) {
    let requests = [
        ("da", "Hvor kan jeg se min seneste faktura?", "get_invoice"),
        (
            "da",
            "Hvordan nulstiller jeg min adgangskode?",
            "recover_password",
        ),
        ("nl", "Waar vind ik mijn laatste factuur?", "get_invoice"),
        (
            "nl",
            "Hoe kan ik mijn wachtwoord opnieuw instellen?",
            "recover_password",
        ),
        ("de", "Wo finde ich meine letzte Rechnung?", "get_invoice"),
        (
            "de",
            "Wie setze ich mein Passwort zurück?",
            "recover_password",
        ),
        ("en", "Where can I find my latest invoice?", "get_invoice"),
        ("en", "How do I reset my password?", "recover_password"),
    ];
    let mut lines = Vec::new();
    for (lang, text, label) in requests {
        for (g, (first, last)) in name_groups(lang).iter().enumerate() {
            for f in first {
                for l in last.iter().take(3) {
                    let label = if g == 0 { label } else { "complaint" };
                    let row =
                        serde_json::json!({"text": format!("{text} {f} {l}"), "label": label});
                    lines.push(row.to_string());
                }
            }
        }
    }
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

fn activate(dir: &Path, args: &[&str]) -> Output {
    candor()
        .current_dir(dir)
        .arg("activate")
        .args(["--probe-set", "probes.jsonl", "--data-dir", "data", "--kb"])
        .arg(repo().join("kb"))
        .args(args)
        .output()
        .expect("run candor activate")
}

#[test]
fn a_name_reading_model_is_refused_and_the_shipped_model_is_put_into_force() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("probes.jsonl"), PROBES).unwrap();
    biased_dataset(&d.join("biased.jsonl"));
    let trained = candor()
        .current_dir(d)
        .args([
            "train",
            "--data",
            "biased.jsonl",
            "--text-col",
            "text",
            "--label-col",
        ])
        .args([
            "label",
            "--out",
            "biased.ctc",
            "--epochs",
            "8",
            "--seed",
            "3",
        ])
        .output()
        .unwrap();
    assert!(
        trained.status.success(),
        "{}",
        String::from_utf8_lossy(&trained.stderr)
    );

    let refused = activate(d, &["--intent-model", "biased.ctc"]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success(),
        "a biased model was activated: {stderr}"
    );
    assert!(stderr.contains("activation REFUSED"), "{stderr}");
    assert!(
        stderr.contains("model name"),
        "the name check must fail: {stderr}"
    );
    assert!(
        stderr.contains("name = "),
        "the failing cases are shown: {stderr}"
    );
    assert!(!d.join("data/active/intent-model.ctc").exists());

    let shipped = repo().join("models/customer-service-intent.ctc");
    let passed = activate(d, &["--intent-model", shipped.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&passed.stdout);
    assert!(
        passed.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&passed.stderr)
    );
    assert!(
        stdout.contains("activated intent model sha256:"),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read(d.join("data/active/intent-model.ctc")).unwrap(),
        std::fs::read(&shipped).unwrap()
    );

    let entry = candor()
        .current_dir(d)
        .args(["audit", "proof", "--entry", "0", "--data-dir", "data"])
        .output()
        .unwrap();
    let entry: serde_json::Value = serde_json::from_slice(&entry.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&entry.stderr)));
    let record = entry.to_string();
    assert!(record.contains("activation"), "{record}");
    let verify = candor()
        .current_dir(d)
        .args(["audit", "verify", "--data-dir", "data"])
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
}

#[test]
fn activation_needs_something_to_activate_and_a_valid_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("probes.jsonl"), PROBES).unwrap();
    let out = activate(d, &[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--intent-model"));
    std::fs::write(d.join("broken.ctc"), b"not a model").unwrap();
    let out = activate(d, &["--intent-model", "broken.ctc"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("broken.ctc"), "{stderr}");
    assert!(!d.join("data/active").exists());
}
