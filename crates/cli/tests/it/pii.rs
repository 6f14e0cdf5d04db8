//! `candor pii detect`: one output line per input line, spans into the original text, values
//! gone from the pseudonymised text, bad lines named by number.

use std::io::Write;
use std::process::{Output, Stdio};

use serde_json::{Value, json};

use crate::candor;

/// One text per kind, and the value in it that must be found.
const EVERY_KIND: &[(&str, &str, &str)] = &[
    (
        "EMAIL",
        "Skriv til mette.jensen@example.dk, tak.",
        "mette.jensen@example.dk",
    ),
    (
        "PHONE",
        "Bitte rufen Sie mich unter +49 30 12345678 zurück.",
        "+49 30 12345678",
    ),
    (
        "IBAN",
        "Mijn rekening is NL91 ABNA 0417 1643 00.",
        "NL91 ABNA 0417 1643 00",
    ),
    (
        "CREDIT_CARD",
        "I paid with card 4111 1111 1111 1111 twice.",
        "4111 1111 1111 1111",
    ),
    (
        "IP_ADDRESS",
        "The login came from IP 203.0.113.7 today.",
        "203.0.113.7",
    ),
    (
        "URL",
        "See https://example.com/orders?id=7.",
        "https://example.com/orders?id=7",
    ),
    ("DK_CPR", "Mit CPR-nr. er 070761-4285.", "070761-4285"),
    ("NL_BSN", "Mijn BSN is 1112.22.333.", "1112.22.333"),
    (
        "DE_TAX_ID",
        "Meine Steuer-ID lautet 86 095 742 719.",
        "86 095 742 719",
    ),
    (
        "DE_SVNR",
        "Rentenversicherungsnummer 65 170839 J 00 3.",
        "65 170839 J 00 3",
    ),
    (
        "DE_KVNR",
        "Meine Versichertennummer ist A123456780.",
        "A123456780",
    ),
    (
        "DE_ID_DOCUMENT",
        "Personalausweis L01X00T471, gültig.",
        "L01X00T471",
    ),
    (
        "VAT_NUMBER",
        "Ons btw-nummer is NL004495445B01.",
        "NL004495445B01",
    ),
    ("GB_NINO", "My NI number is JG 10 37 59 A.", "JG 10 37 59 A"),
    ("GB_NHS", "NHS number: 943 476 5919.", "943 476 5919"),
    ("US_SSN", "SSN 536-22-8726 please.", "536-22-8726"),
];

