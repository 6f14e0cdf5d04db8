//! Training: multinomial logistic regression over hashed features, with Adam, mini-batches,
//! class weighting, early stopping and temperature scaling.
//!
//! - Parameters are one weight per (feature row, label) plus one bias per label; rows exist only
//!   for hashed buckets that occur in the training texts (the others would stay zero anyway).
//! - The loss is the class-weighted mean cross-entropy plus `l2/2 · ‖W‖²`. "Balanced" weighting
//!   gives class `c` the weight `N / (C · n_c)`, so that every class counts as much as any
//!   other however rare it is.
//! - Adam updates only the rows a mini-batch touches ("lazy" Adam, as for sparse embeddings),
//!   with the L2 gradient added on those rows; the bias is updated densely.
//! - After every epoch the validation set (a file, or a stratified holdout of the training data)
//!   is scored; the weights of the best epoch by accuracy (ties: lower loss) are kept, and
//!   training stops after `patience` epochs without improvement. With `fixed_epochs` there is
//!   no early stopping: every epoch runs, the last is kept, and the holdout only calibrates.
//! - The temperature that minimises the validation negative log-likelihood is then fitted, so
//!   the confidences mean what they say and the abstention threshold is a probability.
//!
//! Single-threaded and seeded: the same data, configuration and seed give the same bytes.

use std::collections::BTreeMap;

use crate::datasheet::{ClassCount, Datasheet};
use crate::features::{
    FeatureConfig, FeatureConfigError, GROUP_BIT, Scaling, Scratch, idf, occurrence_value,
    sublinear,
};
use crate::model::{IntentModel, WeightEncoding, argmax, quantise, softmax_in_place};
use crate::rng::SplitMix64;

/// One labelled text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// The text.
    pub text: String,
    /// Its label.
    pub label: String,
}

impl Example {
    /// A labelled text.
    pub fn new(text: impl Into<String>, label: impl Into<String>) -> Example {
        Example {
            text: text.into(),
            label: label.into(),
        }
    }
}

/// How classes are weighted in the loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassWeighting {
    /// Every example counts the same: frequent classes dominate.
    None,
    /// Every class counts the same in total: weight `N / (C · n_c)`.
    Balanced,
}

/// Training settings.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    /// How texts become features.
    pub features: FeatureConfig,
    /// Most epochs to run.
    pub max_epochs: u32,
    /// Stop after this many epochs without a better validation score.
    pub patience: u32,
    /// Examples per Adam step.
    pub batch_size: u32,
    /// Adam's step size in the first epoch.
    pub learning_rate: f32,
    /// Step-size decay: epoch `e` (from 1) steps with `learning_rate / (1 + lr_decay · (e - 1))`,
    /// so that late epochs settle instead of jumping around the optimum (0: constant).
    pub lr_decay: f32,
    /// L2 penalty on the weights (not the biases).
    pub l2: f32,
    /// Class weighting in the loss.
    pub class_weighting: ClassWeighting,
    /// After early stopping, train again from scratch on the training and validation examples
    /// together, for the number of epochs early stopping chose. The temperature and the
    /// validation scores stay those of the first run (there is nothing left to validate on).
    pub refit: bool,
    /// Share of each class held out for validation when no validation set is given.
    pub valid_fraction: f32,
    /// Seed of the holdout split and of the example order.
    pub seed: u64,
    /// Calibrated confidence below which the model abstains.
    pub min_confidence: f32,
    /// How the weights are stored.
    pub encoding: WeightEncoding,
    /// No early stopping: run exactly `max_epochs` and keep the last weights (and refit for as
    /// many), so that the number of epochs is a setting chosen beforehand rather than the luck
    /// of one small holdout. The validation set then only calibrates and scores.
    pub fixed_epochs: bool,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            features: FeatureConfig::default(),
            max_epochs: 30,
            patience: 3,
            batch_size: 32,
            learning_rate: 0.01,
            lr_decay: 0.0,
            l2: 1e-5,
            class_weighting: ClassWeighting::Balanced,
            refit: false,
            valid_fraction: 0.1,
            seed: 42,
            min_confidence: 0.5,
            encoding: WeightEncoding::Int8,
            fixed_epochs: false,
        }
    }
}

/// What the datasheet should say about the data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DataInfo {
    /// Where the training data came from.
    pub source: String,
    /// The data's licence.
    pub licence: String,
    /// The training date, `YYYY-MM-DD`.
    pub created: String,
    /// Where a given validation set came from (ignored without one).
    pub validation: String,
}

