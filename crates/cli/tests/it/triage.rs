//! `candor triage`: one output line per input line, bad lines named by number, the rest go on.

use serde_json::Value;

use crate::candor;

#[test]
fn bad_lines_are_reported_by_number_and_the_rest_are_triaged_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let output = dir.path().join("out.jsonl");
    let danish =
        r#"{"customer_id": "t-1", "text": "Hej, skriv til mette@example.dk", "channel": "email"}"#;
    let english = r#"{"customer_id": "t-2", "conversation_id": "tc-1", "text": "Refund to GB82 WEST 1234 5698 7654 32 please"}"#;
    let again = r#"{"customer_id": "t-2", "conversation_id": "tc-1", "text": "Did you get GB82WEST12345698765432?"}"#;
    let mut bytes = Vec::new();
    for line in [
        danish.as_bytes(),
        b"{not json",
        b"{\"customer_id\": \"t-3\", \"text\": \"caf\xE9\"}",
        br#"{"customer_id": "t-4"}"#,
        english.as_bytes(),
        b"",
        again.as_bytes(),
        br#"{"customer_id": "t-5", "text": "hi", "channel": "pigeon"}"#,
    ] {
        bytes.extend_from_slice(line);
        bytes.push(b'\n');
    }
    std::fs::write(&input, &bytes).unwrap();

    let out = candor()
        .current_dir(dir.path())
        .args(["triage", "--input"])
        .arg(&input)
        .arg("--output")
        .arg(&output)
        .args(["--data-dir"])
        .arg(dir.path().join("data"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "some lines failed, so the exit status is non-zero:\n{stderr}"
    );
    for expected in [
        "line 2: body is not valid JSON",
        "line 3: not valid UTF-8",
        "line 4: missing field `text`",
        "line 6: empty line",
        "line 8:",
        "3 processed, 5 failed",
    ] {
        assert!(
            stderr.contains(expected),
            "`{expected}` missing from stderr:\n{stderr}"
        );
    }

    let lines: Vec<Value> = std::fs::read_to_string(&output)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 8, "one output line per input line");
    for (i, l) in lines.iter().enumerate() {
        assert_eq!(l["line"], i + 1);
    }
    let failed: Vec<usize> = lines
        .iter()
        .filter(|l| l.get("error").is_some())
        .map(|l| l["line"].as_u64().unwrap() as usize)
        .collect();
    assert_eq!(failed, [2, 3, 4, 6, 8]);
    assert_eq!(lines[3]["error"]["code"], "missing_field");

    let first = &lines[0]["decision"];
    assert!(
        first["route"] == "bot" || first["route"] == "human",
        "{first}"
    );
    // The interface of issue 4: every decision says what was understood.
    for field in [
        "language",
        "intent",
        "sentiment",
        "frustration",
        "human_request",
    ] {
        assert!(first.get(field).is_some(), "{field} missing: {first}");
    }
    assert!(first["intent"]["confidence"].is_number(), "{first}");
    assert!(first["intent"]["abstained"].is_boolean(), "{first}");
    assert!(first["frustration"]["score"].is_number(), "{first}");
    assert!(first["frustration"]["reasons"].is_array(), "{first}");
    assert_eq!(first["human_request"]["detected"], false);
    assert_eq!(first["language"]["code"], "da");
    assert_eq!(first["pseudonymised_text"], "Hej, skriv til <EMAIL_1>");
    let original: Value = serde_json::from_str(danish).unwrap();
    let text = original["text"].as_str().unwrap();
    let span = &first["pii"][0];
    assert_eq!(
        &text[span["start"].as_u64().unwrap() as usize..span["end"].as_u64().unwrap() as usize],
        "mette@example.dk"
    );
    assert_eq!(span["kind"], "EMAIL");

    // The same IBAN, spaced differently, is the same pseudonym in the same conversation.
    assert_eq!(lines[4]["decision"]["pii"][0]["token"], "<IBAN_1>");
    assert_eq!(lines[6]["decision"]["pii"][0]["token"], "<IBAN_1>");
    assert_eq!(lines[6]["conversation_id"], "tc-1");
}

#[test]
fn a_clean_file_exits_zero_and_writes_to_stdout_without_an_output_flag() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, "{\"customer_id\":\"a\",\"text\":\"Ich möchte meine Adresse ändern.\"}\r\n{\"customer_id\":\"b\",\"text\":\"Waar blijft mijn pakket?\"}").unwrap();
    let out = candor()
        .current_dir(dir.path())
        .args(["triage", "--input"])
        .arg(&input)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let langs: Vec<String> = stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["decision"]["language"]["code"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(langs, ["de", "nl"]);
}

#[test]
fn a_missing_input_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = candor()
        .current_dir(dir.path())
        .args(["triage", "--input", "nope.jsonl"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope.jsonl"));
}
