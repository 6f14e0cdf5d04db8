//! `candor activate`: puts a policy or an intent model into force only when it passes the
//! counterfactual fairness probes.
//!
//! Two checks, both against the maximum flip rate of the policy in force (a new policy cannot
//! loosen the limit it is judged by):
//!
//! - **Through the pipeline**: every probe and its variants (names, places, tenure, formality,
//!   typos) are decided by a scratch pipeline with the candidate policy and model; the route
//!   and priority-band flip rates, overall and in every language, must not exceed the limit.
//! - **The model alone** (for a new intent model): the model classifies the raw variant texts,
//!   before pseudonymisation and neutralisation; its intent flip rate over the name and place
//!   variants may exceed the shipped model's by at most the limit. The pipeline hides the
//!   names and places it recognises, but recognition is never perfect: a model that has learnt
//!   to read names is refused even when the pipeline would mostly hide them from it. The
//!   shipped model is the reference because raw names and places are text no intent model has
//!   learnt, and they move any hashed n-gram model a little (the shipped one flips 11 % of
//!   them); what must not happen is a model that reacts to them more.
//!
//! What passes is copied into `DATA_DIR/active/` (read by `serve` and the other commands when
//! `pipeline.policy_file` is not set) and recorded in the audit ledger as an `activation`.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use candor_audit::AuditRecord;
use candor_classify::IntentModel;
use candor_fairness::runner::{FlipRates, ProbeCase, ProbeOutcome, ProbeReport};
use candor_fairness::{ProbeLists, run_probes};
use candor_pipeline::{Pipeline, Policy, SHIPPED_INTENT_MODEL, intent_model_version};
use clap::Args;

use crate::app::{ACTIVE_INTENT_MODEL, ACTIVE_POLICY, active_dir};
use crate::config::CandorConfig;
use crate::fairness_cmd::{FairnessArgs, Format, probe_candidate};

/// The arguments of `candor activate`.
#[derive(Debug, Args)]
pub struct ActivateArgs {
    /// A policy file to put into force.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// An intent model file (from `candor train`) to put into force.
    #[arg(long, value_name = "FILE")]
    pub intent_model: Option<PathBuf>,
    /// Probe set, one `{"text", "lang"}` per line [default: the shipped set in da, nl, de, en].
    #[arg(long, value_name = "FILE.jsonl")]
    pub probe_set: Option<PathBuf>,
    /// Seed for the names and typos the variants use.
    #[arg(long, value_name = "N", default_value_t = 42)]
    pub seed: u64,
    /// Knowledge base for the probe pipeline [default: ./kb when it exists].
    #[arg(long, value_name = "DIR")]
    pub kb: Option<PathBuf>,
}

/// Attributes the model alone must not react to.
const MODEL_ATTRIBUTES: [&str; 2] = ["name", "place"];

/// A check that failed.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    /// `pipeline overall`, `pipeline da`, `model name`, …
    pub scope: String,
    /// `route`, `priority` or `intent`.
    pub outcome: &'static str,
    /// The measured flip rate.
    pub rate: f64,
}