/// What training is doing, for progress displays.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Progress {
    /// Features extracted; epochs begin.
    Prepared {
        /// Training examples.
        train: usize,
        /// Validation examples.
        valid: usize,
        /// Feature rows (distinct hashed features in the training texts).
        rows: usize,
        /// Mini-batches per epoch.
        batches: usize,
    },
    /// A mini-batch of an epoch is done.
    Batch {
        /// The epoch, from 1.
        epoch: u32,
        /// Mini-batches done in this epoch.
        done: usize,
    },
    /// An epoch is done and scored on the validation set.
    Epoch(EpochReport),
    /// Training again on all examples begins (see [`TrainConfig::refit`]).
    Refit {
        /// Training and validation examples together.
        examples: usize,
        /// Epochs it will run.
        epochs: u32,
    },
    /// An epoch of the refit is done.
    RefitEpoch {
        /// The epoch, from 1.
        epoch: u32,
        /// Epochs the refit runs.
        epochs: u32,
        /// Mean class-weighted training loss over the epoch.
        train_loss: f64,
    },
}

/// One epoch's scores.
#[derive(Debug, Clone, PartialEq)]
pub struct EpochReport {
    /// The epoch, from 1.
    pub epoch: u32,
    /// Most epochs that will run.
    pub max_epochs: u32,
    /// Mean class-weighted training loss over the epoch.
    pub train_loss: f64,
    /// Validation accuracy.
    pub valid_accuracy: f64,
    /// Mean validation negative log-likelihood (before calibration).
    pub valid_loss: f64,
    /// Whether this is the best epoch so far (its weights are kept).
    pub best: bool,
}

/// Training that cannot start.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TrainError {
    /// A setting out of range.
    #[error("{field}: {reason}")]
    Config {
        /// The setting.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// Bad feature settings.
    #[error(transparent)]
    Features(#[from] FeatureConfigError),
    /// No training examples.
    #[error("no training examples")]
    NoExamples,
    /// Only one label in the training data.
    #[error("the training data has only one label (`{0}`); a classifier needs at least two")]
    OneClass(String),
    /// No class has enough examples to hold any out.
    #[error(
        "no class has two or more examples, so none can be held out for validation; give a validation set"
    )]
    NoHoldout,
    /// The validation set is empty.
    #[error("the validation set is empty")]
    EmptyValidation,
    /// A validation label that the training data does not have.
    #[error("validation label `{0}` does not occur in the training data")]
    UnknownValidationLabel(String),
}

/// Examples as sparse feature vectors: `(row, value)` pairs per example.
struct Sparse {
    offsets: Vec<usize>,
    rows: Vec<u32>,
    values: Vec<f32>,
    labels: Vec<u32>,
}

impl Sparse {
    fn len(&self) -> usize {
        self.labels.len()
    }
    fn example(&self, i: usize) -> (&[u32], &[f32]) {
        let r = self.offsets[i]..self.offsets[i + 1];
        (&self.rows[r.clone()], &self.values[r])
    }
}

/// Occurrence buckets of every text, with [`GROUP_BIT`] set on those scaled in group 1.
fn bucket_lists(examples: &[&Example], config: &FeatureConfig) -> Vec<Vec<u32>> {
    let mut scratch = Scratch::default();
    examples
        .iter()
        .map(|e| {
            let mut out = Vec::new();
            scratch.extract(&e.text, config, |o| {
                out.push(o.bucket | (config.scaling.group(o.kind) * GROUP_BIT));
            });
            out
        })
        .collect()
}

/// The distinct buckets of `lists`, sorted, without their group bits.
fn distinct_buckets(lists: &[Vec<u32>]) -> Vec<u32> {
    let mut buckets: Vec<u32> = lists.iter().flatten().map(|b| b & !GROUP_BIT).collect();
    buckets.sort_unstable();
    buckets.dedup();
    buckets
}

/// The inverse document frequency of each of `buckets` (sorted) in the texts of `lists`.
fn idf_of(lists: &[Vec<u32>], buckets: &[u32]) -> Vec<f32> {
    let mut df = vec![0u64; buckets.len()];
    let mut seen = Vec::new();
    for list in lists {
        seen.clear();
        seen.extend(
            list.iter()
                .filter_map(|b| buckets.binary_search(&(b & !GROUP_BIT)).ok()),
        );
        seen.sort_unstable();
        seen.dedup();
        for &r in &seen {
            df[r] += 1;
        }
    }
    let n = lists.len() as u64;
    df.into_iter().map(|d| idf(d, n)).collect()
}

