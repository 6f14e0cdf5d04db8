//! `candor triage`: the message path over a JSONL file, without a server.
//!
//! One output line per input line, in the same order: the decision (the same shape as the
//! API's, plus `line`), or `{"line": N, "error": {...}}` for a line that could not be
//! processed. Bad lines are also reported on stderr with their line number; the run goes on,
//! and ends non-zero if any line failed.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use candor_pipeline::{Inbound, PipelineError};
use candor_server::dto::{ChannelDto, MessageCreated};
use candor_server::parse_json;
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};

use crate::config::CandorConfig;

/// One input line.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TriageLine {
    customer_id: String,
    text: String,
    #[serde(default)]
    conversation_id: Option<String>,
    #[serde(default)]
    channel: Option<ChannelDto>,
    #[serde(default)]
    metadata: Option<serde_json::Value>,
}

#[derive(Serialize)]
struct DecisionLine<'a> {
    line: u64,
    #[serde(flatten)]
    created: &'a MessageCreated,
}

/// What a run did.
#[derive(Debug, Default)]
pub struct Summary {
    /// Lines processed and recorded.
    pub processed: u64,
    /// Lines that failed, with their line numbers.
    pub failed: Vec<u64>,
    by_route: BTreeMap<String, u64>,
    by_language: BTreeMap<String, u64>,
    pii: BTreeMap<String, u64>,
}

fn count_lines(path: &Path) -> io::Result<u64> {
    let mut reader = BufReader::new(File::open(path)?);
    let mut n = 0;
    let mut buf = Vec::new();
    while reader.read_until(b'\n', &mut buf)? > 0 {
        n += 1;
        buf.clear();
    }
    Ok(n)
}

/// `candor triage --input FILE --output FILE`.
///
/// # Errors
///
/// When the input cannot be read, the output cannot be written, or Candor cannot start.
/// Bad lines are not errors of the run: they are counted in the summary.
pub async fn run(
    config: CandorConfig,
    input: &Path,
    output: Option<&Path>,
) -> anyhow::Result<Summary> {
    let total = count_lines(input).with_context(|| format!("cannot read {}", input.display()))?;
    let (pipeline, _ledger) = crate::app::build(&config).await?;
    let reader = BufReader::new(
        File::open(input).with_context(|| format!("cannot read {}", input.display()))?,
    );
    let mut out: Box<dyn Write> = match output {
        Some(path) => Box::new(BufWriter::new(
            File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(BufWriter::new(io::stdout().lock())),
    };

    let bar = if io::stderr().is_terminal() {
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} lines ({per_sec}, eta {eta})",
            )
            .expect("valid progress template"),
        );
        bar
    } else {
        ProgressBar::hidden()
    };

    let started = Instant::now();
    let mut summary = Summary::default();
    let report = |summary: &mut Summary,
                  out: &mut dyn Write,
                  line: u64,
                  code: &str,
                  message: &str|
     -> io::Result<()> {
        bar.suspend(|| eprintln!("line {line}: {message}"));
        summary.failed.push(line);
        crate::jsonl::write_error(out, line, code, message)?;
        out.write_all(b"\n")
    };

    for (index, raw) in reader.split(b'\n').enumerate() {
        let line = index as u64 + 1;
        let mut raw =
            raw.with_context(|| format!("cannot read {} at line {line}", input.display()))?;
        if raw.last() == Some(&b'\r') {
            raw.pop();
        }
        bar.inc(1);
        if std::str::from_utf8(&raw).is_err() {
            report(&mut summary, &mut out, line, "not_utf8", "not valid UTF-8")?;
            continue;
        }
        if raw.iter().all(u8::is_ascii_whitespace) {
            report(&mut summary, &mut out, line, "empty_line", "empty line")?;
            continue;
        }
        let parsed: TriageLine = match parse_json(&raw) {
            Ok(p) => p,
            Err(e) => {
                report(&mut summary, &mut out, line, e.code(), e.message())?;
                continue;
            }
        };
        let metadata = match parsed.metadata {
            None | Some(serde_json::Value::Null) => None,
            Some(v @ serde_json::Value::Object(_)) => Some(v.to_string()),
            Some(_) => {
                report(
                    &mut summary,
                    &mut out,
                    line,
                    "invalid_field",
                    "metadata: must be a JSON object",
                )?;
                continue;
            }
        };
        let inbound = Inbound {
            customer_id: parsed.customer_id,
            conversation_id: parsed.conversation_id,
            channel: parsed.channel.unwrap_or(ChannelDto::Api).into(),
            text: parsed.text,
            metadata,
        };
        match pipeline.process(inbound).await {
            Ok(outcome) => {
                let created = MessageCreated::from(&outcome);
                serde_json::to_writer(
                    &mut out,
                    &DecisionLine {
                        line,
                        created: &created,
                    },
                )?;
                out.write_all(b"\n")?;
                summary.processed += 1;
                *summary
                    .by_route
                    .entry(created.decision.route.clone())
                    .or_default() += 1;
                *summary
                    .by_language
                    .entry(
                        created
                            .decision
                            .language
                            .code
                            .clone()
                            .unwrap_or_else(|| "unknown".into()),
                    )
                    .or_default() += 1;
                for p in &created.decision.pii {
                    *summary.pii.entry(p.kind.clone()).or_default() += 1;
                }
            }
            Err(PipelineError::Store(e)) => {
                // Storage failing is not the line's fault; stop rather than fail every line.
                out.flush()?;
                return Err(anyhow::Error::new(e).context(format!(
                    "storage failed at line {line}; lines before it are recorded"
                )));
            }
            Err(e) => {
                let code = match &e {
                    PipelineError::Invalid(_) => "invalid_field",
                    PipelineError::ConversationConflict(_) => "conversation_conflict",
                    _ => "failed",
                };
                report(&mut summary, &mut out, line, code, &e.to_string())?;
            }
        }
    }
    out.flush()?;
    bar.finish_and_clear();

    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "triage: {} processed, {} failed, {:.1} s ({:.0} messages/s)",
        summary.processed,
        summary.failed.len(),
        secs,
        summary.processed as f64 / secs.max(1e-9)
    );
    let fmt = |m: &BTreeMap<String, u64>| {
        m.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    eprintln!("  routes:    {}", fmt(&summary.by_route));
    eprintln!("  languages: {}", fmt(&summary.by_language));
    eprintln!(
        "  pii found: {}",
        if summary.pii.is_empty() {
            "none".to_owned()
        } else {
            fmt(&summary.pii)
        }
    );
    if !summary.failed.is_empty() {
        let shown: Vec<String> = summary.failed.iter().take(20).map(u64::to_string).collect();
        eprintln!(
            "  failed lines: {}{}",
            shown.join(", "),
            if summary.failed.len() > 20 {
                ", …"
            } else {
                ""
            }
        );
    }
    Ok(summary)
}
