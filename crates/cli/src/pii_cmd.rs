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
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use candor_core::{EntityKind, Lang};
use candor_pii::{
    CustomRecognizer, EncryptionKey, Operator, OperatorError, Operators, PhoneConfig, PhoneRegion,
    Pseudonyms, Registry, Rewritten, decrypt_tokens, local_ordinals, normalise, pseudonymise,
};
use candor_pii::{corpora, eval};
use candor_server::parse_json;
use clap::{Args, Subcommand, ValueEnum};
use serde::{Deserialize, Serialize};

/// `candor pii …`.
#[derive(Debug, Subcommand)]
pub enum PiiCommand {
    /// Find personal data in JSON lines and pseudonymise it, one output line per input line.
    #[command(
        after_help = "Each input line: {\"text\": \"…\", \"lang\"?: \"da\"} (other fields are ignored).\nEach output line, in input order: {\"spans\": [{\"start\", \"end\", \"kind\", \"score\"}], \"text_pseudonymised\": \"…\"},\nwith byte offsets into the original text; tokens are numbered within the line (<EMAIL_1>, <EMAIL_2>, …).\nA bad line gives {\"line\": N, \"error\": {\"code\", \"message\"}} and `line N: problem` on stderr.\nExit status: 0 when every line was read, 1 otherwise. Format: docs/specs/pii.md.\n\nExample:\n  candor pii detect --input messages.jsonl > found.jsonl\n  echo '{\"text\": \"Mit CPR-nr. er 070761-4285\"}' | candor pii detect"
    )]
    Detect(DetectArgs),
    /// Rewrite the personal data in a text with an operator: redact, mask, type, pseudonym or
    /// encrypt, chosen per kind.
    #[command(
        after_help = "Reads plain text (the whole input is one text) or, with --jsonl, one {\"text\", \"lang\"?} object per line.\nPlain text out, or with --jsonl one {\"text\", \"replacements\": [{\"start\", \"end\", \"kind\", \"operator\", \"output_start\", \"output_end\"}]} per line\n(start/end: bytes of the input; output_*: bytes of the new text; original values are never printed).\nOperators: redact | mask[:N[:C]] (keep the last N characters, default 4, mask char C, default *) | type | pseudonym | encrypt.\nencrypt needs --key-file (64 hex digits) or CANDOR_PII_ENCRYPTION_KEY; `candor pii decrypt` opens the tokens again.\nExit status: 0 when everything was rewritten, 1 when an input line failed, 2 for bad arguments.\n\nExample:\n  echo 'Ring til Søren på 22 33 44 55' | candor pii redact --operator type\n  candor pii redact --input chats.jsonl --jsonl --operator pseudonym --operator PHONE=mask:2\n  candor pii redact --input mail.txt --operator encrypt --key-file pii.key"
    )]
    Redact(RedactArgs),
    /// Open the encrypted tokens (`<EMAIL:enc1:…>`) that `candor pii redact --operator encrypt`
    /// wrote, with the same key.
    #[command(
        after_help = "Example:\n  candor pii decrypt --input redacted.txt --key-file pii.key"
    )]
    Decrypt(DecryptArgs),
}

/// The arguments of `candor pii redact`.
#[derive(Debug, Args)]
pub struct RedactArgs {
    /// Input [default: standard input; `-` also means standard input].
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Read and write JSON lines (`{"text", "lang"?}` in) instead of one plain text.
    #[arg(long)]
    pub jsonl: bool,
    /// The operator for every kind (`redact`, `mask`, `mask:N`, `mask:N:C`, `type`,
    /// `pseudonym`, `encrypt`), or for one kind with `KIND=operator` (e.g. `PHONE=mask`);
    /// repeatable.
    #[arg(
        long = "operator",
        value_name = "[KIND=]OPERATOR",
        default_value = "pseudonym"
    )]
    pub operators: Vec<String>,
    /// The language of the text (da, nl, de, en): its country's telephone formats are tried
    /// first.
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,
    /// The key for `encrypt`: a file holding 64 hex digits [default: the environment variable
    /// CANDOR_PII_ENCRYPTION_KEY].
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// The largest text accepted, in bytes (the whole input, or one line with --jsonl).
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 20)]
    pub max_bytes: usize,
    /// Custom recognisers: a policy.toml (its [[pii.custom]] tables) whose recognisers run
    /// beside the built-in ones.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
}