/// Sparse vectors over the rows of `buckets` (sorted), valued as `scaling` says (`idf`: one per
/// row for [`Scaling::TfIdf`]). With [`Scaling::SqrtCount`] unknown buckets count towards the
/// occurrence total (as at prediction time) but get no row; with the normalised scalings they
/// are left out.
fn sparse(
    lists: &[Vec<u32>],
    labels: Vec<u32>,
    buckets: &[u32],
    scaling: Scaling,
    idf: &[f32],
) -> Sparse {
    let mut s = Sparse {
        offsets: vec![0],
        rows: Vec::new(),
        values: Vec::new(),
        labels,
    };
    let mut rows = Vec::new();
    for list in lists {
        let v = occurrence_value(list.len());
        rows.clear();
        rows.extend(list.iter().filter_map(|&b| {
            buckets
                .binary_search(&(b & !GROUP_BIT))
                .ok()
                .map(|r| r as u32 | (b & GROUP_BIT))
        }));
        rows.sort_unstable();
        let first = s.values.len();
        let mut sum_sq = [0.0f32; 2];
        crate::model::for_runs(&rows, |tagged, k| {
            let r = tagged & !GROUP_BIT;
            let x = match scaling {
                Scaling::SqrtCount => v * k as f32,
                Scaling::Sublinear | Scaling::SublinearByKind => sublinear(k),
                Scaling::TfIdf => sublinear(k) * idf[r as usize],
            };
            sum_sq[(tagged >> 31) as usize] += x * x;
            s.rows.push(tagged);
            s.values.push(x);
        });
        if scaling.normalised() {
            let norm = sum_sq.map(|q| if q > 0.0 { 1.0 / q.sqrt() } else { 0.0 });
            for (r, x) in s.rows[first..].iter_mut().zip(&mut s.values[first..]) {
                *x *= norm[(*r >> 31) as usize];
                *r &= !GROUP_BIT;
            }
        } else {
            for r in &mut s.rows[first..] {
                *r &= !GROUP_BIT;
            }
        }
        s.offsets.push(s.rows.len());
    }
    s
}

/// `b + Σ x·w[row]` for one example; row `r`'s weights start at `w[r * stride]`.
fn logits_into(out: &mut [f32], w: &[f32], stride: usize, b: &[f32], rows: &[u32], values: &[f32]) {
    let c = b.len();
    out.copy_from_slice(b);
    for (&r, &x) in rows.iter().zip(values) {
        let row = &w[r as usize * stride..r as usize * stride + c];
        for (o, w) in out.iter_mut().zip(row) {
            *o += x * w;
        }
    }
}

/// Validation logits for every example, `n × C`; row `r`'s weights start at `w[r * stride]`.
fn all_logits(data: &Sparse, w: &[f32], stride: usize, b: &[f32]) -> Vec<f32> {
    let c = b.len();
    let mut out = vec![0.0; data.len() * c];
    for i in 0..data.len() {
        let (rows, values) = data.example(i);
        logits_into(&mut out[i * c..(i + 1) * c], w, stride, b, rows, values);
    }
    out
}

/// Mean NLL of `softmax(logits / t)`.
fn nll(logits: &[f32], labels: &[u32], c: usize, t: f32) -> f64 {
    let mut total = 0.0f64;
    for (z, &y) in logits.chunks_exact(c).zip(labels) {
        let max = z.iter().fold(f32::NEG_INFINITY, |m, &x| m.max(x));
        let sum: f64 = z.iter().map(|&x| f64::from((x - max) / t).exp()).sum();
        total += sum.ln() - f64::from((z[y as usize] - max) / t);
    }
    total / labels.len().max(1) as f64
}

fn accuracy(logits: &[f32], labels: &[u32], c: usize) -> f64 {
    let correct = logits
        .chunks_exact(c)
        .zip(labels)
        .filter(|(z, y)| argmax(z) == **y as usize)
        .count();
    correct as f64 / labels.len().max(1) as f64
}

/// Macro-F1 over the labels that occur as gold or prediction.
fn macro_f1(logits: &[f32], labels: &[u32], c: usize) -> f64 {
    let mut tp = vec![0u64; c];
    let mut gold = vec![0u64; c];
    let mut pred = vec![0u64; c];
    for (z, &y) in logits.chunks_exact(c).zip(labels) {
        let p = argmax(z);
        gold[y as usize] += 1;
        pred[p] += 1;
        if p == y as usize {
            tp[p] += 1;
        }
    }
    crate::metrics::macro_f1_from(&tp, &gold, &pred)
}

/// Expected calibration error with 15 equal-width confidence bins.
fn ece(logits: &[f32], labels: &[u32], c: usize, t: f32) -> f64 {
    const BINS: usize = 15;
    let mut conf = [0.0f64; BINS];
    let mut hits = [0.0f64; BINS];
    let mut count = [0u64; BINS];
    let mut p = vec![0.0f32; c];
    for (z, &y) in logits.chunks_exact(c).zip(labels) {
        p.copy_from_slice(z);
        softmax_in_place(&mut p, t);
        let best = argmax(&p);
        let bin = ((p[best] * BINS as f32) as usize).min(BINS - 1);
        conf[bin] += f64::from(p[best]);
        hits[bin] += f64::from(u8::from(best == y as usize));
        count[bin] += 1;
    }
    let n = labels.len().max(1) as f64;
    (0..BINS)
        .filter(|&i| count[i] > 0)
        .map(|i| (conf[i] - hits[i]).abs() / n)
        .sum()
}

