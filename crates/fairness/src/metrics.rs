//! Group fairness metrics with Fairlearn's definitions.
//!
//! Every number here matches `fairlearn.metrics` 0.15 (checked to 1e-9 by `tests/fairlearn.rs`):
//!
//! - a *difference* is `max - min` over the judged groups (`method="between_groups"`);
//! - a *ratio* is `min / max`, so `0 / 0` is NaN, as in Fairlearn;
//! - `equalized_odds_difference` is the larger of the TPR and FPR differences
//!   (`agg="worst_case"`), `equalized_odds_ratio` the smaller of the two ratios, taken with
//!   Python's `min` so a NaN TPR ratio wins, exactly as Fairlearn's `min(eo.ratio())` does;
//! - rates with an empty denominator are 0, not NaN, because Fairlearn reads them from
//!   scikit-learn's normalised confusion matrix, which replaces 0/0 by 0.
//!   A group without positives therefore has TPR 0; [`GroupRates::positives`] shows why.
//!
//! Multi-class outcomes are measured one-vs-rest: for class `c`, "selected" means `y_pred == c`
//! and "positive" means `y_true == c`.
//! Groups with fewer rows than [`MetricsConfig::min_group_size`] are listed with their count
//! and `too_small`, and left out of every judged number.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::FairnessError;
use crate::rng::SplitMix64;

/// How to measure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricsConfig {
    /// Groups with fewer rows are reported as too small and not judged.
    pub min_group_size: usize,
    /// Measure only this class (binary outcomes); `None` measures every class one-vs-rest.
    pub positive_label: Option<String>,
    /// The four-fifths rule's threshold for the selection-rate ratio.
    pub four_fifths_threshold: f64,
    /// Confidence intervals; `None` skips them.
    pub bootstrap: Option<BootstrapConfig>,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig {
            min_group_size: 30,
            positive_label: None,
            four_fifths_threshold: 0.8,
            bootstrap: None,
        }
    }
}

/// Percentile bootstrap confidence intervals.
///
/// Rows are resampled with replacement *within* each judged group, so every replicate keeps
/// every group at its observed size (a plain resample could drop a small group and make the
/// difference undefined).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BootstrapConfig {
    /// Number of resamples, at least 1.
    pub resamples: usize,
    /// Coverage in (0, 1), e.g. 0.95.
    pub confidence: f64,
    /// Seed: the same inputs and seed give the same interval.
    pub seed: u64,
}

impl Default for BootstrapConfig {
    fn default() -> Self {
        BootstrapConfig {
            resamples: 1000,
            confidence: 0.95,
            seed: 0,
        }
    }
}

/// A point estimate with its interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// The value on the observed data (NaN where Fairlearn gives NaN; JSON `null`).
    pub value: f64,
    /// The bootstrap interval, when asked for and defined.
    pub ci: Option<Interval>,
}

/// A closed interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// Lower percentile.
    pub lower: f64,
    /// Upper percentile.
    pub upper: f64,
}

/// A group and its size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupCount {
    /// The group's value.
    pub group: String,
    /// Rows in the group.
    pub count: usize,
    /// Below the minimum size: listed but not judged.
    pub too_small: bool,
}

/// One group's rates for one class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupRates {
    /// Rows in the group.
    pub count: usize,
    /// Rows whose true label is the class (`None` without ground truth).
    pub positives: Option<usize>,
    /// Share of rows predicted as the class.
    pub selection_rate: f64,
    /// True-positive rate (0 when the group has no positives, as in Fairlearn).
    pub true_positive_rate: Option<f64>,
    /// False-positive rate (0 when the group has no negatives).
    pub false_positive_rate: Option<f64>,
    /// False-negative rate (0 when the group has no positives).
    pub false_negative_rate: Option<f64>,
    /// One-vs-rest accuracy.
    pub accuracy: Option<f64>,
}

/// The four-fifths rule (disparate impact) on the selection-rate ratio.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FourFifths {
    /// The lowest selection rate divided by the highest.
    pub ratio: f64,
    /// The threshold, normally 0.8.
    pub threshold: f64,
    /// Whether `ratio >= threshold`; `None` when the ratio is undefined.
    pub passes: Option<bool>,
}

