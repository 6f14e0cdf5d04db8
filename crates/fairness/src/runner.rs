//! Runs probes through a decision function and measures how often outcomes flip.
//!
//! The decision function is the caller's: the CLI passes the real pipeline, tests pass closures.
//! A *flip* is a variant whose outcome differs from its probe's baseline outcome.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::FairnessError;
use crate::probe::{Attribute, Probe, ProbeLists, Variant, baseline, variants};

/// What the system decided for one message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProbeOutcome {
    /// The route, e.g. `human_queue`.
    pub route: String,
    /// The intent, if classified.
    pub intent: Option<String>,
    /// The priority score, if any.
    pub priority_score: Option<f64>,
    /// The priority band or rank, if any.
    pub priority_band: Option<String>,
    /// Whether the bot answered (rather than a person).
    pub bot_answered: bool,
}

/// Flip rates (flips / variants) per outcome.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct FlipRates {
    /// Route changed.
    pub route: f64,
    /// Priority band changed.
    pub priority: f64,
    /// Intent changed.
    pub intent: f64,
    /// Bot/person decision changed.
    pub bot: f64,
}

/// Flip counts per outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct FlipCounts {
    /// Route changed.
    pub route: usize,
    /// Priority band changed.
    pub priority: usize,
    /// Intent changed.
    pub intent: usize,
    /// Bot/person decision changed.
    pub bot: usize,
    /// Variants with at least one flip.
    pub any: usize,
}

/// Movement of the priority score between baseline and variant.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct ScoreShift {
    /// Variants where both scores were present.
    pub measured: usize,
    /// Mean absolute movement (0 when none measured).
    pub mean_abs: f64,
    /// Largest absolute movement.
    pub max_abs: f64,
}

/// Flips over a slice of the variants (all, one language, one attribute).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct FlipSummary {
    /// Variants decided.
    pub variants: usize,
    /// Flip counts.
    pub flips: FlipCounts,
    /// Flip rates.
    pub flip_rate: FlipRates,
    /// Priority-score movement.
    pub priority_score_shift: ScoreShift,
}

/// A variant whose outcome moved, with its baseline, for the report's worst cases.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProbeCase {
    /// Index of the probe in the input.
    pub probe: usize,
    /// Language.
    pub lang: String,
    /// What was swapped.
    pub attribute: Attribute,
    /// The value put in.
    pub value: String,
    /// The value's group.
    pub group: String,
    /// Baseline text.
    pub baseline_text: String,
    /// Variant text.
    pub variant_text: String,
    /// Baseline outcome.
    pub baseline: ProbeOutcome,
    /// Variant outcome.
    pub variant: ProbeOutcome,
    /// Which outcomes flipped: `route`, `priority`, `intent`, `bot`.
    pub flipped: Vec<&'static str>,
    /// Absolute priority-score movement, when both scores exist.
    pub score_shift: Option<f64>,
}

/// The result of [`run_probes`].
///
/// Serialises as `{"probes", "variants", "flip_rate": {"route", "priority", "intent", "bot"},
/// "flips", "priority_score_shift", "per_language": {"da": FlipSummary, ..},
/// "per_attribute": {"name": FlipSummary, ..}, "cases": [ProbeCase, ..]}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProbeReport {
    /// Probes run.
    pub probes: usize,
    /// Variants decided (baselines not counted).
    pub variants: usize,
    /// Overall flip rates.
    pub flip_rate: FlipRates,
    /// Overall flip counts.
    pub flips: FlipCounts,
    /// Overall priority-score movement.
    pub priority_score_shift: ScoreShift,
    /// Per language.
    pub per_language: BTreeMap<String, FlipSummary>,
    /// Per swapped attribute (`name`, `place`, `tenure`, `formality`, `typo`).
    pub per_attribute: BTreeMap<String, FlipSummary>,
    /// The worst cases, most flips first, then largest score movement; at most [`MAX_CASES`].
    pub cases: Vec<ProbeCase>,
}

/// Worst cases kept in a report.
pub const MAX_CASES: usize = 25;

/// Why a probe run stopped.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError<E> {
    /// Making variants failed (e.g. no lists for a probe's language).
    #[error(transparent)]
    Variants(#[from] FairnessError),
    /// The decision function failed.
    #[error("deciding a variant of probe {probe}: {error}")]
    Decide {
        /// Index of the probe.
        probe: usize,
        /// The decision function's error.
        error: E,
    },
}