/// The temperature in `[0.05, 20]` that minimises validation NLL (golden-section search on
/// its logarithm; the NLL is convex in `1/t`, so unimodal here).
fn fit_temperature(logits: &[f32], labels: &[u32], c: usize) -> f32 {
    let phi = (5f64.sqrt() - 1.0) / 2.0;
    let (mut lo, mut hi) = (0.05f64.ln(), 20f64.ln());
    let f = |x: f64| nll(logits, labels, c, x.exp() as f32);
    let mut a = hi - phi * (hi - lo);
    let mut b = lo + phi * (hi - lo);
    let (mut fa, mut fb) = (f(a), f(b));
    for _ in 0..60 {
        if fa <= fb {
            hi = b;
            b = a;
            fb = fa;
            a = hi - phi * (hi - lo);
            fa = f(a);
        } else {
            lo = a;
            a = b;
            fa = fb;
            b = lo + phi * (hi - lo);
            fb = f(b);
        }
    }
    ((lo + hi) / 2.0).exp() as f32
}

fn check(config: &TrainConfig) -> Result<(), TrainError> {
    config.features.validate()?;
    let bad = |field, reason: &str| {
        Err(TrainError::Config {
            field,
            reason: reason.to_owned(),
        })
    };
    if config.max_epochs == 0 {
        return bad("epochs", "must be at least 1");
    }
    if config.batch_size == 0 {
        return bad("batch size", "must be at least 1");
    }
    if !(config.learning_rate.is_finite() && config.learning_rate > 0.0) {
        return bad("learning rate", "must be a positive number");
    }
    if !(config.lr_decay.is_finite() && config.lr_decay >= 0.0) {
        return bad("learning-rate decay", "must be zero or a positive number");
    }
    if !(config.l2.is_finite() && config.l2 >= 0.0) {
        return bad("l2", "must be zero or a positive number");
    }
    if !(config.valid_fraction > 0.0 && config.valid_fraction < 1.0) {
        return bad("validation fraction", "must be between 0 and 1 (exclusive)");
    }
    if !(0.0..=1.0).contains(&config.min_confidence) {
        return bad("minimum confidence", "must be between 0 and 1");
    }
    Ok(())
}

/// Loss weight of each class given its example count.
fn class_weights(weighting: ClassWeighting, counts: &[u64]) -> Vec<f32> {
    let total: u64 = counts.iter().sum();
    let c = counts.len() as f32;
    counts
        .iter()
        .map(|&n| match weighting {
            ClassWeighting::None => 1.0,
            ClassWeighting::Balanced if n == 0 => 0.0,
            ClassWeighting::Balanced => total as f32 / (c * n as f32),
        })
        .collect()
}

/// Drops rows without weight and rounds the rest to the stored precision; returns the weights,
/// the kept rows' buckets and the int8 scales.
fn finish(
    mut w: Vec<f32>,
    buckets: &[u32],
    c: usize,
    encoding: WeightEncoding,
    scaling: Scaling,
) -> (Vec<f32>, Vec<u32>, Vec<f32>) {
    let mut kept_w = Vec::with_capacity(w.len());
    let mut kept = Vec::with_capacity(buckets.len());
    for (row, &bucket) in w.chunks_exact(c).zip(buckets) {
        // Under the normalised scalings every known feature counts in a text's length, so a
        // row without weight must stay for predictions to match training.
        if scaling.normalised() || row.iter().any(|&x| x != 0.0) {
            kept_w.extend_from_slice(row);
            kept.push(bucket);
        }
    }
    w = kept_w;
    let scales = match encoding {
        WeightEncoding::F32 => Vec::new(),
        WeightEncoding::Int8 => quantise(&mut w, c),
    };
    (w, kept, scales)
}

/// The weights, `rows × c`, out of `[w | m | v]` blocks.
fn weights_of(state: &[f32], c: usize) -> Vec<f32> {
    let mut w = vec![0.0f32; state.len() / 3];
    copy_weights(state, c, &mut w);
    w
}

fn copy_weights(state: &[f32], c: usize, w: &mut [f32]) {
    for (row, block) in w.chunks_exact_mut(c).zip(state.chunks_exact(3 * c)) {
        row.copy_from_slice(&block[..c]);
    }
}

/// The best epoch so far and its parameters.
struct Best {
    acc: f64,
    loss: f64,
    epoch: u32,
    w: Vec<f32>,
    b: Vec<f32>,
}

/// Weights and biases after training.
struct Fit {
    w: Vec<f32>,
    b: Vec<f32>,
    best_epoch: u32,
    epochs_run: u32,
}

