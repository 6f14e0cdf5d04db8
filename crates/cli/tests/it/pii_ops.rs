//! `candor pii redact`, `candor pii decrypt` and `candor eval pii` as a user runs them: every
//! operator, custom recognisers from a policy file, the JSON report, and bad input.

use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};

use serde_json::Value;

use crate::candor;

const KEY: &str = "8f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
const TEXT: &str =
    "Ring til mig på +45 22 33 44 55 eller skriv til mette@example.dk. Kort 4111 1111 1111 1111.\n";

fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = candor()
        .env_remove("CANDOR_PII_ENCRYPTION_KEY")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn ok(args: &[&str], stdin: &[u8]) -> String {
    let out = run(args, stdin);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn fails(args: &[&str], stdin: &[u8]) -> String {
    let out = run(args, stdin);
    assert!(!out.status.success(), "{args:?} succeeded");
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn every_operator_rewrites_plain_text() {
    let redact = |op: &str| ok(&["pii", "redact", "--operator", op], TEXT.as_bytes());
    assert_eq!(
        redact("type"),
        "Ring til mig på <PHONE> eller skriv til <EMAIL>. Kort <CREDIT_CARD>.\n"
    );
    assert_eq!(
        redact("pseudonym"),
        "Ring til mig på <PHONE_1> eller skriv til <EMAIL_1>. Kort <CREDIT_CARD_1>.\n"
    );
    assert_eq!(
        redact("redact"),
        "Ring til mig på  eller skriv til . Kort .\n"
    );
    assert_eq!(
        redact("mask:2:#"),
        "Ring til mig på #############55 eller skriv til ##############dk. Kort #################11.\n"
    );
    let mixed = ok(
        &[
            "pii",
            "redact",
            "--operator",
            "type",
            "--operator",
            "CREDIT_CARD=mask",
            "--operator",
            "phone=redact",
        ],
        TEXT.as_bytes(),
    );
    assert_eq!(
        mixed,
        "Ring til mig på  eller skriv til <EMAIL>. Kort ***************1111.\n"
    );
}

#[test]
fn encrypted_values_decrypt_back_with_the_key_file_or_environment() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("pii.key");
    std::fs::write(&key, format!("{KEY}\n")).unwrap();
    let key = key.to_str().unwrap();
    let sealed = ok(
        &["pii", "redact", "--operator", "encrypt", "--key-file", key],
        TEXT.as_bytes(),
    );
    assert!(sealed.contains("<EMAIL:enc1:"), "{sealed}");
    assert!(
        !sealed.contains("mette") && !sealed.contains("4111"),
        "{sealed}"
    );
    assert_eq!(
        ok(&["pii", "decrypt", "--key-file", key], sealed.as_bytes()),
        TEXT
    );
    let from_env = candor()
        .env("CANDOR_PII_ENCRYPTION_KEY", KEY)
        .args(["pii", "decrypt"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            c.stdin.take().unwrap().write_all(sealed.as_bytes())?;
            c.wait_with_output()
        })
        .unwrap();
    assert_eq!(String::from_utf8(from_env.stdout).unwrap(), TEXT);
    let other = dir.path().join("other.key");
    std::fs::write(&other, KEY.replace('8', "9")).unwrap();
    let err = fails(
        &["pii", "decrypt", "--key-file", other.to_str().unwrap()],
        sealed.as_bytes(),
    );
    assert!(err.contains("does not open with this key"), "{err}");
}

#[test]
fn jsonl_lines_are_rewritten_without_printing_values() {
    let input = "{\"text\": \"Mail a@b.dk og A@B.DK\", \"lang\": \"da\"}\n{\"lang\": \"da\"}\n{\"text\": \"intet\"}\n";
    let out = run(&["pii", "redact", "--jsonl"], input.as_bytes());
    assert!(!out.status.success(), "a bad line fails the run");
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["text"], "Mail <EMAIL_1> og <EMAIL_1>");
    let r = &lines[0]["replacements"][1];
    assert_eq!(
        (r["start"].as_u64(), r["end"].as_u64()),
        (Some(15), Some(21))
    );
    assert_eq!(
        (r["kind"].as_str(), r["operator"].as_str()),
        (Some("EMAIL"), Some("pseudonym"))
    );
    assert!(!lines[0].to_string().contains("a@b.dk"));
    assert_eq!(lines[1]["error"]["code"], "missing_field");
    assert_eq!(lines[2]["text"], "intet");
    assert!(String::from_utf8(out.stderr).unwrap().contains("line 2"));
}

