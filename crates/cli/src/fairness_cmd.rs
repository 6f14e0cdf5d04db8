//! `candor audit fairness`: counterfactual probes through the real pipeline, and group audits
//! of the decisions Candor has logged.
//!
//! `--probe` decides every probe and each of its variants (names, places, tenure, formality,
//! typos; `docs/specs/fairness.md`) with the pipeline as configured (policy, limits, the
//! knowledge base in `kb/`), but in a scratch SQLite database with fresh keys, so that probing
//! never touches the real log. Every message is a new conversation of a new customer, so one
//! probe cannot influence the next.
//!
//! `--since PERIOD` audits the decisions logged in the period per language, channel and the
//! metadata keys `tenure_band` and `region` (`candor_pipeline::fairness_audit`, which the
//! server's `/v1/fairness/report` and scheduled audits share), and appends a `fairness_audit`
//! record of the run to the audit log.
//!
//! The run fails (returns `false`) when a flip rate is above `--max-flip-rate` or the group
//! audit raised an alert, so that a schedule or CI job notices.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use candor_core::{Channel, Decision, Route};
use candor_fairness::runner::{FlipRates, ProbeReport};
use candor_fairness::{
    AuditConfig, FairnessReport, GroupAuditReport, Probe, ProbeLists, ProbeOutcome, Variant,
    baseline, parse_probes, run_probes, shipped_probes, variants,
};
use candor_pii::PseudonymKey;
use candor_pipeline::fairness_audit::{self, GatherProgress, Window};
use candor_pipeline::vault::MasterKey;
use candor_pipeline::{Inbound, Limits, Pipeline};
use candor_store::{SqliteStore, SqliteSync, Store};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Value, json};

use crate::config::CandorConfig;

pub use candor_pipeline::fairness_audit::{METADATA_GROUPS, priority_band};

/// The report's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// JSON (the probe report's keys at the top level, `audit` for the group audit).
    Json,
    /// Markdown.
    Md,
    /// One self-contained HTML page with SVG charts.
    Html,
}