/// Runs Adam over `tr` for at most `epochs` epochs. With `va`, scores every epoch on it, keeps
/// the best and stops after `patience` epochs without improvement; without, keeps the last.
#[allow(clippy::too_many_arguments)]
fn fit(
    tr: &Sparse,
    va: Option<&Sparse>,
    rows: usize,
    c: usize,
    class_weight: &[f32],
    config: &TrainConfig,
    epochs: u32,
    rng: &mut SplitMix64,
    progress: &mut dyn FnMut(&Progress),
) -> Fit {
    let batch = config.batch_size as usize;
    // Parameters and Adam state.
    // Each row's weights, first and second moments lie together (`[w | m | v]`, `3c` floats),
    // so that an optimiser step reads and writes one block per touched row, not three.
    let stride = 3 * c;
    let mut state = vec![0.0f32; rows * stride];
    let mut b = vec![0.0f32; c];
    let mut m_b = vec![0.0f32; c];
    let mut v_b = vec![0.0f32; c];
    // The mini-batch's gradient is kept only for the rows it touches, packed in the order they
    // were first touched: a few thousand rows that stay in cache, instead of a table as large
    // as the weights that every step would write to at random.
    let mut g_w: Vec<f32> = Vec::new();
    let mut g_b = vec![0.0f32; c];
    let mut touched: Vec<u32> = Vec::new();
    let mut slot = vec![u32::MAX; rows];
    let (beta1, beta2, eps) = (0.9f32, 0.999f32, 1e-8f32);
    let lr = config.learning_rate;
    let l2 = config.l2;
    let mut step = 0i32;

    let mut order: Vec<usize> = (0..tr.len()).collect();
    let mut z = vec![0.0f32; c];
    let mut best: Option<Best> = None;
    let mut since_best = 0;
    let mut epochs_run = 0;

    for epoch in 1..=epochs {
        epochs_run = epoch;
        let lr = lr / (1.0 + config.lr_decay * (epoch - 1) as f32);
        rng.shuffle(&mut order);
        let mut loss_sum = 0.0f64;
        for (done, chunk) in order.chunks(batch).enumerate() {
            let scale = 1.0 / chunk.len() as f32;
            for &i in chunk {
                let (rws, vals) = tr.example(i);
                let y = tr.labels[i] as usize;
                logits_into(&mut z, &state, stride, &b, rws, vals);
                let max = z.iter().fold(f32::NEG_INFINITY, |m, &x| m.max(x));
                let mut sum = 0.0f32;
                for x in z.iter_mut() {
                    *x = (*x - max).exp();
                    sum += *x;
                }
                let cw = class_weight[y];
                loss_sum += f64::from(cw) * -f64::from((z[y] / sum).max(f32::MIN_POSITIVE).ln());
                for x in z.iter_mut() {
                    *x /= sum;
                }
                z[y] -= 1.0;
                let k = cw * scale;
                for (g, &d) in g_b.iter_mut().zip(&z) {
                    *g += k * d;
                }
                for (&r, &x) in rws.iter().zip(vals) {
                    let r = r as usize;
                    if slot[r] == u32::MAX {
                        slot[r] = touched.len() as u32;
                        touched.push(r as u32);
                        g_w.resize(g_w.len() + c, 0.0);
                    }
                    let s = slot[r] as usize;
                    let kx = k * x;
                    for (g, &d) in g_w[s * c..(s + 1) * c].iter_mut().zip(&z) {
                        *g += kx * d;
                    }
                }
            }
            step += 1;
            let lr_t = lr * (1.0 - beta2.powi(step)).sqrt() / (1.0 - beta1.powi(step));
            for (&r, g_row) in touched.iter().zip(g_w.chunks_exact(c)) {
                let r = r as usize;
                let (w, moments) = state[r * stride..(r + 1) * stride].split_at_mut(c);
                let (m, v) = moments.split_at_mut(c);
                for (((wj, &gj), mj), vj) in
                    w.iter_mut().zip(g_row).zip(m.iter_mut()).zip(v.iter_mut())
                {
                    let g = gj + l2 * *wj;
                    *mj = beta1 * *mj + (1.0 - beta1) * g;
                    *vj = beta2 * *vj + (1.0 - beta2) * g * g;
                    *wj -= lr_t * *mj / (vj.sqrt() + eps);
                }
                slot[r] = u32::MAX;
            }
            touched.clear();
            g_w.clear();
            for (((bj, gj), mj), vj) in b
                .iter_mut()
                .zip(g_b.iter_mut())
                .zip(m_b.iter_mut())
                .zip(v_b.iter_mut())
            {
                let g = *gj;
                *mj = beta1 * *mj + (1.0 - beta1) * g;
                *vj = beta2 * *vj + (1.0 - beta2) * g * g;
                *bj -= lr_t * *mj / (vj.sqrt() + eps);
                *gj = 0.0;
            }
            progress(&Progress::Batch {
                epoch,
                done: done + 1,
            });
        }

        let Some(va) = va else {
            progress(&Progress::RefitEpoch {
                epoch,
                epochs,
                train_loss: loss_sum / tr.len() as f64,
            });
            continue;
        };
        let logits = all_logits(va, &state, stride, &b);
        let acc = accuracy(&logits, &va.labels, c);
        let loss = nll(&logits, &va.labels, c, 1.0);
        let better = match &best {
            // The weights after the last epoch are what `fit` returns.
            _ if config.fixed_epochs => false,
            None => true,
            Some(best) => acc > best.acc || (acc == best.acc && loss < best.loss),
        };
        if better {
            // The previous best's buffers are reused: no 4 bytes × rows × labels allocation
            // per better epoch.
            match &mut best {
                Some(kept) => {
                    copy_weights(&state, c, &mut kept.w);
                    kept.b.copy_from_slice(&b);
                    (kept.acc, kept.loss, kept.epoch) = (acc, loss, epoch);
                }
                None => {
                    best = Some(Best {
                        acc,
                        loss,
                        epoch,
                        w: weights_of(&state, c),
                        b: b.clone(),
                    });
                }
            }
            since_best = 0;
        } else {
            since_best += 1;
        }
        progress(&Progress::Epoch(EpochReport {
            epoch,
            max_epochs: epochs,
            train_loss: loss_sum / tr.len() as f64,
            valid_accuracy: acc,
            valid_loss: loss,
            best: better || (config.fixed_epochs && epoch == epochs),
        }));
        if !config.fixed_epochs && since_best >= config.patience.max(1) {
            break;
        }
    }
    match best {
        Some(best) => Fit {
            w: best.w,
            b: best.b,
            best_epoch: best.epoch,
            epochs_run,
        },
        None => Fit {
            w: weights_of(&state, c),
            b,
            best_epoch: epochs_run,
            epochs_run,
        },
    }
}