/// Berlin's `030 1234567` is also a number in Utrecht: a line's `lang` says which country's
/// formats come first, so the two spellings of one German number get one pseudonym.
#[test]
fn each_jsonl_line_is_read_in_its_own_language() {
    const NUMBER: &str = "Ring 030 1234567 oder +49 30 1234567";
    let input = format!(
        "{{\"text\": \"{NUMBER}\", \"lang\": \"de\"}}\n{{\"text\": \"{NUMBER}\"}}\n{{\"text\": \"{NUMBER}\", \"lang\": \"nl\"}}\n"
    );
    let texts = |args: &[&str]| -> Vec<String> {
        ok(args, input.as_bytes())
            .lines()
            .map(|l| {
                let v: Value = serde_json::from_str(l).unwrap();
                v["text"].as_str().unwrap().to_owned()
            })
            .collect()
    };
    let one = "Ring <PHONE_1> oder <PHONE_1>";
    let two = "Ring <PHONE_1> oder <PHONE_2>";
    assert_eq!(texts(&["pii", "redact", "--jsonl"]), [one, two, two]);
    // `--lang` is for lines that name none; a line's own `lang` wins over it.
    assert_eq!(
        texts(&["pii", "redact", "--jsonl", "--lang", "de"]),
        [one, one, two]
    );
}

#[test]
fn bad_input_is_refused_with_a_clear_error() {
    let err = fails(&["pii", "redact"], b"caf\xe9 a@b.dk");
    assert!(err.contains("not valid UTF-8"), "{err}");
    let err = fails(&["pii", "redact", "--max-bytes", "10"], TEXT.as_bytes());
    assert!(err.contains("larger than --max-bytes 10"), "{err}");
    let err = fails(
        &["pii", "redact", "--operator", "scramble"],
        TEXT.as_bytes(),
    );
    assert!(err.contains("unknown operator `scramble`"), "{err}");
    let err = fails(
        &["pii", "redact", "--operator", "SHOE_SIZE=mask"],
        TEXT.as_bytes(),
    );
    assert!(err.contains("unknown entity kind `SHOE_SIZE`"), "{err}");
    let err = fails(&["pii", "redact", "--operator", "encrypt"], TEXT.as_bytes());
    assert!(err.contains("CANDOR_PII_ENCRYPTION_KEY"), "{err}");
    let err = fails(&["pii", "redact", "--lang", "Danish"], TEXT.as_bytes());
    assert!(err.contains("--lang"), "{err}");
}