/// Metrics for one class, one-vs-rest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassMetrics {
    /// Rates of each judged group.
    pub by_group: BTreeMap<String, GroupRates>,
    /// Max minus min selection rate.
    pub demographic_parity_difference: Estimate,
    /// Min over max selection rate (the disparate-impact ratio).
    pub demographic_parity_ratio: Estimate,
    /// The four-fifths rule on [`Self::demographic_parity_ratio`].
    pub disparate_impact: FourFifths,
    /// Larger of the TPR and FPR differences (needs ground truth).
    pub equalized_odds_difference: Option<Estimate>,
    /// Smaller of the TPR and FPR ratios (needs ground truth).
    pub equalized_odds_ratio: Option<Estimate>,
    /// TPR difference (needs ground truth).
    pub equal_opportunity_difference: Option<Estimate>,
}

/// Multi-class accuracy per group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccuracyMetrics {
    /// Accuracy of each judged group.
    pub by_group: BTreeMap<String, f64>,
    /// Max minus min.
    pub difference: Estimate,
    /// Min over max.
    pub ratio: Estimate,
}

/// Everything [`group_metrics`] measures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupMetrics {
    /// Every group, including those too small to judge.
    pub groups: Vec<GroupCount>,
    /// Metrics per class (one class when a positive label is configured).
    pub classes: BTreeMap<String, ClassMetrics>,
    /// Multi-class accuracy, when ground truth was given.
    pub accuracy: Option<AccuracyMetrics>,
    /// The bootstrap used for the intervals, if any.
    pub bootstrap: Option<BootstrapConfig>,
}

/// Measures how outcomes differ between groups.
///
/// `y_true` is optional: without it only selection-rate metrics are computed.
///
/// # Errors
///
/// [`FairnessError::LengthMismatch`] when the inputs are not parallel,
/// [`FairnessError::Empty`] without rows, [`FairnessError::Config`] for a bootstrap with no
/// resamples or a confidence outside (0, 1).
pub fn group_metrics<L: AsRef<str>, G: AsRef<str>>(
    y_true: Option<&[L]>,
    y_pred: &[L],
    groups: &[G],
    config: &MetricsConfig,
) -> Result<GroupMetrics, FairnessError> {
    validate(y_true, y_pred, groups, config)?;
    let mut labels: BTreeSet<&str> = y_pred.iter().map(AsRef::as_ref).collect();
    if let Some(t) = y_true {
        labels.extend(t.iter().map(AsRef::as_ref));
    }
    if let Some(p) = &config.positive_label {
        labels.insert(p.as_str());
    }
    let labels: Vec<&str> = labels.into_iter().collect();
    let k = labels.len();
    let label_index = |s: &str| labels.binary_search(&s).unwrap_or(0);

    // Each row becomes one cell of its group's k x k confusion matrix, the sufficient statistic
    // for every metric here; the bootstrap resamples cells.
    let mut cells: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    for (i, (p, g)) in y_pred.iter().zip(groups).enumerate() {
        let p = label_index(p.as_ref());
        let t = y_true.map_or(p, |t| label_index(t[i].as_ref()));
        cells
            .entry(g.as_ref())
            .or_default()
            .push((t * k + p) as u32);
    }
    let group_counts: Vec<GroupCount> = cells
        .iter()
        .map(|(g, c)| GroupCount {
            group: (*g).to_owned(),
            count: c.len(),
            too_small: c.len() < config.min_group_size,
        })
        .collect();
    let judged: Vec<(&str, &Vec<u32>)> = cells
        .iter()
        .filter(|(_, c)| c.len() >= config.min_group_size)
        .map(|(g, c)| (*g, c))
        .collect();
    let classes: Vec<usize> = match &config.positive_label {
        Some(p) => vec![label_index(p)],
        None => (0..k).collect(),
    };
    let has_truth = y_true.is_some();
    let shape = Shape {
        k,
        classes: &classes,
        has_truth,
    };

    let observed: Vec<Vec<u64>> = judged.iter().map(|(_, c)| confusion(c, k)).collect();
    let point = shape.aggregates(&observed);
    let intervals = config
        .bootstrap
        .as_ref()
        .map(|b| bootstrap(&judged, &shape, b));
    let estimate = |i: usize| Estimate {
        value: point[i],
        ci: intervals.as_ref().and_then(|iv| iv[i]),
    };

    let mut out_classes = BTreeMap::new();
    for (ci, &c) in classes.iter().enumerate() {
        let by_group = judged
            .iter()
            .zip(&observed)
            .map(|((g, _), m)| ((*g).to_owned(), rates(&Ovr::new(m, k, c), has_truth)))
            .collect();
        let base = ci * PER_CLASS;
        let ratio = point[base + 1];
        out_classes.insert(
            labels[c].to_owned(),
            ClassMetrics {
                by_group,
                demographic_parity_difference: estimate(base),
                demographic_parity_ratio: estimate(base + 1),
                disparate_impact: FourFifths {
                    ratio,
                    threshold: config.four_fifths_threshold,
                    passes: (!ratio.is_nan()).then_some(ratio >= config.four_fifths_threshold),
                },
                equalized_odds_difference: has_truth.then(|| estimate(base + 2)),
                equalized_odds_ratio: has_truth.then(|| estimate(base + 3)),
                equal_opportunity_difference: has_truth.then(|| estimate(base + 4)),
            },
        );
    }
    let accuracy = has_truth.then(|| {
        let base = classes.len() * PER_CLASS;
        AccuracyMetrics {
            by_group: judged
                .iter()
                .zip(&observed)
                .map(|((g, _), m)| ((*g).to_owned(), accuracy(m, k)))
                .collect(),
            difference: estimate(base),
            ratio: estimate(base + 1),
        }
    });
    Ok(GroupMetrics {
        groups: group_counts,
        classes: out_classes,
        accuracy,
        bootstrap: config.bootstrap.clone(),
    })
}