/// Trains a model on `train`, validating on `valid` or, without it, on a stratified holdout of
/// `valid_fraction` of each class of `train`.
///
/// # Errors
///
/// When a setting is out of range, there are fewer than two labels, there is nothing to
/// validate on, or the validation set has a label the training data lacks.
pub fn train(
    train: &[Example],
    valid: Option<&[Example]>,
    config: &TrainConfig,
    info: &DataInfo,
    progress: &mut dyn FnMut(&Progress),
) -> Result<IntentModel, TrainError> {
    check(config)?;
    if train.is_empty() {
        return Err(TrainError::NoExamples);
    }
    let mut per_label: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, e) in train.iter().enumerate() {
        per_label.entry(e.label.as_str()).or_default().push(i);
    }
    if per_label.len() < 2 {
        return Err(TrainError::OneClass(train[0].label.clone()));
    }
    let labels: Vec<String> = per_label.keys().map(|l| (*l).to_owned()).collect();
    let label_index = |l: &str| labels.binary_search_by(|x| x.as_str().cmp(l)).ok();
    let c = labels.len();
    let mut rng = SplitMix64::new(config.seed);

    // The split.
    let (train_set, valid_set, validation): (Vec<&Example>, Vec<&Example>, String) = match valid {
        Some(v) => {
            if v.is_empty() {
                return Err(TrainError::EmptyValidation);
            }
            if let Some(e) = v.iter().find(|e| label_index(&e.label).is_none()) {
                return Err(TrainError::UnknownValidationLabel(e.label.clone()));
            }
            let description = if info.validation.is_empty() {
                "a separate validation set".to_owned()
            } else {
                info.validation.clone()
            };
            (train.iter().collect(), v.iter().collect(), description)
        }
        None => {
            let mut held = vec![false; train.len()];
            for indices in per_label.values() {
                if indices.len() < 2 {
                    continue;
                }
                let mut shuffled = indices.clone();
                rng.shuffle(&mut shuffled);
                let k = ((indices.len() as f32 * config.valid_fraction).round() as usize)
                    .clamp(1, indices.len() - 1);
                for &i in &shuffled[..k] {
                    held[i] = true;
                }
            }
            let valid: Vec<&Example> = train
                .iter()
                .zip(&held)
                .filter_map(|(e, h)| h.then_some(e))
                .collect();
            if valid.is_empty() {
                return Err(TrainError::NoHoldout);
            }
            let rest = train
                .iter()
                .zip(&held)
                .filter_map(|(e, h)| (!h).then_some(e))
                .collect();
            let description = format!(
                "stratified holdout of {:.0}% of each class of the training data (seed {})",
                config.valid_fraction * 100.0,
                config.seed
            );
            (rest, valid, description)
        }
    };

    // Features.
    let train_lists = bucket_lists(&train_set, &config.features);
    let valid_lists = bucket_lists(&valid_set, &config.features);
    let buckets = distinct_buckets(&train_lists);
    let to_index = |set: &[&Example]| -> Vec<u32> {
        set.iter()
            .map(|e| label_index(&e.label).expect("labels were checked") as u32)
            .collect()
    };
    let scaling = config.features.scaling;
    let idf_for = |lists: &[Vec<u32>], buckets: &[u32]| match scaling {
        Scaling::TfIdf => idf_of(lists, buckets),
        Scaling::SqrtCount | Scaling::Sublinear | Scaling::SublinearByKind => Vec::new(),
    };
    let idf = idf_for(&train_lists, &buckets);
    let tr = sparse(&train_lists, to_index(&train_set), &buckets, scaling, &idf);
    let va = sparse(&valid_lists, to_index(&valid_set), &buckets, scaling, &idf);
    let rows = buckets.len();

    let mut counts_train = vec![0u64; c];
    for &y in &tr.labels {
        counts_train[y as usize] += 1;
    }
    let mut counts_valid = vec![0u64; c];
    for &y in &va.labels {
        counts_valid[y as usize] += 1;
    }
    let class_weight = class_weights(config.class_weighting, &counts_train);

    let batch = config.batch_size as usize;
    let batches = tr.len().div_ceil(batch);
    progress(&Progress::Prepared {
        train: tr.len(),
        valid: va.len(),
        rows,
        batches,
    });

    let first = fit(
        &tr,
        Some(&va),
        rows,
        c,
        &class_weight,
        config,
        config.max_epochs,
        &mut rng,
        progress,
    );
    let (best_epoch, epochs_run) = (first.best_epoch, first.epochs_run);

    // The model in memory is exactly the model that will be saved: prune and round first, then
    // calibrate and score what remains.
    let (w, kept, scales) = finish(first.w, &buckets, c, config.encoding, scaling);
    // The normalised scalings keep every row, so `idf` still lines up with `kept`.
    let va = sparse(&valid_lists, va.labels, &kept, scaling, &idf);
    let logits = all_logits(&va, &w, c, &first.b);
    let temperature = fit_temperature(&logits, &va.labels, c);

    let (w, b, buckets, scales, idf, train_rows, validation) = if config.refit {
        // Train again on everything for the epochs early stopping chose.
        let all: Vec<&Example> = train_set.iter().chain(&valid_set).copied().collect();
        // The texts' features were extracted above, in the same order.
        let mut lists = train_lists;
        lists.extend(valid_lists);
        let all_buckets = distinct_buckets(&lists);
        let all_idf = idf_for(&lists, &all_buckets);
        let data = sparse(&lists, to_index(&all), &all_buckets, scaling, &all_idf);
        let counts: Vec<u64> = (0..c).map(|i| counts_train[i] + counts_valid[i]).collect();
        let weights = class_weights(config.class_weighting, &counts);
        progress(&Progress::Refit {
            examples: data.len(),
            epochs: best_epoch,
        });
        let refit = fit(
            &data,
            None,
            all_buckets.len(),
            c,
            &weights,
            config,
            best_epoch,
            &mut rng,
            progress,
        );
        let (w, kept, scales) = finish(refit.w, &all_buckets, c, config.encoding, scaling);
        let validation = format!(
            "{validation}; the weights were then trained again on the training and validation examples together for {best_epoch} epochs, so the validation scores and the temperature are those of the first run"
        );
        (w, refit.b, kept, scales, all_idf, data.len(), validation)
    } else {
        (w, first.b, kept, scales, idf, tr.len(), validation)
    };

    let datasheet = Datasheet {
        source: info.source.clone(),
        licence: info.licence.clone(),
        created: info.created.clone(),
        seed: config.seed,
        train_rows: train_rows as u64,
        valid_rows: va.len() as u64,
        validation,
        classes: labels
            .iter()
            .enumerate()
            .map(|(i, l)| ClassCount {
                label: l.clone(),
                train: counts_train[i],
                valid: counts_valid[i],
            })
            .collect(),
        valid_accuracy: accuracy(&logits, &va.labels, c),
        valid_macro_f1: macro_f1(&logits, &va.labels, c),
        valid_nll: nll(&logits, &va.labels, c, temperature),
        valid_ece: ece(&logits, &va.labels, c, temperature),
        epochs_run,
        best_epoch,
        hyperparameters: hyperparameters(config, temperature),
    };
    Ok(IntentModel::from_parts(
        config.features,
        labels,
        buckets,
        w,
        scales,
        b,
        idf,
        temperature,
        config.min_confidence,
        config.encoding,
        datasheet,
    ))
}

