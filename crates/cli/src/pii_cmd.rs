//! `candor pii`: personal data in texts, without a server or a database.
//!
//! `candor pii detect` reads JSON lines `{"text", "lang"?}` and writes, for each, in the same
//! order, `{"spans": [{"start", "end", "kind", "score"}], "text_pseudonymised"}`: the spans as
//! byte offsets into the ORIGINAL text, and the normalised text with every value replaced by
//! a token numbered within that line (the first distinct value of a kind is 1). A bad line
//! gives `{"line": N, "error": {"code", "message"}}` in its place and `line N: problem` on
//! stderr; the run goes on and ends non-zero. The interface is specified in
//! `docs/specs/pii.md`.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use candor_core::Lang;
use candor_pii::{Registry, local_ordinals, normalise, pseudonymise};
use candor_server::parse_json;
use clap::{Args, Subcommand};
use serde::{Deserialize, Serialize};

/// `candor pii …`.
#[derive(Debug, Subcommand)]
pub enum PiiCommand {
    /// Find personal data in JSON lines and pseudonymise it, one output line per input line.
    #[command(
        after_help = "Each input line: {\"text\": \"…\", \"lang\"?: \"da\"} (other fields are ignored).\nEach output line, in input order: {\"spans\": [{\"start\", \"end\", \"kind\", \"score\"}], \"text_pseudonymised\": \"…\"},\nwith byte offsets into the original text; tokens are numbered within the line (<EMAIL_1>, <EMAIL_2>, …).\nA bad line gives {\"line\": N, \"error\": {\"code\", \"message\"}} and `line N: problem` on stderr.\nExit status: 0 when every line was read, 1 otherwise. Format: docs/specs/pii.md.\n\nExample:\n  candor pii detect --input messages.jsonl > found.jsonl\n  echo '{\"text\": \"Mit CPR-nr. er 070761-4285\"}' | candor pii detect"
    )]
    Detect(DetectArgs),
}

/// The arguments of `candor pii detect`.
#[derive(Debug, Args)]
pub struct DetectArgs {
    /// Input, one JSON object per line [default: standard input; `-` also means standard
    /// input].
    #[arg(long, value_name = "FILE.jsonl")]
    pub input: Option<PathBuf>,
}

/// One input line; fields other than these are ignored.
#[derive(Debug, Deserialize)]
struct DetectLine {
    text: String,
    #[serde(default)]
    lang: Option<String>,
}

#[derive(Serialize)]
struct SpanOut {
    start: usize,
    end: usize,
    kind: &'static str,
    score: f32,
}

#[derive(Serialize)]
struct DetectedLine {
    spans: Vec<SpanOut>,
    text_pseudonymised: String,
}

/// What a run did.
#[derive(Debug, Default)]
pub struct DetectSummary {
    /// Lines read and answered with detections.
    pub processed: u64,
    /// Lines that failed, with their line numbers.
    pub failed: Vec<u64>,
}

/// Runs a `candor pii` command; whether every line succeeded.
///
/// # Errors
///
/// When the input cannot be read or the output cannot be written.
pub fn run(command: &PiiCommand) -> anyhow::Result<bool> {
    match command {
        PiiCommand::Detect(args) => {
            let stdout = io::stdout().lock();
            let summary = match args.input.as_deref() {
                None => detect(io::stdin().lock(), stdout, "standard input")?,
                Some(path) if path == Path::new("-") => {
                    detect(io::stdin().lock(), stdout, "standard input")?
                }
                Some(path) => {
                    let file = File::open(path)
                        .with_context(|| format!("cannot read {}", path.display()))?;
                    detect(BufReader::new(file), stdout, &path.display().to_string())?
                }
            };
            Ok(summary.failed.is_empty())
        }
    }
}

/// `candor pii detect` over `input`, writing one line per input line to `output`.
///
/// # Errors
///
/// When `input` cannot be read or `output` cannot be written; bad lines are not errors of the
/// run, they are counted in the summary.
pub fn detect(
    input: impl BufRead,
    output: impl Write,
    input_name: &str,
) -> anyhow::Result<DetectSummary> {
    let registry = Registry::default();
    let mut out = BufWriter::new(output);
    let mut summary = DetectSummary::default();
    for (index, raw) in input.split(b'\n').enumerate() {
        let line = index as u64 + 1;
        let mut raw = raw.with_context(|| format!("cannot read {input_name} at line {line}"))?;
        if raw.last() == Some(&b'\r') {
            raw.pop();
        }
        match detect_line(&registry, &raw) {
            Ok(found) => {
                serde_json::to_writer(&mut out, &found)?;
                summary.processed += 1;
            }
            Err((code, message)) => {
                eprintln!("line {line}: {message}");
                crate::jsonl::write_error(&mut out, line, code, &message)?;
                summary.failed.push(line);
            }
        }
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(summary)
}

/// The detections of one line, or its error code and message.
fn detect_line(registry: &Registry, raw: &[u8]) -> Result<DetectedLine, (&'static str, String)> {
    if std::str::from_utf8(raw).is_err() {
        return Err(("not_utf8", "not valid UTF-8".to_owned()));
    }
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(("empty_line", "empty line".to_owned()));
    }
    let parsed: DetectLine = parse_json(raw).map_err(|e| (e.code(), e.message().to_owned()))?;
    if let Some(lang) = &parsed.lang {
        lang.parse::<Lang>()
            .map_err(|e| ("invalid_field", format!("lang: {e}")))?;
    }
    let normalised = normalise(&parsed.text);
    let found = registry.detect(&normalised.text);
    let ordinals = local_ordinals(&found);
    Ok(DetectedLine {
        spans: found
            .iter()
            .map(|d| {
                let span = normalised.map.to_original(d.span);
                SpanOut {
                    start: span.start,
                    end: span.end,
                    kind: d.kind.as_str(),
                    score: d.score,
                }
            })
            .collect(),
        text_pseudonymised: pseudonymise(&normalised.text, &found, &ordinals),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8]) -> (Vec<serde_json::Value>, DetectSummary) {
        let mut out = Vec::new();
        let summary = detect(input, &mut out, "test").unwrap();
        let values = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (values, summary)
    }

    #[test]
    fn spans_are_byte_offsets_into_the_original_text() {
        let (out, summary) = lines(
            "{\"text\": \"Ｍｉｔ CPR: ０７０７６１-４２８５, ole@x.dk\", \"id\": 7}\r\n".as_bytes(),
        );
        assert_eq!(summary.processed, 1);
        let text = "Ｍｉｔ CPR: ０７０７６１-４２８５, ole@x.dk";
        let span = &out[0]["spans"][0];
        let (start, end) = (
            span["start"].as_u64().unwrap() as usize,
            span["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(&text[start..end], "０７０７６１-４２８５");
        assert_eq!(span["kind"], "DK_CPR");
        assert_eq!(
            out[0]["text_pseudonymised"],
            "Mit CPR: <DK_CPR_1>, <EMAIL_1>"
        );
    }

    #[test]
    fn bad_lines_are_answered_in_place() {
        let (out, summary) = lines(
            b"{\"text\": \"hi\", \"lang\": \"DAN\"}\n\n{\"lang\": \"da\"}\n{\"text\": \"ok\"}\n",
        );
        assert_eq!(summary.failed, vec![1, 2, 3]);
        assert_eq!(out[0]["error"]["code"], "invalid_field");
        assert_eq!(out[1]["error"]["code"], "empty_line");
        assert_eq!(out[2]["error"]["code"], "missing_field");
        assert_eq!(out[3]["text_pseudonymised"], "ok");
    }
}