/// The arguments of `candor audit fairness`.
#[derive(Debug, Args)]
pub struct FairnessArgs {
    /// Run counterfactual probes through the pipeline in a scratch database.
    #[arg(long)]
    pub probe: bool,
    /// Probe set, one `{"text", "lang"}` per line [default: the shipped set in da, nl, de, en].
    #[arg(long, value_name = "FILE.jsonl", requires = "probe")]
    pub probe_set: Option<PathBuf>,
    /// Seed for the names and typos the variants use.
    #[arg(long, value_name = "N", default_value_t = 42)]
    pub seed: u64,
    /// Knowledge base imported into the probe pipeline (`DIR/<lang>/*.md`) [default: ./kb when
    /// it exists].
    #[arg(long, value_name = "DIR", requires = "probe")]
    pub kb: Option<PathBuf>,
    /// Channel the probe messages arrive on.
    #[arg(long, value_name = "CHANNEL", default_value = "email", value_parser = parse_channel)]
    pub channel: Channel,
    /// Fail when any flip rate (overall or in one language) is above this [default: the
    /// policy's `fairness.max_flip_rate`, 0.02 unless set].
    #[arg(long, value_name = "RATE")]
    pub max_flip_rate: Option<f64>,
    /// Audit the decisions logged in this period: e.g. 30d, 12h, 2w, 90m.
    #[arg(long, value_name = "PERIOD", value_parser = parse_period)]
    pub since: Option<Duration>,
    /// Groups with fewer decisions are listed but not judged [default: the policy's
    /// `fairness.min_group_size`, 30 unless set].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub min_group_size: Option<u64>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
    /// Write the report here [default: standard output].
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

fn parse_channel(s: &str) -> Result<Channel, String> {
    s.parse().map_err(|e| format!("{e}"))
}

/// Parses a period such as `30d`, `12h`, `2w` or `90m`.
///
/// # Errors
///
/// When the text is not a whole number followed by `m`, `h`, `d` or `w`.
pub fn parse_period(s: &str) -> Result<Duration, String> {
    fairness_audit::parse_period(s).map_err(|e| e.to_string())
}

/// What a probe's decision was, in the fairness crate's terms.
///
/// `bot_answered` means the bot answered from a knowledge-base article; a clarifying question
/// is route `bot` without being an answer.
pub fn probe_outcome(decision: &Decision) -> ProbeOutcome {
    ProbeOutcome {
        route: decision.route.as_str().to_owned(),
        intent: decision
            .understanding
            .intent
            .as_ref()
            .and_then(|i| i.label.clone()),
        priority_score: decision.priority.as_ref().map(|p| p.score),
        priority_band: decision
            .priority
            .as_ref()
            .map(|p| priority_band(p.score).to_owned()),
        bot_answered: decision.route == Route::Bot
            && decision
                .reply
                .as_ref()
                .is_some_and(|r| r.article_id.is_some()),
    }
}

/// `candor audit fairness`. Returns whether every check passed: no flip rate above
/// `--max-flip-rate` and no group-audit alert.
///
/// # Errors
///
/// A probe set that does not parse (naming the line), a language without probe lists, a
/// knowledge base that does not import, a store that cannot be read, or an output that cannot
/// be written.
pub async fn run(args: &FairnessArgs, config: &CandorConfig) -> anyhow::Result<bool> {
    if !args.probe && args.since.is_none() {
        bail!("give --probe, --since PERIOD, or both");
    }
    let limits = crate::app::load_policy(config)?.fairness;
    let max_flip_rate = args.max_flip_rate.unwrap_or(limits.max_flip_rate);
    if !(0.0..=1.0).contains(&max_flip_rate) {
        bail!("--max-flip-rate must be between 0 and 1");
    }
    let probe = if args.probe {
        Some(probe(args, config).await?)
    } else {
        None
    };
    let audit = match args.since {
        Some(period) => {
            let mut audit_config = limits.audit_config();
            if let Some(n) = args.min_group_size {
                audit_config.min_group_size = usize::try_from(n).unwrap_or(usize::MAX);
            }
            Some(audit_since(config, period, &audit_config).await?)
        }
        None => None,
    };
    let failures = probe
        .as_ref()
        .map(|p| flip_rate_failures(p, max_flip_rate))
        .unwrap_or_default();
    let report = FairnessReport {
        probe,
        audit,
        balance: None,
    };
    let text = match args.format {
        Format::Json => to_json(&report, max_flip_rate, &failures),
        Format::Md => report.to_markdown(),
        Format::Html => report.to_html(),
    };
    match &args.output {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => println!("{text}"),
    }
    let mut passed = true;
    if !failures.is_empty() {
        passed = false;
        eprintln!(
            "audit fairness FAILED: flip rates above the maximum {}:",
            max_flip_rate
        );
        for f in &failures {
            eprintln!("  {}: {} flip rate {:.4}", f.scope, f.outcome, f.rate);
        }
        if let Some(p) = &report.probe {
            for c in p.cases.iter().filter(|c| {
                failures
                    .iter()
                    .any(|f| c.flipped.contains(&f.outcome) && f.covers(&c.lang))
            }) {
                eprintln!(
                    "  case: probe {} ({}), {} = {:?} ({}): {} flipped; {:?} -> {:?}",
                    c.probe + 1,
                    c.lang,
                    c.attribute.as_str(),
                    c.value,
                    c.group,
                    c.flipped.join(", "),
                    c.baseline_text,
                    c.variant_text,
                );
            }
        }
    }
    if let Some(a) = &report.audit
        && !a.alerts.is_empty()
    {
        passed = false;
        eprintln!("audit fairness FAILED: group disparities above the limits:");
        for alert in &a.alerts {
            eprintln!(
                "  {} / {}{}: {} {:.3} vs {} {:.3}",
                alert.attribute,
                alert.outcome,
                if alert.class.is_empty() {
                    String::new()
                } else {
                    format!(" = {}", alert.class)
                },
                alert.lowest_group,
                alert.lowest_value,
                alert.highest_group,
                alert.highest_value,
            );
        }
    }
    Ok(passed)
}

/// A flip rate above the limit.
#[derive(Debug, Clone, PartialEq)]
struct FlipFailure {
    /// `overall` or a language code.
    scope: String,
    /// `route`, `priority`, `intent` or `bot`.
    outcome: &'static str,
    rate: f64,
}

impl FlipFailure {
    fn covers(&self, lang: &str) -> bool {
        self.scope == "overall" || self.scope == lang
    }
}

fn flip_rate_failures(report: &ProbeReport, max: f64) -> Vec<FlipFailure> {
    let mut out = Vec::new();
    let mut check = |scope: &str, r: &FlipRates| {
        for (outcome, rate) in [
            ("route", r.route),
            ("priority", r.priority),
            ("intent", r.intent),
            ("bot", r.bot),
        ] {
            if rate > max {
                out.push(FlipFailure {
                    scope: scope.to_owned(),
                    outcome,
                    rate,
                });
            }
        }
    };
    check("overall", &report.flip_rate);
    for (lang, s) in &report.per_language {
        check(lang, &s.flip_rate);
    }
    out
}

/// The JSON report: the probe report's keys at the top level (`flip_rate`, `per_language`,
/// `cases`, …), the plain-language `summary`, `max_flip_rate` with its failures, and `audit`.
fn to_json(report: &FairnessReport, max: f64, failures: &[FlipFailure]) -> String {
    let mut doc = serde_json::Map::new();
    doc.insert("summary".into(), json!(report.summary()));
    if let Some(p) = &report.probe {
        // NaN has no JSON form; serde_json turns it into null.
        if let Ok(Value::Object(fields)) = serde_json::to_value(p) {
            doc.extend(fields);
        }
        doc.insert(
            "max_flip_rate".into(),
            json!({
                "limit": max,
                "passed": failures.is_empty(),
                "failures": failures
                    .iter()
                    .map(|f| json!({"scope": f.scope, "outcome": f.outcome, "rate": f.rate}))
                    .collect::<Vec<_>>(),
            }),
        );
    }
    if let Some(a) = &report.audit {
        doc.insert(
            "audit".into(),
            serde_json::to_value(a).unwrap_or(Value::Null),
        );
    }
    serde_json::to_string_pretty(&Value::Object(doc)).unwrap_or_default()
}

fn progress(len: u64, what: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{spinner}} {what} [{{elapsed_precise}}] {{wide_bar}} {{pos}}/{{len}} ({{per_sec}})"
        ))
        .expect("valid progress template"),
    );
    bar
}