/// How `candor eval pii` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PiiEvalFormat {
    /// Tables for people.
    #[value(alias = "md")]
    Markdown,
    /// One JSON object.
    Json,
}

/// The arguments of `candor eval pii`.
#[derive(Debug, Args)]
pub struct EvalPiiArgs {
    /// Labelled texts: Candor's JSONL ({text, spans: [{start, end, type}]}, byte offsets), a
    /// CoNLL/IOB file (.iob2, .conll, .tsv: person names), or Presidio's synthetic JSON.
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    /// The data's format when its file name does not say: jsonl, iob or presidio.
    #[arg(long, value_name = "FORMAT")]
    pub data_format: Option<String>,
    /// Output format (`md` is short for markdown).
    #[arg(long, value_enum, default_value_t = PiiEvalFormat::Markdown)]
    pub format: PiiEvalFormat,
    /// Count detections of kinds the data never labels as false positives too. By default
    /// they are left out: data that labels no IBANs cannot say whether an IBAN found is right.
    #[arg(long)]
    pub count_unlabelled: bool,
    /// Custom recognisers: a policy.toml whose [[pii.custom]] recognisers take part.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
}

/// `candor eval pii`: scores the detector on a labelled file and prints the report.
///
/// # Errors
///
/// When the data cannot be read (the error names the line) or the output written.
pub fn eval(args: &EvalPiiArgs) -> anyhow::Result<()> {
    let format = args
        .data_format
        .as_deref()
        .map(|f| f.parse::<corpora::Format>().map_err(anyhow::Error::msg))
        .transpose()?;
    let custom = match &args.policy {
        Some(path) => load_custom(path)?,
        None => Vec::new(),
    };
    let data = corpora::read(&args.data, format)?;
    if data.is_empty() {
        anyhow::bail!("{} holds no labelled texts", args.data.display());
    }
    let registry = with_custom(Registry::default(), custom);
    let ignored = if args.count_unlabelled {
        Vec::new()
    } else {
        eval::unlabelled_kinds(&data)
    };
    let started = std::time::Instant::now();
    let report = eval::evaluate(&registry, &data, &ignored);
    let seconds = started.elapsed().as_secs_f64();
    let text = match args.format {
        PiiEvalFormat::Json => {
            serde_json::to_string_pretty(&report_json(&report, &ignored))? + "\n"
        }
        PiiEvalFormat::Markdown => report_markdown(&report, &ignored, seconds),
    };
    io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .context("cannot write to standard output")?;
    Ok(())
}

fn counts_json(c: &eval::Counts) -> serde_json::Value {
    serde_json::json!({
        "precision": c.precision(),
        "recall": c.recall(),
        "f1": c.f1(),
        "tp": c.true_positives,
        "fp": c.false_positives,
        "fn": c.false_negatives,
    })
}

/// The JSON shape of `candor eval pii` (stable, see docs/specs/pii.md): overlap figures at
/// the top, exact-span figures under `exact` beside them.
pub fn report_json(report: &eval::Report, ignored: &[EntityKind]) -> serde_json::Value {
    let per_kind: serde_json::Map<String, serde_json::Value> = report
        .per_kind
        .iter()
        .map(|(kind, c)| {
            let mut v = counts_json(c);
            let exact = report.per_kind_exact.get(kind).copied().unwrap_or_default();
            v["exact"] = counts_json(&exact);
            (kind.as_str().to_owned(), v)
        })
        .collect();
    let exact_per_kind: serde_json::Map<String, serde_json::Value> = report
        .per_kind_exact
        .iter()
        .map(|(kind, c)| (kind.as_str().to_owned(), counts_json(c)))
        .collect();
    serde_json::json!({
        "texts": report.texts,
        "typed": counts_json(&report.typed()),
        "untyped_recall": report.untyped_recall,
        "leak_rate": report.leak_rate,
        "per_kind": per_kind,
        "exact": {
            "typed": counts_json(&report.typed_exact()),
            "per_kind": exact_per_kind,
        },
        "ignored_kinds": ignored.iter().map(EntityKind::as_str).collect::<Vec<_>>(),
    })
}

