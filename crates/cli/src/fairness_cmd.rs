//! `candor audit fairness`: counterfactual probes through the real pipeline, and group audits
//! of the decisions Candor has logged.
//!
//! `--probe` decides every probe and each of its variants (names, places, tenure, formality,
//! typos; `docs/specs/fairness.md`) with the pipeline as configured (policy, limits, the
//! knowledge base in `kb/`), but in a scratch SQLite database with fresh keys, so that probing
//! never touches the real log. Every message is a new conversation of a new customer, so one
//! probe cannot influence the next.
//!
//! `--since PERIOD` reads the decision records of the audit log from the configured store and
//! audits them per language, channel and the metadata keys `tenure_band` and `region`.
//!
//! The run fails (returns `false`) when a flip rate is above `--max-flip-rate` or the group
//! audit raised an alert, so that a schedule or CI job notices.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use candor_core::{Channel, Decision, Route, Timestamp};
use candor_fairness::runner::{FlipRates, ProbeReport};
use candor_fairness::{
    AuditConfig, AuditRow, FairnessReport, GroupAuditReport, Probe, ProbeLists, ProbeOutcome,
    Variant, baseline, parse_probes, run_probes, shipped_probes, variants,
};
use candor_pii::PseudonymKey;
use candor_pipeline::vault::MasterKey;
use candor_pipeline::{Inbound, Limits, Pipeline};
use candor_store::{ConversationState, EventKind, SqliteStore, SqliteSync, Store};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::config::CandorConfig;

/// Metadata keys of a message that become audit groups (besides language and channel).
pub const METADATA_GROUPS: [&str; 2] = ["tenure_band", "region"];

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
    /// Groups with fewer decisions are listed but not judged.
    #[arg(long, value_name = "N", default_value_t = 30)]
    pub min_group_size: usize,
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
    let s = s.trim();
    let split = s.len().saturating_sub(1);
    let (n, unit) = s.split_at(split);
    let n: u64 = n
        .parse()
        .map_err(|_| format!("`{s}` is not a period (e.g. 30d, 12h, 2w, 90m)"))?;
    let minutes = match unit {
        "m" => 1,
        "h" => 60,
        "d" => 24 * 60,
        "w" => 7 * 24 * 60,
        _ => return Err(format!("`{s}`: the unit must be m, h, d or w")),
    };
    Ok(Duration::from_secs(n.saturating_mul(minutes * 60)))
}