/// A directory under the system's temporary directory, removed with everything in it on drop.
struct ScratchDir(PathBuf);

impl ScratchDir {
    fn new() -> anyhow::Result<Self> {
        let path = std::env::temp_dir().join(format!(
            "candor-fairness-{}",
            hex::encode(rand::random::<[u8; 8]>())
        ));
        std::fs::create_dir(&path)
            .with_context(|| format!("cannot create scratch directory {}", path.display()))?;
        Ok(ScratchDir(path))
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Reads the probes, checking every language has lists before anything runs.
fn load_probes(args: &FairnessArgs, lists: &ProbeLists) -> anyhow::Result<Vec<Probe>> {
    load_probe_set(args.probe_set.as_deref(), lists)
}

/// The probes in `path` (JSONL), or the shipped set; each must be in a language `lists` has.
pub(crate) fn load_probe_set(
    path: Option<&Path>,
    lists: &ProbeLists,
) -> anyhow::Result<Vec<Probe>> {
    let (name, probes) = match path {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read probe set {}", path.display()))?;
            let name = path.display().to_string();
            let probes = parse_probes(&name, &text).context("invalid probe set")?;
            (name, probes)
        }
        None => ("the shipped probe set".to_owned(), shipped_probes()?),
    };
    if probes.is_empty() {
        bail!("{name} has no probes");
    }
    for (i, p) in probes.iter().enumerate() {
        if !lists.languages.contains_key(&p.lang) {
            bail!(
                "{name}: probe {}: no name, place and cue lists for language `{}` (have: {})",
                i + 1,
                p.lang,
                lists
                    .languages
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    Ok(probes)
}

/// The knowledge base's articles (`DIR/<lang>/*.md`), in path order.
fn read_kb(args: &FairnessArgs) -> anyhow::Result<Vec<String>> {
    let dir = match &args.kb {
        Some(dir) => dir.clone(),
        None if Path::new("kb").is_dir() => PathBuf::from("kb"),
        None => {
            eprintln!(
                "note: no ./kb directory, so the bot has no articles to answer from (--kb DIR)"
            );
            return Ok(Vec::new());
        }
    };
    let mut paths = Vec::new();
    let langs =
        std::fs::read_dir(&dir).with_context(|| format!("cannot read {}", dir.display()))?;
    for lang in langs {
        let lang = lang?.path();
        if !lang.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&lang)? {
            let file = file?.path();
            if file.extension().is_some_and(|e| e == "md") {
                paths.push(file);
            }
        }
    }
    paths.sort();
    paths
        .iter()
        .map(|p| std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display())))
        .collect()
}

/// Runs every probe and variant through a scratch pipeline and measures the flips.
async fn probe(args: &FairnessArgs, config: &CandorConfig) -> anyhow::Result<ProbeReport> {
    let policy = crate::app::load_policy(config)?;
    let model = crate::app::load_intent_model(config)?;
    probe_candidate(args, config, policy, model).await
}

/// Probes a pipeline with `policy` and the intent model in `model` (the shipped one when
/// `None`), as [`run`] does for the configured ones.
pub(crate) async fn probe_candidate(
    args: &FairnessArgs,
    config: &CandorConfig,
    policy: candor_pipeline::Policy,
    model: Option<Vec<u8>>,
) -> anyhow::Result<ProbeReport> {
    let lists = ProbeLists::shipped()?;
    let probes = load_probes(args, &lists)?;
    let articles = read_kb(args)?;
    // The same calls `run_probes` makes, in the same order, so its decisions can be looked up.
    let mut messages: Vec<(usize, Variant)> = Vec::new();
    for (i, p) in probes.iter().enumerate() {
        messages.push((i, baseline(p, &lists)?));
        messages.extend(variants(p, &lists, args.seed)?.into_iter().map(|v| (i, v)));
    }

    // Declared first so that it is removed last, after the pipeline has closed the database.
    let scratch = ScratchDir::new()?;
    let store: Arc<dyn Store> = Arc::new(
        SqliteStore::open(&scratch.0, SqliteSync::Normal)
            .await
            .context("cannot open the scratch database")?,
    );
    let key = PseudonymKey::from_bytes(rand::random());
    let master = MasterKey::from_bytes(rand::random());
    let limits = Limits {
        max_text_bytes: config.pipeline.max_text_bytes,
    };
    let pipeline = tokio::task::spawn_blocking(move || {
        let pipeline = Pipeline::new(policy, key, master, limits, store)?;
        match model {
            Some(bytes) => pipeline.with_intent_model(&bytes),
            None => Ok(pipeline),
        }
    })
    .await
    .context("loading the pipeline panicked")??;
    if !articles.is_empty() {
        pipeline
            .import_articles(&articles, Pipeline::now())
            .await
            .context("importing the knowledge base")?;
    }

    let bar = progress(messages.len() as u64, "probing");
    let mut decided = Vec::with_capacity(messages.len());
    for (n, (probe, v)) in messages.iter().enumerate() {
        let outcome = pipeline
            .process(Inbound {
                customer_id: format!("fairness-probe-{n}"),
                conversation_id: None,
                channel: args.channel,
                text: v.text.clone(),
                metadata: None,
            })
            .await
            .with_context(|| format!("probe {} ({}): the pipeline failed", probe + 1, v.lang))?;
        decided.push((v.text.clone(), probe_outcome(&outcome.decision)));
        bar.inc(1);
    }
    bar.finish_and_clear();

    let mut decided = decided.into_iter();
    let report = run_probes(&probes, &lists, args.seed, |v| {
        match decided.next() {
            Some((text, outcome)) if text == v.text => Ok(outcome),
            // Unreachable while `run_probes` makes variants as documented; a wrong pairing
            // would silently corrupt the report, so it is an error instead.
            _ => Err(format!("no decision for variant {:?}", v.text)),
        }
    });
    report.map_err(|e| anyhow::anyhow!("{e}"))
}

/// Audits the decisions logged since `period` ago, per language, channel and metadata group,
/// with the policy's limits, and records the run in the audit log.
async fn audit_since(
    config: &CandorConfig,
    period: Duration,
    audit_config: &AuditConfig,
) -> anyhow::Result<GroupAuditReport> {
    let store = crate::app::open_store(config).await?;
    let window = Window::last(period, Pipeline::now());
    let (mut log_bar, mut decision_bar) = (None::<ProgressBar>, None::<ProgressBar>);
    let report = fairness_audit::audit_window(store.as_ref(), window, audit_config, |p| match p {
        GatherProgress::Log { read, of } => log_bar
            .get_or_insert_with(|| progress(of, "reading the audit log"))
            .set_position(read),
        GatherProgress::Decisions { read, of } => {
            if let Some(bar) = log_bar.take() {
                bar.finish_and_clear();
            }
            decision_bar
                .get_or_insert_with(|| progress(of, "reading decisions"))
                .set_position(read);
        }
    })
    .await?;
    for bar in [log_bar, decision_bar].into_iter().flatten() {
        bar.finish_and_clear();
    }
    fairness_audit::record_audit(store.as_ref(), &report, window, "cli", Pipeline::now())
        .await
        .context("cannot record the audit in the audit log")?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_in_minutes_hours_days_and_weeks() {
        assert_eq!(parse_period("90m"), Ok(Duration::from_secs(90 * 60)));
        assert_eq!(parse_period("12h"), Ok(Duration::from_secs(12 * 3600)));
        assert_eq!(parse_period("30d"), Ok(Duration::from_secs(30 * 86_400)));
        assert_eq!(parse_period("2w"), Ok(Duration::from_secs(14 * 86_400)));
        for bad in ["", "d", "30", "30y", "-1d", "1.5d"] {
            assert!(parse_period(bad).is_err(), "{bad}");
        }
    }
}