fn report_markdown(report: &eval::Report, ignored: &[EntityKind], seconds: f64) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let row = |out: &mut String, name: &str, o: &eval::Counts, e: &eval::Counts| {
        let _ = writeln!(
            out,
            "| {name} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {} | {} | {} |",
            o.precision(),
            o.recall(),
            o.f1(),
            e.precision(),
            e.recall(),
            e.f1(),
            o.true_positives,
            o.false_positives,
            o.false_negatives
        );
    };
    out.push_str("| kind | P (overlap) | R (overlap) | F1 (overlap) | P (exact) | R (exact) | F1 (exact) | tp | fp | fn |\n");
    out.push_str("|---|---|---|---|---|---|---|---|---|---|\n");
    for (kind, c) in &report.per_kind {
        let e = report.per_kind_exact.get(kind).copied().unwrap_or_default();
        row(&mut out, kind.as_str(), c, &e);
    }
    row(
        &mut out,
        "**typed (micro)**",
        &report.typed(),
        &report.typed_exact(),
    );
    let _ = writeln!(
        out,
        "\n{} texts; untyped recall {:.3}; leak rate {:.1}%; {:.0} texts/s.",
        report.texts,
        report.untyped_recall,
        100.0 * report.leak_rate,
        report.texts as f64 / seconds.max(1e-9)
    );
    if !ignored.is_empty() {
        let names: Vec<&str> = ignored.iter().map(EntityKind::as_str).collect();
        let _ = writeln!(
            out,
            "Not labelled in the data, so not counted as false positives: {}.",
            names.join(", ")
        );
    }
    out
}

/// The arguments of `candor pii decrypt`.
#[derive(Debug, Args)]
pub struct DecryptArgs {
    /// Input [default: standard input].
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// The key file (64 hex digits) [default: CANDOR_PII_ENCRYPTION_KEY].
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
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

/// A line of `pii detect` or `pii redact --jsonl`, checked.
struct ParsedLine {
    text: String,
    lang: Option<Lang>,
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
        PiiCommand::Redact(args) => redact_cmd(args),
        PiiCommand::Decrypt(args) => {
            let key = encryption_key(args.key_file.as_deref())?;
            let text = read_text(args.input.as_deref(), usize::MAX)?;
            let opened = decrypt_tokens(&text, &key)?;
            io::stdout()
                .lock()
                .write_all(opened.as_bytes())
                .context("cannot write to standard output")?;
            Ok(true)
        }
    }
}

/// The custom recognisers of the policy file at `path`.
///
/// # Errors
///
/// When the file cannot be read or the policy is invalid (every problem listed).
pub fn load_custom(path: &Path) -> anyhow::Result<Vec<CustomRecognizer>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read policy file {}", path.display()))?;
    let policy = candor_pipeline::Policy::parse(&text)
        .with_context(|| format!("policy file {}", path.display()))?;
    Ok(policy.custom_recognisers)
}

/// The environment variable that holds the encrypt operator's key when no key file is given.
pub const KEY_ENV: &str = "CANDOR_PII_ENCRYPTION_KEY";

/// The encrypt key from `path`, or from [`KEY_ENV`].
///
/// # Errors
///
/// When neither is given, or the key is not 64 hex digits.
pub fn encryption_key(path: Option<&Path>) -> anyhow::Result<EncryptionKey> {
    match path {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read key file {}", path.display()))?;
            EncryptionKey::from_hex(&text).with_context(|| format!("key file {}", path.display()))
        }
        None => {
            let text = std::env::var(KEY_ENV).map_err(|_| {
                anyhow::anyhow!("encrypt needs a key: --key-file FILE or {KEY_ENV}")
            })?;
            EncryptionKey::from_hex(&text).with_context(|| KEY_ENV.to_owned())
        }
    }
}

/// Operators from `--operator` values: plain names set the default, `KIND=name` one kind.
///
/// # Errors
///
/// An unknown operator or kind, or two defaults.
pub fn parse_operators(values: &[String]) -> anyhow::Result<Operators> {
    let mut default = None;
    let mut per_kind = Vec::new();
    for value in values {
        match value.split_once('=') {
            Some((kind, op)) => {
                let kind = kind
                    .trim()
                    .parse::<EntityKind>()
                    .map_err(|_| OperatorError::UnknownKind(kind.to_owned()))?;
                per_kind.push((kind, op.trim().parse::<Operator>()?));
            }
            None => {
                if default.is_some() {
                    anyhow::bail!(
                        "--operator without KIND= given twice; use KIND=operator for one kind"
                    );
                }
                default = Some(value.trim().parse::<Operator>()?);
            }
        }
    }
    let mut ops = Operators::new(default.unwrap_or(Operator::Pseudonym));
    for (kind, op) in per_kind {
        ops = ops.with_kind(kind, op);
    }
    Ok(ops)
}