fn policy_with(dir: &Path, tables: &str) -> String {
    let path = dir.join("policy.toml");
    let shipped =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../policy.toml")).unwrap();
    std::fs::write(&path, format!("{shipped}\n{tables}")).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn custom_recognisers_come_from_the_policy_file() {
    let dir = tempfile::tempdir().unwrap();
    let policy = policy_with(
        dir.path(),
        "[[pii.custom]]\nname = \"ORDER_NUMBER\"\npattern = 'ORD-\\d{4}-\\d{4}'\n\n[[pii.custom]]\nname = \"LOYALTY_CARD\"\npattern = '\\b\\d{12}\\b'\nchecksum = \"luhn\"\n",
    );
    let out = ok(
        &["pii", "redact", "--policy", &policy],
        "Ordre ORD-2024-0042, kort 123456789015 og 123456789016.".as_bytes(),
    );
    assert_eq!(
        out,
        "Ordre <ORDER_NUMBER_1>, kort <LOYALTY_CARD_1> og 123456789016."
    );
    let bad = policy_with(
        dir.path(),
        "[[pii.custom]]\nname = \"\"\npattern = 'ORD-(\\d'\nchecksum = \"crc32\"\n",
    );
    let err = fails(&["pii", "redact", "--policy", &bad], b"x");
    for problem in [
        "name is empty",
        "pattern does not compile",
        "unknown checksum `crc32`",
    ] {
        assert!(err.contains(problem), "{problem} missing from {err}");
    }
}

#[test]
fn eval_pii_prints_the_json_shape_with_exact_figures() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("labelled.jsonl");
    // Two labels: the e-mail exactly; the phone label leaves out the country code, so it
    // matches by overlap but not exactly.
    std::fs::write(
        &data,
        "{\"text\": \"Skriv til ole@example.dk\", \"spans\": [{\"start\": 10, \"end\": 24, \"type\": \"EMAIL\"}]}\n{\"text\": \"Ring +45 22 33 44 55\", \"spans\": [{\"start\": 9, \"end\": 20, \"type\": \"PHONE\"}]}\n{\"text\": \"Intet her.\", \"spans\": []}\n",
    )
    .unwrap();
    let out = ok(
        &[
            "eval",
            "pii",
            "--data",
            data.to_str().unwrap(),
            "--format",
            "json",
        ],
        b"",
    );
    let report: Value = serde_json::from_str(&out).unwrap();
    for key in ["precision", "recall", "f1"] {
        assert!(report["typed"][key].is_f64(), "typed.{key}: {report}");
    }
    assert_eq!(report["typed"]["f1"], 1.0);
    assert_eq!(report["untyped_recall"], 1.0);
    assert_eq!(report["leak_rate"], 0.0);
    assert_eq!(report["per_kind"]["EMAIL"]["exact"]["f1"], 1.0);
    assert_eq!(report["per_kind"]["PHONE"]["exact"]["tp"], 0);
    assert_eq!(report["exact"]["typed"]["precision"], 0.5);
    assert_eq!(report["texts"], 3);

    let md = ok(
        &[
            "eval",
            "pii",
            "--data",
            data.to_str().unwrap(),
            "--format",
            "md",
        ],
        b"",
    );
    assert!(md.contains("| EMAIL | 1.000 |"), "{md}");
    assert!(md.contains("leak rate 0.0%"), "{md}");

    let iob = dir.path().join("names.iob2");
    std::fs::write(
        &iob,
        "1\tHej\tO\n2\tMette\tB-PER\n3\tJensen\tI-PER\n4\t!\tO\n\n",
    )
    .unwrap();
    let report: Value = serde_json::from_str(&ok(
        &[
            "eval",
            "pii",
            "--data",
            iob.to_str().unwrap(),
            "--format",
            "json",
        ],
        b"",
    ))
    .unwrap();
    assert_eq!(report["texts"], 1);
    assert!(report["per_kind"]["PERSON"].is_object(), "{report}");
}

#[test]
fn eval_pii_names_the_bad_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("bad.jsonl");
    std::fs::write(
        &data,
        "{\"text\": \"ok\", \"spans\": []}\n{\"text\": \"ab\", \"spans\": [{\"start\": 0, \"end\": 9, \"type\": \"EMAIL\"}]}\n",
    )
    .unwrap();
    let err = fails(&["eval", "pii", "--data", data.to_str().unwrap()], b"");
    assert!(
        err.contains("line 2") && err.contains("outside the text"),
        "{err}"
    );
    let err = fails(&["eval", "pii", "--data", "notes.txt"], b"");
    assert!(err.contains("cannot tell the format"), "{err}");
}