/// Decides every probe's baseline and variants with `decide` and measures the flips.
///
/// # Errors
///
/// [`ProbeError::Variants`] when a probe's language has no lists, [`ProbeError::Decide`] with
/// the first error `decide` returns.
pub fn run_probes<F, E>(
    probes: &[Probe],
    lists: &ProbeLists,
    seed: u64,
    mut decide: F,
) -> Result<ProbeReport, ProbeError<E>>
where
    F: FnMut(&Variant) -> Result<ProbeOutcome, E>,
{
    let mut all = Tally::default();
    let mut per_language: BTreeMap<String, Tally> = BTreeMap::new();
    let mut per_attribute: BTreeMap<String, Tally> = BTreeMap::new();
    let mut cases = Vec::new();
    for (i, probe) in probes.iter().enumerate() {
        let base = baseline(probe, lists)?;
        let base_out = decide(&base).map_err(|error| ProbeError::Decide { probe: i, error })?;
        for v in variants(probe, lists, seed)? {
            let out = decide(&v).map_err(|error| ProbeError::Decide { probe: i, error })?;
            let flipped = flips(&base_out, &out);
            let shift = match (base_out.priority_score, out.priority_score) {
                (Some(a), Some(b)) => Some((a - b).abs()),
                _ => None,
            };
            all.add(&flipped, shift);
            per_language
                .entry(v.lang.clone())
                .or_default()
                .add(&flipped, shift);
            per_attribute
                .entry(v.attribute.as_str().to_owned())
                .or_default()
                .add(&flipped, shift);
            if !flipped.is_empty() || shift.is_some_and(|s| s > 0.0) {
                cases.push(ProbeCase {
                    probe: i,
                    lang: v.lang,
                    attribute: v.attribute,
                    value: v.value,
                    group: v.group,
                    baseline_text: base.text.clone(),
                    variant_text: v.text,
                    baseline: base_out.clone(),
                    variant: out,
                    flipped,
                    score_shift: shift,
                });
            }
        }
    }
    // Stable sort keeps input order among equals, so reports are deterministic.
    cases.sort_by(|a, b| {
        b.flipped.len().cmp(&a.flipped.len()).then(
            b.score_shift
                .unwrap_or(0.0)
                .total_cmp(&a.score_shift.unwrap_or(0.0)),
        )
    });
    cases.truncate(MAX_CASES);
    let summary = all.summary();
    Ok(ProbeReport {
        probes: probes.len(),
        variants: summary.variants,
        flip_rate: summary.flip_rate,
        flips: summary.flips,
        priority_score_shift: summary.priority_score_shift,
        per_language: per_language
            .into_iter()
            .map(|(k, t)| (k, t.summary()))
            .collect(),
        per_attribute: per_attribute
            .into_iter()
            .map(|(k, t)| (k, t.summary()))
            .collect(),
        cases,
    })
}

fn flips(a: &ProbeOutcome, b: &ProbeOutcome) -> Vec<&'static str> {
    let mut out = Vec::new();
    if a.route != b.route {
        out.push("route");
    }
    if a.priority_band != b.priority_band {
        out.push("priority");
    }
    if a.intent != b.intent {
        out.push("intent");
    }
    if a.bot_answered != b.bot_answered {
        out.push("bot");
    }
    out
}

#[derive(Default)]
struct Tally {
    variants: usize,
    flips: FlipCounts,
    shift_sum: f64,
    shift: ScoreShift,
}

impl Tally {
    fn add(&mut self, flipped: &[&str], shift: Option<f64>) {
        self.variants += 1;
        for f in flipped {
            match *f {
                "route" => self.flips.route += 1,
                "priority" => self.flips.priority += 1,
                "intent" => self.flips.intent += 1,
                _ => self.flips.bot += 1,
            }
        }
        self.flips.any += usize::from(!flipped.is_empty());
        if let Some(s) = shift {
            self.shift.measured += 1;
            self.shift_sum += s;
            self.shift.max_abs = self.shift.max_abs.max(s);
        }
    }

