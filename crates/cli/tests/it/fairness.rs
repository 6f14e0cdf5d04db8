//! `candor audit fairness`: probes through the real pipeline, the report's JSON shape, bad
//! probe sets named by line, and group audits of decisions logged by `candor triage`.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::candor;

/// One probe per language with every slot, so that every attribute gets variants.
const PROBES: &str = r#"{"text": "Hej, jeg har glemt min adgangskode. {tenure} Hilsen {name}, {place} {postcode}", "lang": "da"}
{"text": "Mijn pakket is nog steeds niet aangekomen in {place}. Groeten, {name}", "lang": "nl"}

{"text": "I have been charged twice this month. {tenure} Please fix it. {name}, {place} {postcode}", "lang": "en"}
"#;

fn kb() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kb")
}

fn fairness(dir: &Path, args: &[&str]) -> Output {
    candor()
        .current_dir(dir)
        .args(["audit", "fairness"])
        .args(args)
        .output()
        .expect("run candor audit fairness")
}

fn rate(v: &Value, what: &str) -> f64 {
    let r = v
        .as_f64()
        .unwrap_or_else(|| panic!("{what} is not a number: {v}"));
    assert!((0.0..=1.0).contains(&r), "{what} = {r}");
    r
}

#[test]
fn probing_prints_flip_rates_per_language_and_cases() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("probes.jsonl"), PROBES).unwrap();
    let kb = kb();
    // A limit of 0 makes the exit status say whether anything flipped at all.
    let out = fairness(
        dir.path(),
        &[
            "--probe",
            "--probe-set",
            "probes.jsonl",
            "--seed",
            "7",
            "--kb",
            kb.to_str().unwrap(),
            "--max-flip-rate",
            "0",
            "--format",
            "json",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}); stderr:\n{stderr}"));

    assert_eq!(report["probes"], 3);
    let variants = report["variants"].as_u64().unwrap();
    let mut rates = Vec::new();
    for k in ["route", "priority", "intent", "bot"] {
        rates.push(rate(&report["flip_rate"][k], &format!("flip_rate.{k}")));
    }
    let langs: Vec<&str> = report["per_language"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(langs, ["da", "en", "nl"]);
    let mut per_language_variants = 0;
    for (lang, s) in report["per_language"].as_object().unwrap() {
        per_language_variants += s["variants"].as_u64().unwrap();
        for k in ["route", "priority", "intent", "bot"] {
            rates.push(rate(&s["flip_rate"][k], &format!("{lang}.{k}")));
        }
    }
    assert_eq!(per_language_variants, variants);
    for attr in ["name", "place", "tenure", "formality", "typo"] {
        assert!(
            report["per_attribute"][attr]["variants"].as_u64().unwrap() > 0,
            "{attr}"
        );
    }
    let cases = report["cases"].as_array().expect("cases is an array");
    for c in cases {
        assert_ne!(c["baseline_text"], c["variant_text"]);
        assert!(c["variant"]["route"] == "bot" || c["variant"]["route"] == "human");
    }

    let flipped = rates.iter().any(|r| *r > 0.0);
    assert_eq!(report["max_flip_rate"]["passed"], !flipped);
    assert_eq!(out.status.success(), !flipped, "stderr:\n{stderr}");
    if flipped {
        assert!(stderr.contains("flip rates above the maximum"), "{stderr}");
    }
    // Probing runs in a scratch database: nothing is written where Candor keeps its data.
    assert!(!dir.path().join("candor-data").exists());
}