fn validate<L: AsRef<str>, G: AsRef<str>>(
    y_true: Option<&[L]>,
    y_pred: &[L],
    groups: &[G],
    config: &MetricsConfig,
) -> Result<(), FairnessError> {
    if y_pred.is_empty() {
        return Err(FairnessError::Empty);
    }
    if groups.len() != y_pred.len() {
        return Err(FairnessError::LengthMismatch {
            name: "groups",
            expected: y_pred.len(),
            actual: groups.len(),
        });
    }
    if let Some(t) = y_true
        && t.len() != y_pred.len()
    {
        return Err(FairnessError::LengthMismatch {
            name: "y_true",
            expected: y_pred.len(),
            actual: t.len(),
        });
    }
    if let Some(b) = &config.bootstrap {
        if b.resamples == 0 {
            return Err(FairnessError::Config {
                field: "bootstrap.resamples",
                reason: "must be at least 1".into(),
            });
        }
        if !(b.confidence > 0.0 && b.confidence < 1.0) {
            return Err(FairnessError::Config {
                field: "bootstrap.confidence",
                reason: format!("{} is not in (0, 1)", b.confidence),
            });
        }
    }
    Ok(())
}

/// Judged numbers per class, in this order: DP difference, DP ratio, EO difference,
/// EO ratio, equal-opportunity difference.
const PER_CLASS: usize = 5;

struct Shape<'a> {
    k: usize,
    classes: &'a [usize],
    has_truth: bool,
}

impl Shape<'_> {
    /// Every judged number, flattened: [`PER_CLASS`] per class, then accuracy difference and
    /// ratio. One flat vector lets the bootstrap treat all of them alike.
    fn aggregates(&self, groups: &[Vec<u64>]) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.classes.len() * PER_CLASS + 2);
        for &c in self.classes {
            let ovr: Vec<Ovr> = groups.iter().map(|m| Ovr::new(m, self.k, c)).collect();
            let sel: Vec<f64> = ovr.iter().map(Ovr::selection_rate).collect();
            let tpr: Vec<f64> = ovr.iter().map(Ovr::tpr).collect();
            let fpr: Vec<f64> = ovr.iter().map(Ovr::fpr).collect();
            out.push(difference(&sel));
            out.push(ratio(&sel));
            out.push(py_max(difference(&tpr), difference(&fpr)));
            out.push(py_min(ratio(&tpr), ratio(&fpr)));
            out.push(difference(&tpr));
        }
        if self.has_truth {
            let acc: Vec<f64> = groups.iter().map(|m| accuracy(m, self.k)).collect();
            out.push(difference(&acc));
            out.push(ratio(&acc));
        }
        out
    }
}

fn confusion(cells: &[u32], k: usize) -> Vec<u64> {
    let mut m = vec![0u64; k * k];
    for &c in cells {
        m[c as usize] += 1;
    }
    m
}

fn accuracy(m: &[u64], k: usize) -> f64 {
    let n: u64 = m.iter().sum();
    let correct: u64 = (0..k).map(|i| m[i * k + i]).sum();
    correct as f64 / n as f64
}

/// One-vs-rest counts for one class in one group.
struct Ovr {
    n: u64,
    tp: u64,
    fp: u64,
    fn_: u64,
    tn: u64,
}