    fn summary(&self) -> FlipSummary {
        let rate = |n: usize| {
            if self.variants == 0 {
                0.0
            } else {
                n as f64 / self.variants as f64
            }
        };
        let mut shift = self.shift;
        if shift.measured > 0 {
            shift.mean_abs = self.shift_sum / shift.measured as f64;
        }
        FlipSummary {
            variants: self.variants,
            flips: self.flips,
            flip_rate: FlipRates {
                route: rate(self.flips.route),
                priority: rate(self.flips.priority),
                intent: rate(self.flips.intent),
                bot: rate(self.flips.bot),
            },
            priority_score_shift: shift,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::shipped_probes;

    fn outcome(route: &str, score: f64) -> ProbeOutcome {
        ProbeOutcome {
            route: route.into(),
            intent: Some("billing".into()),
            priority_score: Some(score),
            priority_band: Some(if score > 0.5 { "high" } else { "normal" }.into()),
            bot_answered: route == "bot",
        }
    }

    /// A decision that depends only on the message's content words, not on who wrote it.
    fn fair(v: &Variant) -> Result<ProbeOutcome, std::convert::Infallible> {
        let urgent = [
            "haster",
            "dringend",
            "urgent",
            "sofort",
            "immediately",
            "direct",
        ]
        .iter()
        .any(|w| v.text.contains(w));
        Ok(outcome(
            if urgent { "human_queue" } else { "bot" },
            if urgent { 0.9 } else { 0.2 },
        ))
    }

    #[test]
    fn a_decision_blind_to_names_has_no_name_flips() {
        let lists = ProbeLists::shipped().unwrap();
        let probes = shipped_probes().unwrap();
        let r = run_probes(&probes, &lists, 7, fair).unwrap();
        assert!(r.variants > 2000, "{}", r.variants);
        let name = &r.per_attribute["name"];
        assert!(name.variants > 500);
        assert_eq!(name.flips, FlipCounts::default());
        assert_eq!(r.per_attribute["place"].flip_rate.route, 0.0);
        for lang in ["da", "nl", "de", "en"] {
            assert!(r.per_language[lang].variants > 400, "{lang}");
        }
        // Only a typo in an urgency word can move this decision.
        assert!(
            r.cases.iter().all(|c| c.attribute == Attribute::Typo),
            "{:?}",
            r.cases
        );
    }

    #[test]
    fn a_decision_that_reads_names_is_caught() {
        let lists = ProbeLists::shipped().unwrap();
        let probes = shipped_probes().unwrap();
        let turkish: Vec<String> = lists.languages["de"].names[1].surnames.clone();
        let biased = |v: &Variant| -> Result<ProbeOutcome, std::convert::Infallible> {
            let mut o = fair(v)?;
            if turkish.iter().any(|s| v.text.contains(s.as_str())) {
                o.route = "human_queue".into();
                o.bot_answered = false;
                o.priority_score = Some(o.priority_score.unwrap() - 0.1);
                o.priority_band = Some("low".into());
                o.intent = Some("complaint".into());
            }
            Ok(o)
        };
        let r = run_probes(&probes, &lists, 7, biased).unwrap();
        let name = &r.per_attribute["name"];
        assert!(name.flips.route > 0 && name.flips.bot > 0, "{name:?}");
        assert!(r.flip_rate.route > 0.0);
        assert!((name.priority_score_shift.max_abs - 0.1).abs() < 1e-9);
        assert_eq!(r.cases.len(), MAX_CASES);
        let worst = &r.cases[0];
        assert_eq!(worst.attribute, Attribute::Name);
        assert_eq!(worst.group, "turkish");
        assert_eq!(worst.flipped, ["route", "priority", "intent", "bot"]);
        assert_ne!(worst.baseline_text, worst.variant_text);
    }

    #[test]
    fn decide_errors_stop_the_run() {
        let lists = ProbeLists::shipped().unwrap();
        let probes = shipped_probes().unwrap();
        let mut calls = 0;
        let r = run_probes(&probes, &lists, 0, |_| {
            calls += 1;
            if calls == 3 {
                Err("model gone")
            } else {
                Ok(outcome("bot", 0.1))
            }
        });
        assert!(matches!(
            r,
            Err(ProbeError::Decide {
                probe: 0,
                error: "model gone"
            })
        ));
    }

    #[test]
    fn json_has_the_documented_shape() {
        let lists = ProbeLists::shipped().unwrap();
        let probes = shipped_probes().unwrap();
        let r = run_probes(&probes[..3], &lists, 1, fair).unwrap();
        let v: serde_json::Value = serde_json::to_value(&r).unwrap();
        for k in ["route", "priority", "intent"] {
            assert!(v["flip_rate"][k].is_f64(), "{k}");
        }
        assert!(v["per_language"]["da"]["flip_rate"]["route"].is_f64());
        assert!(v["cases"].is_array());
    }
}