/// The priority band of a queue priority score.
///
/// At decision time the score is `60 / service_level_minutes + 0.5 × frustration + 0.5 ×
/// urgent` (`crates/pipeline/src/priority.rs`), so the bands' lower bounds are the scores of
/// a calm request with a 60, 120 and 240 minute service level: a message is in band `urgent`
/// when its needs rank it with an hour's service level or sooner, and so on.
pub fn priority_band(score: f64) -> &'static str {
    if score >= 1.0 {
        "urgent"
    } else if score >= 0.5 {
        "high"
    } else if score >= 0.25 {
        "normal"
    } else {
        "low"
    }
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
    let max_flip_rate = match args.max_flip_rate {
        Some(rate) => rate,
        None => crate::app::load_policy(config)?.fairness.max_flip_rate,
    };
    if !(0.0..=1.0).contains(&max_flip_rate) {
        bail!("--max-flip-rate must be between 0 and 1");
    }
    let probe = if args.probe {
        Some(probe(args, config).await?)
    } else {
        None
    };
    let audit = match args.since {
        Some(period) => Some(audit_since(args, config, period).await?),
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

/// One decision record of the audit log, read as JSON (`docs/specs/audit-record.md`).
struct LoggedDecision {
    message_id: String,
    conversation_id: String,
    received_at: i64,
    groups: BTreeMap<String, String>,
    escalated: bool,
    bot_answered: bool,
}

fn logged_decision(record: &Value) -> Option<LoggedDecision> {
    let s = |k: &str| record.get(k).and_then(Value::as_str);
    let mut groups = BTreeMap::new();
    groups.insert(
        "language".to_owned(),
        s("language").unwrap_or("unknown").to_owned(),
    );
    groups.insert("channel".to_owned(), s("channel")?.to_owned());
    let route = s("route")?;
    Some(LoggedDecision {
        message_id: s("message_id")?.to_owned(),
        conversation_id: s("conversation_id")?.to_owned(),
        received_at: record.get("received_at_ms")?.as_i64()?,
        groups,
        escalated: route == Route::Human.as_str(),
        bot_answered: route == Route::Bot.as_str() && s("reply_article").is_some(),
    })
}

/// The `tenure_band` and `region` of a message's metadata, when they are strings or numbers.
fn metadata_groups(metadata: &str) -> Vec<(String, String)> {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(metadata) else {
        return Vec::new();
    };
    METADATA_GROUPS
        .iter()
        .filter_map(|k| match map.get(*k)? {
            Value::String(s) if !s.is_empty() => Some((k.to_string(), s.clone())),
            Value::Number(n) => Some((k.to_string(), n.to_string())),
            _ => None,
        })
        .collect()
}

/// Audits the decisions logged since `period` ago, per language, channel and metadata group.
async fn audit_since(
    args: &FairnessArgs,
    config: &CandorConfig,
    period: Duration,
) -> anyhow::Result<GroupAuditReport> {
    const BATCH: u32 = 1000;
    let cutoff = Pipeline::now().0 - i64::try_from(period.as_millis()).unwrap_or(i64::MAX);
    let store = crate::app::open_store(config).await?;
    let size = store.audit_size().await?;

    // The audit log is the one place that lists every decision in order; messages and
    // conversation events add what the records leave out (metadata, priority, pick-up time).
    let bar = progress(size, "reading the audit log");
    let mut decisions = Vec::new();
    let mut overridden = HashSet::new();
    let mut from = 0;
    while from < size {
        let entries = store.audit_entries(from, BATCH).await?;
        if entries.is_empty() {
            break;
        }
        for e in &entries {
            let Ok(record) = serde_json::from_slice::<Value>(&e.payload) else {
                bail!("audit entry {} is not JSON", e.index);
            };
            match record.get("type").and_then(Value::as_str) {
                Some("decision") => {
                    if let Some(d) = logged_decision(&record)
                        && d.received_at >= cutoff
                    {
                        decisions.push(d);
                    }
                }
                Some("override") => {
                    if let Some(id) = record.get("message_id").and_then(Value::as_str) {
                        overridden.insert(id.to_owned());
                    }
                }
                _ => {}
            }
        }
        from += entries.len() as u64;
        bar.set_position(from);
    }
    bar.finish_and_clear();

    let bar = progress(decisions.len() as u64, "reading decisions");
    let mut pickups: HashMap<String, Vec<Timestamp>> = HashMap::new();
    let mut rows = Vec::with_capacity(decisions.len());
    for mut d in decisions {
        let mut band = None;
        // An erased message is gone from the store; its record still counts, without metadata.
        if let Ok(id) = Uuid::parse_str(&d.message_id)
            && let Some(m) = store.message(id).await?
        {
            if let Some(meta) = &m.metadata {
                d.groups.extend(metadata_groups(meta));
            }
            band = m
                .decision
                .priority
                .as_ref()
                .map(|p| priority_band(p.score).to_owned());
        }
        let minutes_to_person = if d.escalated {
            if !pickups.contains_key(&d.conversation_id) {
                let claimed = store
                    .events(&d.conversation_id)
                    .await?
                    .into_iter()
                    .filter(|e| {
                        e.kind == EventKind::State
                            && e.to_state == Some(ConversationState::Assigned)
                    })
                    .map(|e| e.at)
                    .collect();
                pickups.insert(d.conversation_id.clone(), claimed);
            }
            pickups[&d.conversation_id]
                .iter()
                .find(|at| at.0 >= d.received_at)
                .map(|at| (at.0 - d.received_at) as f64 / 60_000.0)
        } else {
            None
        };
        rows.push(AuditRow {
            overridden: overridden.contains(&d.message_id),
            groups: d.groups,
            escalated: d.escalated,
            bot_answered: d.bot_answered,
            priority_band: band,
            minutes_to_person,
        });
        bar.inc(1);
    }
    bar.finish_and_clear();
    let audit_config = AuditConfig {
        min_group_size: args.min_group_size,
        ..AuditConfig::default()
    };
    Ok(candor_fairness::group_audit(&rows, &audit_config))
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

    #[test]
    fn bands_follow_the_service_levels() {
        // 60 / SLA for a calm, non-urgent request.
        assert_eq!(priority_band(60.0 / 60.0), "urgent");
        assert_eq!(priority_band(60.0 / 120.0), "high");
        assert_eq!(priority_band(60.0 / 240.0), "normal");
        assert_eq!(priority_band(60.0 / 480.0), "low");
        // Urgency lifts a 480-minute request by two bands.
        assert_eq!(priority_band(60.0 / 480.0 + 0.5), "high");
    }

    #[test]
    fn metadata_groups_take_only_the_known_keys() {
        let g = metadata_groups(r#"{"tenure_band": "new", "region": 7, "name": "x", "vip": true}"#);
        assert_eq!(
            g,
            [
                ("tenure_band".to_owned(), "new".to_owned()),
                ("region".to_owned(), "7".to_owned())
            ]
        );
        assert!(metadata_groups("not json").is_empty());
        assert!(metadata_groups(r#"{"region": ""}"#).is_empty());
    }

    #[test]
    fn decision_records_give_language_channel_and_outcomes() {
        let record = json!({
            "type": "decision", "message_id": "m1", "conversation_id": "c1",
            "received_at_ms": 5, "channel": "chat", "language": null, "route": "bot",
            "reply_article": "password-reset@1",
        });
        let d = logged_decision(&record).unwrap();
        assert_eq!(d.groups["language"], "unknown");
        assert_eq!(d.groups["channel"], "chat");
        assert!(d.bot_answered && !d.escalated);
        let mut human = record.clone();
        human["route"] = json!("human");
        human["reply_article"] = Value::Null;
        let d = logged_decision(&human).unwrap();
        assert!(d.escalated && !d.bot_answered);
        assert!(logged_decision(&json!({"type": "decision"})).is_none());
    }
}