/// The telephone region a language's texts are most likely written in, tried first.
fn phone_region(lang: Option<Lang>) -> Option<PhoneRegion> {
    match lang.map(|l| l.to_string()).as_deref() {
        Some("da") => Some(PhoneRegion::DK),
        Some("nl") => Some(PhoneRegion::NL),
        Some("de") => Some(PhoneRegion::DE),
        Some("en") => Some(PhoneRegion::GB),
        _ => None,
    }
}

fn registry_for(first: Option<PhoneRegion>, custom: &[CustomRecognizer]) -> Registry {
    let mut phone = PhoneConfig::default();
    if let Some(first) = first {
        phone.regions.retain(|r| *r != first);
        phone.regions.insert(0, first);
    }
    with_custom(Registry::new(phone), custom.to_vec())
}

/// One registry per telephone region a line's `lang` asks for, built when first needed, so
/// that every line is read with its own language's formats first and a file of one language
/// builds one registry.
struct Registries {
    custom: Vec<CustomRecognizer>,
    /// The language of lines without `lang` (`--lang`, or none).
    fallback: Option<Lang>,
    built: Vec<(Option<PhoneRegion>, Registry)>,
}

impl Registries {
    fn new(fallback: Option<Lang>, custom: Vec<CustomRecognizer>) -> Registries {
        Registries {
            custom,
            fallback,
            built: Vec::new(),
        }
    }

    /// The registry for a line in `lang`, or in the fallback language when it has none.
    fn for_lang(&mut self, lang: Option<Lang>) -> &Registry {
        let region = phone_region(lang.or(self.fallback));
        let at = match self.built.iter().position(|(r, _)| *r == region) {
            Some(at) => at,
            None => {
                self.built
                    .push((region, registry_for(region, &self.custom)));
                self.built.len() - 1
            }
        };
        &self.built[at].1
    }
}