fn hyperparameters(config: &TrainConfig, temperature: f32) -> Vec<(String, String)> {
    let f = config.features;
    let chars = if f.char_min == 0 {
        "none".to_owned()
    } else {
        format!("{}..={}-grams inside words", f.char_min, f.char_max)
    };
    [
        ("model", "multinomial logistic regression".to_owned()),
        (
            "features",
            format!(
                "word 1..={}-grams, word pairs {}, character {chars}, hashed into 2^{} buckets{}",
                f.word_ngrams,
                if f.skip_window >= 2 {
                    format!("up to {} tokens apart", f.skip_window)
                } else {
                    "none".to_owned()
                },
                f.bucket_bits,
                if f.fold_digits {
                    ", digits folded to 0"
                } else {
                    ""
                }
            ),
        ),
        (
            "scaling",
            match f.scaling {
                Scaling::SqrtCount => "every occurrence 1/sqrt(occurrences in the text)".to_owned(),
                Scaling::Sublinear => {
                    "1 + ln(count) per known feature, scaled to unit length".to_owned()
                }
                Scaling::TfIdf => {
                    "(1 + ln(count)) × idf per known feature, scaled to unit length".to_owned()
                }
                Scaling::SublinearByKind => {
                    "1 + ln(count) per known feature, word and character features each scaled to unit length".to_owned()
                }
            },
        ),
        (
            "optimiser",
            format!(
                "Adam (lazy), learning rate {} / (1 + {} · (epoch - 1)), batch {}, L2 {}",
                config.learning_rate, config.lr_decay, config.batch_size, config.l2
            ),
        ),
        (
            "class weighting",
            match config.class_weighting {
                ClassWeighting::None => "none".to_owned(),
                ClassWeighting::Balanced => "balanced".to_owned(),
            },
        ),
        (
            "early stopping",
            if config.fixed_epochs {
                format!("none: exactly {} epochs", config.max_epochs)
            } else {
                format!(
                    "at most {} epochs, patience {}",
                    config.max_epochs, config.patience
                )
            },
        ),
        (
            "calibration",
            format!("temperature {temperature:.4} fitted on validation NLL"),
        ),
        (
            "abstention",
            format!("below calibrated confidence {}", config.min_confidence),
        ),
        (
            "weights",
            match config.encoding {
                WeightEncoding::F32 => "f32".to_owned(),
                WeightEncoding::Int8 => "int8 with one f32 scale per feature row".to_owned(),
            },
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temperature_fit_finds_the_minimum() {
        // Two classes, logits +-4, 80% right: the best temperature makes p = 0.8.
        let mut logits = Vec::new();
        let mut labels = Vec::new();
        for i in 0..100 {
            logits.extend_from_slice(&[4.0f32, -4.0]);
            labels.push(u32::from(i >= 80));
        }
        let t = fit_temperature(&logits, &labels, 2);
        // softmax(8/t) = 0.8 => 8/t = ln 4.
        let want = 8.0 / 4f32.ln();
        assert!((t - want).abs() < 1e-3, "{t} vs {want}");
        assert!(nll(&logits, &labels, 2, t) < nll(&logits, &labels, 2, 1.0));
        assert!(ece(&logits, &labels, 2, t) < 1e-3);
    }

    #[test]
    fn bad_settings_are_named() {
        type Breaker = fn(&mut TrainConfig);
        let cases: [(Breaker, &str); 5] = [
            (|c| c.max_epochs = 0, "epochs"),
            (|c| c.batch_size = 0, "batch size"),
            (|c| c.learning_rate = -1.0, "learning rate"),
            (|c| c.valid_fraction = 1.0, "validation fraction"),
            (|c| c.min_confidence = 1.5, "minimum confidence"),
        ];
        let data = [Example::new("a", "x"), Example::new("b", "y")];
        for (break_it, name) in cases {
            let mut config = TrainConfig::default();
            break_it(&mut config);
            match train(&data, None, &config, &DataInfo::default(), &mut |_| {}) {
                Err(TrainError::Config { field, .. }) => assert_eq!(field, name),
                other => panic!("{name}: {other:?}"),
            }
        }
    }

    #[test]
    fn unusable_data_is_refused() {
        let config = TrainConfig::default();
        let info = DataInfo::default();
        let none = &mut |_: &Progress| {};
        assert_eq!(
            train(&[], None, &config, &info, none).unwrap_err(),
            TrainError::NoExamples
        );
        let one = [Example::new("a", "x"), Example::new("b", "x")];
        assert_eq!(
            train(&one, None, &config, &info, none).unwrap_err(),
            TrainError::OneClass("x".into())
        );
        let singles = [Example::new("a", "x"), Example::new("b", "y")];
        assert_eq!(
            train(&singles, None, &config, &info, none).unwrap_err(),
            TrainError::NoHoldout
        );
        let valid = [Example::new("c", "z")];
        assert_eq!(
            train(&singles, Some(&valid), &config, &info, none).unwrap_err(),
            TrainError::UnknownValidationLabel("z".into())
        );
        assert_eq!(
            train(&singles, Some(&[]), &config, &info, none).unwrap_err(),
            TrainError::EmptyValidation
        );
    }
}