fn parse_lines(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .expect("output is UTF-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("each output line is JSON"))
        .collect()
}

/// Runs `candor pii detect` with `input` on standard input and `args` after `detect`.
fn detect_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = candor()
        .args(["pii", "detect"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start candor pii detect");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input).unwrap();
    drop(stdin);
    child.wait_with_output().unwrap()
}

#[test]
fn every_kind_is_found_and_pseudonymised_with_offsets_into_the_original() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let mut jsonl = String::new();
    for (i, (_, text, _)) in EVERY_KIND.iter().enumerate() {
        // `lang` and unknown fields are accepted; `lang` only orders the telephone formats.
        jsonl.push_str(&json!({"text": text, "lang": "en", "id": i}).to_string());
        jsonl.push('\n');
    }
    std::fs::write(&input, jsonl).unwrap();

    let out = candor()
        .args(["pii", "detect", "--input"])
        .arg(&input)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{stderr}");
    assert!(stderr.is_empty(), "nothing to report:\n{stderr}");

    let lines = parse_lines(&out);
    assert_eq!(
        lines.len(),
        EVERY_KIND.len(),
        "one output line per input line"
    );
    for ((kind, text, value), line) in EVERY_KIND.iter().zip(&lines) {
        let spans = line["spans"].as_array().unwrap();
        assert_eq!(spans.len(), 1, "{kind}: {line}");
        let span = &spans[0];
        assert_eq!(span["kind"], *kind, "{text}");
        let (start, end) = (
            span["start"].as_u64().unwrap() as usize,
            span["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(&text[start..end], *value, "{kind}");
        let score = span["score"].as_f64().unwrap();
        assert!(score > 0.0 && score <= 1.0, "{kind}: {score}");
        let pseudonymised = line["text_pseudonymised"].as_str().unwrap();
        assert!(!pseudonymised.contains(value), "{kind}: {pseudonymised}");
        assert!(
            pseudonymised.contains(&format!("<{kind}_1>")),
            "{kind}: {pseudonymised}"
        );
    }
}

#[test]
fn ordinals_count_distinct_values_per_kind_within_a_line() {
    let line = json!({
        "text": "Ｍａｉｌ a@b.dk or A@B.DK, else c@d.dk; CPR 0707\u{200B}61-4285"
    });
    let out = detect_stdin(&[], format!("{line}\n").as_bytes());
    assert_eq!(out.status.code(), Some(0));
    let lines = parse_lines(&out);
    assert_eq!(
        lines[0]["text_pseudonymised"],
        "Mail <EMAIL_1> or <EMAIL_1>, else <EMAIL_2>; CPR <DK_CPR_1>"
    );
    let text = line["text"].as_str().unwrap();
    let cpr = &lines[0]["spans"][3];
    let (start, end) = (
        cpr["start"].as_u64().unwrap() as usize,
        cpr["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(
        &text[start..end],
        "0707\u{200B}61-4285",
        "the span covers the hidden character"
    );
}

#[test]
fn bad_lines_are_reported_by_number_and_answered_in_place() {
    let mut input = Vec::new();
    for line in [
        br#"{"text": "Mit CPR-nr. er 070761-4285"}"#.as_slice(),
        b"{not json",
        b"{\"text\": \"caf\xE9\"}",
        br#"{"lang": "da"}"#,
        br#"{"text": 7}"#,
        br#"{"text": "Hallo", "lang": "Deutsch"}"#,
        br#"{"text": "no personal data here"}"#,
    ] {
        input.extend_from_slice(line);
        input.push(b'\n');
    }
    let out = detect_stdin(&["--input", "-"], &input);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "some lines failed:\n{stderr}");
    for expected in [
        "line 2: body is not valid JSON",
        "line 3: not valid UTF-8",
        "line 4: missing field `text`",
        "line 5:",
        "line 6: lang:",
    ] {
        assert!(
            stderr.contains(expected),
            "`{expected}` missing from stderr:\n{stderr}"
        );
    }
    assert!(
        !stderr.contains("line 1:") && !stderr.contains("line 7:"),
        "{stderr}"
    );

    let lines = parse_lines(&out);
    assert_eq!(lines.len(), 7, "one output line per input line");
    assert_eq!(lines[0]["text_pseudonymised"], "Mit CPR-nr. er <DK_CPR_1>");
    for (i, code) in [
        (1, "malformed_json"),
        (2, "not_utf8"),
        (3, "missing_field"),
        (4, "invalid_field"),
        (5, "invalid_field"),
    ] {
        assert_eq!(lines[i]["line"], i + 1, "{}", lines[i]);
        assert_eq!(lines[i]["error"]["code"], code, "{}", lines[i]);
        assert!(
            lines[i]["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    assert_eq!(
        lines[6],
        json!({"spans": [], "text_pseudonymised": "no personal data here"})
    );
}

#[test]
fn standard_input_is_read_when_no_input_is_given() {
    let out = detect_stdin(&[], b"{\"text\": \"BSN 111222333\"}\n{\"text\": \"\"}");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = parse_lines(&out);
    assert_eq!(lines.len(), 2, "the last line needs no newline");
    assert_eq!(lines[0]["text_pseudonymised"], "BSN <NL_BSN_1>");
    assert_eq!(lines[1], json!({"spans": [], "text_pseudonymised": ""}));
}

#[test]
fn a_missing_input_file_is_an_error_of_the_run() {
    let out = candor()
        .args(["pii", "detect", "--input", "/nonexistent/in.jsonl"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read /nonexistent/in.jsonl"));
    assert!(out.stdout.is_empty());
}

#[test]
fn help_shows_the_formats_and_an_example() {
    let out = candor().args(["pii", "--help"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Example:\n  candor pii detect"));
    let out = candor().args(["pii", "detect", "--help"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    for expected in [
        "Example:",
        "candor pii detect --input",
        "text_pseudonymised",
        "--input <FILE.jsonl>",
    ] {
        assert!(
            help.contains(expected),
            "`{expected}` missing from:\n{help}"
        );
    }
}