impl Ovr {
    fn new(m: &[u64], k: usize, c: usize) -> Self {
        let n: u64 = m.iter().sum();
        let predicted: u64 = (0..k).map(|t| m[t * k + c]).sum();
        let actual: u64 = (0..k).map(|p| m[c * k + p]).sum();
        let tp = m[c * k + c];
        let fp = predicted - tp;
        let fn_ = actual - tp;
        Ovr {
            n,
            tp,
            fp,
            fn_,
            tn: n - tp - fp - fn_,
        }
    }

    fn selection_rate(&self) -> f64 {
        (self.tp + self.fp) as f64 / self.n as f64
    }

    fn tpr(&self) -> f64 {
        rate(self.tp, self.tp + self.fn_)
    }

    fn fpr(&self) -> f64 {
        rate(self.fp, self.fp + self.tn)
    }

    fn fnr(&self) -> f64 {
        rate(self.fn_, self.tp + self.fn_)
    }
}

/// scikit-learn's `confusion_matrix(normalize="true")` turns 0/0 into 0; Fairlearn inherits it.
fn rate(num: u64, den: u64) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

fn rates(o: &Ovr, has_truth: bool) -> GroupRates {
    GroupRates {
        count: o.n as usize,
        positives: has_truth.then_some((o.tp + o.fn_) as usize),
        selection_rate: o.selection_rate(),
        true_positive_rate: has_truth.then(|| o.tpr()),
        false_positive_rate: has_truth.then(|| o.fpr()),
        false_negative_rate: has_truth.then(|| o.fnr()),
        accuracy: has_truth.then(|| (o.tp + o.tn) as f64 / o.n as f64),
    }
}

/// `max - min` over groups; NaN with no groups (pandas' `max()` of nothing).
pub(crate) fn difference(v: &[f64]) -> f64 {
    match min_max(v) {
        Some((lo, hi)) => hi - lo,
        None => f64::NAN,
    }
}

/// `min / max` over groups; `0 / 0` is NaN, as in Fairlearn.
pub(crate) fn ratio(v: &[f64]) -> f64 {
    match min_max(v) {
        Some((lo, hi)) => lo / hi,
        None => f64::NAN,
    }
}

/// Like pandas, NaN entries are skipped.
fn min_max(v: &[f64]) -> Option<(f64, f64)> {
    v.iter()
        .filter(|x| !x.is_nan())
        .fold(None, |acc, &x| match acc {
            None => Some((x, x)),
            Some((lo, hi)) => Some((lo.min(x), hi.max(x))),
        })
}

/// Python's `max([a, b])`: `b` only if `b > a`, so a NaN `a` survives.
fn py_max(a: f64, b: f64) -> f64 {
    if b > a { b } else { a }
}

/// Python's `min([a, b])`: `b` only if `b < a`, so a NaN `a` survives.
fn py_min(a: f64, b: f64) -> f64 {
    if b < a { b } else { a }
}

fn bootstrap(
    judged: &[(&str, &Vec<u32>)],
    shape: &Shape,
    b: &BootstrapConfig,
) -> Vec<Option<Interval>> {
    let mut rng = SplitMix64::new(b.seed);
    let mut samples: Vec<Vec<f64>> = Vec::new();
    let mut m = vec![0u64; shape.k * shape.k];
    let mut replicate: Vec<Vec<u64>> = Vec::with_capacity(judged.len());
    for _ in 0..b.resamples {
        replicate.clear();
        for (_, cells) in judged {
            m.iter_mut().for_each(|x| *x = 0);
            for _ in 0..cells.len() {
                m[cells[rng.below(cells.len())] as usize] += 1;
            }
            replicate.push(m.clone());
        }
        let values = shape.aggregates(&replicate);
        if samples.is_empty() {
            samples = vec![Vec::with_capacity(b.resamples); values.len()];
        }
        for (s, v) in samples.iter_mut().zip(values) {
            if !v.is_nan() {
                s.push(v);
            }
        }
    }
    let alpha = (1.0 - b.confidence) / 2.0;
    samples
        .into_iter()
        .map(|mut s| {
            if s.is_empty() {
                return None;
            }
            s.sort_by(f64::total_cmp);
            Some(Interval {
                lower: percentile(&s, alpha),
                upper: percentile(&s, 1.0 - alpha),
            })
        })
        .collect()
}