/// Runs the checks and activates what passes. Returns `false` (and changes nothing) when the
/// candidate is refused.
///
/// # Errors
///
/// Nothing to activate, an unreadable or invalid file, a failing probe run, or a store that
/// cannot record the activation.
pub async fn run(args: &ActivateArgs, config: &CandorConfig) -> anyhow::Result<bool> {
    if args.policy.is_none() && args.intent_model.is_none() {
        bail!("give --policy FILE, --intent-model FILE, or both");
    }
    let current_policy = crate::app::load_policy(config)?;
    let current_model = crate::app::load_intent_model(config)?;
    let limit = current_policy.fairness.max_flip_rate;

    let candidate_policy = match &args.policy {
        Some(path) => Some(read_policy(path)?),
        None => None,
    };
    let candidate_model = match &args.intent_model {
        Some(path) => Some(read_model(path)?),
        None => None,
    };

    let probe_args = FairnessArgs {
        probe: true,
        probe_set: args.probe_set.clone(),
        seed: args.seed,
        kb: args.kb.clone(),
        channel: candor_core::Channel::Email,
        max_flip_rate: None,
        since: None,
        min_group_size: None,
        format: Format::Json,
        output: None,
    };
    let policy = match &candidate_policy {
        Some((_, p)) => p.clone(),
        None => current_policy.clone(),
    };
    let model = match &candidate_model {
        Some((bytes, _)) => Some(bytes.clone()),
        None => current_model.clone(),
    };
    let pipeline_report = probe_candidate(&probe_args, config, policy, model).await?;
    let mut refusals = pipeline_refusals(&pipeline_report, limit);
    let mut cases: Vec<ProbeCase> = pipeline_report
        .cases
        .iter()
        .filter(|c| c.flipped.iter().any(|f| *f == "route" || *f == "priority"))
        .cloned()
        .collect();

    let model_report = match &candidate_model {
        Some((_, model)) => {
            let report = probe_model(model, &probe_args)?;
            let reference =
                probe_model(&IntentModel::from_bytes(SHIPPED_INTENT_MODEL)?, &probe_args)?;
            let found = model_refusals(&report, &reference, limit);
            if !found.is_empty() {
                cases.extend(
                    report
                        .cases
                        .iter()
                        .filter(|c| {
                            MODEL_ATTRIBUTES.contains(&c.attribute.as_str())
                                && c.flipped.contains(&"intent")
                        })
                        .cloned(),
                );
            }
            refusals.extend(found);
            Some(report)
        }
        None => None,
    };

    print_rates("pipeline", &pipeline_report);
    if let Some(r) = &model_report {
        for a in MODEL_ATTRIBUTES {
            if let Some(s) = r.per_attribute.get(a) {
                println!(
                    "model alone, {a} variants: intent flip rate {:.4} ({} variants)",
                    s.flip_rate.intent, s.variants
                );
            }
        }
    }
    if !refusals.is_empty() {
        eprintln!(
            "activation REFUSED: flip rates above the maximum {limit} of the policy in force:"
        );
        for r in &refusals {
            eprintln!("  {}: {} flip rate {:.4}", r.scope, r.outcome, r.rate);
        }
        eprintln!("failing cases (pseudonymised by the pipeline before any model saw them):");
        for c in cases.iter().take(20) {
            eprintln!(
                "  probe {} ({}), {} = {:?}: {} flipped; {:?} -> {:?}",
                c.probe + 1,
                c.lang,
                c.attribute.as_str(),
                c.value,
                c.flipped.join(", "),
                c.baseline_text,
                c.variant_text,
            );
        }
        return Ok(false);
    }

    let dir = active_dir(config);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let ledger = crate::app::build_ledger(config, crate::app::open_store(config).await?)?;
    let now = Pipeline::now();
    if let Some((text, policy)) = &candidate_policy {
        write_atomically(&dir.join(ACTIVE_POLICY), text.as_bytes())?;
        let record = AuditRecord::Activation {
            at_ms: now.millis(),
            artifact: "policy".into(),
            name: file_name(args.policy.as_deref()),
            version: policy.version.clone(),
            previous_version: Some(current_policy.version.clone()),
            actor: "cli:candor activate".into(),
        };
        let index = ledger.append(&record, now).await?;
        println!("activated policy {} (audit record {index})", policy.version);
    }
    if let Some((bytes, _)) = &candidate_model {
        write_atomically(&dir.join(ACTIVE_INTENT_MODEL), bytes)?;
        let version = intent_model_version(bytes);
        let previous = current_model
            .as_deref()
            .map_or_else(Pipeline::shipped_intent_model_version, intent_model_version);
        let record = AuditRecord::Activation {
            at_ms: now.millis(),
            artifact: "model".into(),
            name: file_name(args.intent_model.as_deref()),
            version: version.clone(),
            previous_version: Some(previous),
            actor: "cli:candor activate".into(),
        };
        let index = ledger.append(&record, now).await?;
        println!("activated intent model {version} (audit record {index})");
    }
    println!("restart `candor serve` for the activation to take effect");
    Ok(true)
}

fn read_policy(path: &Path) -> anyhow::Result<(String, Policy)> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read policy file {}", path.display()))?;
    let policy = Policy::parse(&text).with_context(|| format!("policy file {}", path.display()))?;
    Ok((text, policy))
}

fn read_model(path: &Path) -> anyhow::Result<(Vec<u8>, IntentModel)> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("cannot read intent model {}", path.display()))?;
    let model = IntentModel::from_bytes(&bytes)
        .with_context(|| format!("intent model {}", path.display()))?;
    Ok((bytes, model))
}

fn file_name(path: Option<&Path>) -> String {
    path.and_then(Path::file_name)
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
}

/// Writes beside the target and renames, so a reader never sees half a file.
fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}

/// The model alone on the raw variant texts (no pseudonymisation, no neutralisation).
fn probe_model(model: &IntentModel, args: &FairnessArgs) -> anyhow::Result<ProbeReport> {
    let lists = ProbeLists::shipped()?;
    let probes = crate::fairness_cmd::load_probe_set(args.probe_set.as_deref(), &lists)?;
    run_probes(&probes, &lists, args.seed, |v| {
        let p = model.predict(&v.text);
        Ok::<_, std::convert::Infallible>(ProbeOutcome {
            route: String::new(),
            intent: p.label,
            priority_score: None,
            priority_band: None,
            bot_answered: false,
        })
    })
    .map_err(|e| anyhow::anyhow!("{e}"))
}

fn pipeline_refusals(report: &ProbeReport, limit: f64) -> Vec<Refusal> {
    let mut out = Vec::new();
    let mut check = |scope: String, r: &FlipRates| {
        for (outcome, rate) in [("route", r.route), ("priority", r.priority)] {
            if rate > limit {
                out.push(Refusal {
                    scope: scope.clone(),
                    outcome,
                    rate,
                });
            }
        }
    };
    check("pipeline overall".into(), &report.flip_rate);
    for (lang, s) in &report.per_language {
        check(format!("pipeline {lang}"), &s.flip_rate);
    }
    out
}

fn model_refusals(report: &ProbeReport, reference: &ProbeReport, limit: f64) -> Vec<Refusal> {
    MODEL_ATTRIBUTES
        .iter()
        .filter_map(|a| {
            let rate = report.per_attribute.get(*a)?.flip_rate.intent;
            let allowed = reference
                .per_attribute
                .get(*a)
                .map_or(0.0, |s| s.flip_rate.intent)
                + limit;
            (rate > allowed).then(|| Refusal {
                scope: format!("model {a} (shipped model {:.4} + {limit})", allowed - limit),
                outcome: "intent",
                rate,
            })
        })
        .collect()
}

fn print_rates(what: &str, report: &ProbeReport) {
    let r = &report.flip_rate;
    println!(
        "{what}: {} variants; flip rates route {:.4}, priority {:.4}, intent {:.4}, bot answer {:.4}",
        report.variants, r.route, r.priority, r.intent, r.bot
    );
}