#[test]
fn a_malformed_probe_set_is_named_by_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("probes.jsonl"),
        "{\"text\": \"Where is my parcel?\", \"lang\": \"en\"}\n{\"text\": \"no language\"}\n",
    )
    .unwrap();
    let out = fairness(
        dir.path(),
        &["--probe", "--probe-set", "probes.jsonl", "--format", "json"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "no report on error");
    assert!(stderr.contains("probes.jsonl:2"), "{stderr}");
    assert!(stderr.contains("lang"), "{stderr}");

    std::fs::write(
        dir.path().join("probes.jsonl"),
        "{\"text\": \"Waar is mijn pakket?\", \"lang\": \"nl\"}\n{\"text\": \"Hvor er min pakke?\", \"lang\": \"sv\"}\n",
    )
    .unwrap();
    let out = fairness(dir.path(), &["--probe", "--probe-set", "probes.jsonl"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("probe 2") && stderr.contains("`sv`"),
        "{stderr}"
    );
}

#[test]
fn the_group_audit_reads_logged_decisions_and_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let mut input = String::new();
    let texts = [
        ("Hi, I forgot my password and can't log in.", "new", "north"),
        ("Where is my parcel? I ordered a week ago.", "long", "south"),
        ("Hej, jeg har glemt min adgangskode.", "new", "south"),
        (
            "Someone used my card without permission, this is fraud!",
            "long",
            "north",
        ),
    ];
    for (i, (text, tenure, region)) in texts.iter().enumerate() {
        input.push_str(
            &serde_json::json!({
                "customer_id": format!("c{i}"),
                "text": text,
                "channel": if i % 2 == 0 { "email" } else { "chat" },
                "metadata": {"tenure_band": tenure, "region": region, "plan": "gold"},
            })
            .to_string(),
        );
        input.push('\n');
    }
    std::fs::write(dir.path().join("in.jsonl"), input).unwrap();
    let triage = candor()
        .current_dir(dir.path())
        .args(["triage", "--input", "in.jsonl", "--output", "out.jsonl"])
        .output()
        .unwrap();
    assert!(
        triage.status.success(),
        "{}",
        String::from_utf8_lossy(&triage.stderr)
    );

    let out = fairness(
        dir.path(),
        &["--since", "1d", "--min-group-size", "1", "--format", "json"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}); stderr:\n{stderr}"));
    let audit = &report["audit"];
    assert_eq!(audit["rows"], 4, "{audit}");
    let attrs: Vec<&str> = audit["attributes"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(attrs, ["channel", "language", "region", "tenure_band"]);
    for attr in &attrs {
        assert_eq!(audit["attributes"][attr]["rows"], 4, "{attr}");
        assert!(audit["attributes"][attr]["outcomes"]["escalated"].is_object());
    }
    assert!(report.get("flip_rate").is_none(), "no probes were run");
    let alerts = audit["alerts"].as_array().unwrap();
    assert_eq!(out.status.success(), alerts.is_empty(), "{stderr}");
    assert!(
        audit["timeline"]["metrics"]["escalated"]["region"].is_object(),
        "{audit}"
    );

    // The run is the newest record of the audit log.
    let proof = |entry: u64| -> Value {
        let out = candor()
            .current_dir(dir.path())
            .args(["audit", "proof", "--entry", &entry.to_string()])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let size = proof(0)["tree"]["size"].as_u64().unwrap();
    let record = &proof(size - 1)["record"];
    assert_eq!(record["type"], "fairness_audit", "{record}");
    assert_eq!(record["trigger"], "cli");
    assert_eq!(record["decisions"], 4);
    assert_eq!(record["alerts"].as_array().unwrap().len(), alerts.len());

    // A period that ends before the first decision holds none of them.
    let out = fairness(dir.path(), &["--since", "0m", "--format", "json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["audit"]["rows"], 0);
}

#[test]
fn a_mode_is_required_and_markdown_is_rendered() {
    let dir = tempfile::tempdir().unwrap();
    let out = fairness(dir.path(), &["--format", "json"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--probe"));

    std::fs::write(
        dir.path().join("probes.jsonl"),
        "{\"text\": \"Wo ist mein Paket? Grüße, {name}\", \"lang\": \"de\"}\n",
    )
    .unwrap();
    let out = fairness(
        dir.path(),
        &[
            "--probe",
            "--probe-set",
            "probes.jsonl",
            "--max-flip-rate",
            "1",
            "--format",
            "md",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.starts_with('#'), "{stdout}");
}

#[test]
fn the_policy_sets_the_group_audit_limits() {
    let dir = tempfile::tempdir().unwrap();
    // North: 2 of 10 messages ask for a person, south: 2 of 11, the rest are alike, so every
    // outcome that differs by region differs as 20% against 18%: a ratio of 0.91 and a
    // difference of 0.018, inside the shipped limits (0.8, 0.1), outside a difference of 0.01.
    let mut input = String::new();
    for (region, n) in [("north", 10), ("south", 11)] {
        for i in 0..n {
            let text = if i < 2 {
                "I want to talk to a person about my invoice."
            } else {
                "How do I reset my password? I forgot it."
            };
            input.push_str(
                &serde_json::json!({
                    "customer_id": format!("{region}-{i}"),
                    "text": text,
                    "channel": "chat",
                    "metadata": {"region": region},
                })
                .to_string(),
            );
            input.push('\n');
        }
    }
    std::fs::write(dir.path().join("in.jsonl"), input).unwrap();
    let triage = candor()
        .current_dir(dir.path())
        .args(["triage", "--input", "in.jsonl", "--output", "out.jsonl"])
        .output()
        .unwrap();
    assert!(
        triage.status.success(),
        "{}",
        String::from_utf8_lossy(&triage.stderr)
    );
    let shipped =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policy.toml"))
            .unwrap();
    let strict = shipped.replace("max_difference = 0.1\n", "max_difference = 0.01\n");
    assert_ne!(strict, shipped, "the shipped policy sets max_difference");
    std::fs::write(dir.path().join("strict.toml"), strict).unwrap();

    let audit = |policy: Option<&str>| -> (bool, Value) {
        let mut cmd = candor();
        cmd.current_dir(dir.path()).args([
            "audit",
            "fairness",
            "--since",
            "1d",
            "--min-group-size",
            "5",
            "--format",
            "json",
        ]);
        if let Some(p) = policy {
            cmd.env("CANDOR_PIPELINE__POLICY_FILE", p);
        }
        let out = cmd.output().unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
        });
        (out.status.success(), report)
    };

    let (passed, report) = audit(None);
    assert_eq!(report["audit"]["alerts"], serde_json::json!([]), "{report}");
    assert!(passed);
    assert_eq!(report["audit"]["config"]["max_difference"], 0.1);
    assert_eq!(report["audit"]["config"]["min_group_size"], 5);

    let (passed, report) = audit(Some("strict.toml"));
    assert!(!passed, "an alert fails the run");
    assert_eq!(report["audit"]["config"]["max_difference"], 0.01);
    let alerts = report["audit"]["alerts"].as_array().unwrap();
    assert!(!alerts.is_empty(), "{report}");
    for a in alerts {
        assert_eq!(a["attribute"], "region", "{a}");
        for v in a["violations"].as_array().unwrap() {
            assert_eq!(v["metric"], "demographic_parity_difference", "{a}");
            assert_eq!(v["limit"], 0.01, "{a}");
        }
    }
    let limits = report["summary"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s.as_str().unwrap().starts_with("Limits:"))
        .cloned()
        .expect("the summary names the limits");
    assert!(
        limits
            .as_str()
            .unwrap()
            .contains("within 1 percentage point of"),
        "{limits}"
    );
}

/// The promise of docs/specs/fairness.md: with the shipped policy, models and knowledge base,
/// no variant of the shipped probe set (other names, places, tenure, formality, a typo) moves a
/// customer to another route or priority band, in any language.
#[test]
fn the_shipped_pipeline_flips_no_route_or_priority_on_the_shipped_probes() {
    let dir = tempfile::tempdir().unwrap();
    let kb = kb();
    let out = fairness(
        dir.path(),
        &[
            "--probe",
            "--seed",
            "42",
            "--kb",
            kb.to_str().unwrap(),
            "--max-flip-rate",
            "1",
            "--format",
            "json",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}); stderr:\n{stderr}"));
    let langs: Vec<&str> = report["per_language"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(langs, ["da", "de", "en", "nl"]);
    let flipped: Vec<&Value> = report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            c["flipped"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f == "route" || f == "priority")
        })
        .collect();
    for (lang, s) in report["per_language"].as_object().unwrap() {
        assert!(s["variants"].as_u64().unwrap() > 500, "{lang}: {s}");
        for outcome in ["route", "priority"] {
            assert_eq!(
                s["flips"][outcome], 0,
                "{lang}: {outcome} flipped; cases: {flipped:#?}"
            );
        }
    }
    assert_eq!(report["flip_rate"]["route"], 0.0, "{flipped:#?}");
    assert_eq!(report["flip_rate"]["priority"], 0.0, "{flipped:#?}");
}