/// numpy's default ("linear") percentile of sorted, non-empty values.
pub(crate) fn percentile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(min: usize) -> MetricsConfig {
        MetricsConfig {
            min_group_size: min,
            ..MetricsConfig::default()
        }
    }

    #[test]
    fn too_small_groups_are_listed_but_not_judged() {
        let pred = ["1", "0", "1", "0", "1", "1", "1"];
        let groups = ["a", "a", "b", "b", "c", "c", "c"];
        // Group c (all selected) would make the difference 0.5; at min size 3 it is excluded
        // and a, b (both 0.5) leave a difference of 0.
        let all = group_metrics(None, &pred, &groups, &config(1)).unwrap();
        assert!((all.classes["1"].demographic_parity_difference.value - 0.5).abs() < 1e-12);
        let m = group_metrics(
            None,
            &pred,
            &groups,
            &MetricsConfig {
                min_group_size: 3,
                positive_label: Some("1".into()),
                ..MetricsConfig::default()
            },
        )
        .unwrap();
        assert_eq!(m.groups.len(), 3);
        assert!(m.groups.iter().all(|g| g.too_small == (g.group != "c")));
        let c = &m.classes["1"];
        assert_eq!(c.by_group.keys().collect::<Vec<_>>(), ["c"]);
        assert_eq!(c.demographic_parity_difference.value, 0.0);
        assert_eq!(m.classes.len(), 1);
    }

    #[test]
    fn no_judged_groups_gives_nan_not_a_verdict() {
        let m = group_metrics(None, &["1", "0"], &["a", "b"], &config(5)).unwrap();
        let c = &m.classes["1"];
        assert!(c.demographic_parity_difference.value.is_nan());
        assert_eq!(c.disparate_impact.passes, None);
    }

    #[test]
    fn four_fifths_rule() {
        let pred = ["1", "1", "1", "0", "1", "0", "0", "0"];
        let groups = ["a", "a", "a", "a", "b", "b", "b", "b"];
        let m = group_metrics(None, &pred, &groups, &config(1)).unwrap();
        let di = &m.classes["1"].disparate_impact;
        assert!((di.ratio - 0.25 / 0.75).abs() < 1e-12);
        assert_eq!(di.passes, Some(false));
    }

    #[test]
    fn bootstrap_is_deterministic_and_brackets_the_estimate() {
        let pred: Vec<String> = (0..400).map(|i| ((i * 7 % 10) < 4).to_string()).collect();
        let groups: Vec<String> = (0..400).map(|i| format!("g{}", i % 3)).collect();
        let cfg = MetricsConfig {
            min_group_size: 1,
            positive_label: Some("true".into()),
            bootstrap: Some(BootstrapConfig {
                resamples: 300,
                confidence: 0.9,
                seed: 42,
            }),
            ..MetricsConfig::default()
        };
        let a = group_metrics(None, &pred, &groups, &cfg).unwrap();
        let b = group_metrics(None, &pred, &groups, &cfg).unwrap();
        assert_eq!(a, b);
        let e = a.classes["true"].demographic_parity_difference;
        let ci = e.ci.unwrap();
        assert!(
            ci.lower <= e.value && e.value <= ci.upper && ci.lower < ci.upper,
            "{e:?}"
        );
        let other = group_metrics(
            None,
            &pred,
            &groups,
            &MetricsConfig {
                bootstrap: Some(BootstrapConfig {
                    seed: 43,
                    ..cfg.bootstrap.clone().unwrap()
                }),
                ..cfg.clone()
            },
        )
        .unwrap();
        assert_ne!(other.classes["true"].demographic_parity_difference.ci, e.ci);
    }

    #[test]
    fn rejects_bad_input() {
        assert!(matches!(
            group_metrics(None, &["1"], &["a", "b"], &config(1)),
            Err(FairnessError::LengthMismatch { name: "groups", .. })
        ));
        assert!(matches!(
            group_metrics::<&str, &str>(None, &[], &[], &config(1)),
            Err(FairnessError::Empty)
        ));
        let bad = MetricsConfig {
            bootstrap: Some(BootstrapConfig {
                confidence: 1.0,
                ..BootstrapConfig::default()
            }),
            ..config(1)
        };
        assert!(matches!(
            group_metrics(None, &["1"], &["a"], &bad),
            Err(FairnessError::Config { .. })
        ));
    }

    #[test]
    fn percentile_matches_numpy_linear() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile(&v, 0.0), 1.0);
        assert_eq!(percentile(&v, 1.0), 4.0);
        assert!((percentile(&v, 0.25) - 1.75).abs() < 1e-12);
    }
}