/// Reads all of `path` (or standard input) as one UTF-8 text of at most `max` bytes.
fn read_text(path: Option<&Path>, max: usize) -> anyhow::Result<String> {
    let (name, bytes) = read_bytes(path, max)?;
    String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{name} is not valid UTF-8 (first bad byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

fn read_bytes(path: Option<&Path>, max: usize) -> anyhow::Result<(String, Vec<u8>)> {
    let (name, reader): (String, Box<dyn Read>) = match path {
        None => ("standard input".into(), Box::new(io::stdin().lock())),
        Some(p) if p == Path::new("-") => ("standard input".into(), Box::new(io::stdin().lock())),
        Some(p) => (
            p.display().to_string(),
            Box::new(File::open(p).with_context(|| format!("cannot read {}", p.display()))?),
        ),
    };
    let mut bytes = Vec::new();
    // One byte more than allowed tells an oversized input from one of exactly `max` bytes
    // without reading the rest of it.
    reader
        .take(max.saturating_add(1) as u64)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {name}"))?;
    if bytes.len() > max {
        anyhow::bail!("{name} is larger than --max-bytes {max}");
    }
    Ok((name, bytes))
}

#[derive(Serialize)]
struct ReplacementOut {
    start: usize,
    end: usize,
    kind: &'static str,
    operator: &'static str,
    output_start: usize,
    output_end: usize,
}

#[derive(Serialize)]
struct RedactedLine {
    text: String,
    replacements: Vec<ReplacementOut>,
}

/// Rewrites one text: normalise, detect, and apply the operators to the original.
/// `registry` with a policy's custom recognisers taking part, as on the message path.
fn with_custom(registry: Registry, custom: Vec<CustomRecognizer>) -> Registry {
    custom
        .into_iter()
        .fold(registry, |r, c| r.with(Box::new(c)))
}

fn rewrite(registry: &Registry, ops: &Operators, text: &str) -> Result<Rewritten, OperatorError> {
    let normalised = normalise(text);
    let found = registry.detect(&normalised.text);
    ops.apply_original(text, &normalised, &found, &mut Pseudonyms::default())
}

fn redact_cmd(args: &RedactArgs) -> anyhow::Result<bool> {
    let mut ops = parse_operators(&args.operators)?;
    if ops.validate().is_err() {
        ops = ops.with_key(encryption_key(args.key_file.as_deref())?);
    }
    let lang = args
        .lang
        .as_deref()
        .map(|l| {
            l.parse::<Lang>()
                .map_err(|e| anyhow::anyhow!("--lang: {e}"))
        })
        .transpose()?;
    let custom = match &args.policy {
        Some(path) => load_custom(path)?,
        None => Vec::new(),
    };
    let mut registries = Registries::new(lang, custom);
    let mut out = BufWriter::new(io::stdout().lock());
    if !args.jsonl {
        let text = read_text(args.input.as_deref(), args.max_bytes)?;
        let rewritten = rewrite(registries.for_lang(None), &ops, &text)?;
        out.write_all(rewritten.text.as_bytes())?;
        out.flush()?;
        return Ok(true);
    }
    let (name, bytes) = read_bytes(args.input.as_deref(), usize::MAX)?;
    // The newline that ends the last line starts no line of its own.
    let body = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
    let lines: Vec<&[u8]> = if bytes.is_empty() {
        Vec::new()
    } else {
        body.split(|b| *b == b'\n').collect()
    };
    let mut ok = true;
    for (index, raw) in lines.into_iter().enumerate() {
        let line = index as u64 + 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        match redact_line(&mut registries, &ops, raw, args.max_bytes) {
            Ok(done) => serde_json::to_writer(&mut out, &done)?,
            Err((code, message)) => {
                eprintln!("{name} line {line}: {message}");
                crate::jsonl::write_error(&mut out, line, code, &message)?;
                ok = false;
            }
        }
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(ok)
}

fn redact_line(
    registries: &mut Registries,
    ops: &Operators,
    raw: &[u8],
    max: usize,
) -> Result<RedactedLine, (&'static str, String)> {
    if raw.len() > max {
        return Err((
            "too_large",
            format!("line is larger than --max-bytes {max}"),
        ));
    }
    let parsed = parse_line(raw)?;
    let rewritten = rewrite(registries.for_lang(parsed.lang), ops, &parsed.text)
        .map_err(|e| ("operator_failed", e.to_string()))?;
    Ok(RedactedLine {
        replacements: rewritten
            .mapping
            .values()
            .map(|r| ReplacementOut {
                start: r.original.start,
                end: r.original.end,
                kind: r.kind.map_or("", |k| k.as_str()),
                operator: r.operator.map_or("", |o| o.name()),
                output_start: r.output.start,
                output_end: r.output.end,
            })
            .collect(),
        text: rewritten.text,
    })
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
    let mut registries = Registries::new(None, Vec::new());
    let mut out = BufWriter::new(output);
    let mut summary = DetectSummary::default();
    for (index, raw) in input.split(b'\n').enumerate() {
        let line = index as u64 + 1;
        let mut raw = raw.with_context(|| format!("cannot read {input_name} at line {line}"))?;
        if raw.last() == Some(&b'\r') {
            raw.pop();
        }
        match detect_line(&mut registries, &raw) {
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

/// One input line of `pii detect` or `pii redact --jsonl`, or its error code and message.
fn parse_line(raw: &[u8]) -> Result<ParsedLine, (&'static str, String)> {
    if std::str::from_utf8(raw).is_err() {
        return Err(("not_utf8", "not valid UTF-8".to_owned()));
    }
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(("empty_line", "empty line".to_owned()));
    }
    let parsed: DetectLine = parse_json(raw).map_err(|e| (e.code(), e.message().to_owned()))?;
    let lang = parsed
        .lang
        .map(|l| {
            l.parse::<Lang>()
                .map_err(|e| ("invalid_field", format!("lang: {e}")))
        })
        .transpose()?;
    Ok(ParsedLine {
        text: parsed.text,
        lang,
    })
}

/// The detections of one line, or its error code and message.
fn detect_line(
    registries: &mut Registries,
    raw: &[u8],
) -> Result<DetectedLine, (&'static str, String)> {
    let parsed = parse_line(raw)?;
    let normalised = normalise(&parsed.text);
    let found = registries.for_lang(parsed.lang).detect(&normalised.text);
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
    fn a_lines_lang_puts_its_countrys_phone_formats_first() {
        // `030 1234567` is Berlin with German formats first, Utrecht with Dutch ones.
        let (out, summary) = lines(
            b"{\"text\": \"030 1234567 / +49 30 1234567\", \"lang\": \"de\"}\n{\"text\": \"030 1234567 / +49 30 1234567\"}\n",
        );
        assert_eq!(summary.processed, 2);
        assert_eq!(out[0]["text_pseudonymised"], "<PHONE_1> / <PHONE_1>");
        assert_eq!(out[1]["text_pseudonymised"], "<PHONE_1> / <PHONE_2>");
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
