//! A trained intent model: prediction with calibrated confidence, abstention and explanations.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use candor_core::Span;

use crate::datasheet::Datasheet;
use crate::features::{
    FeatureConfig, GROUP_BIT, Kind, Scaling, Scratch, occurrence_value, sublinear,
};
use crate::format;

/// The index value of a bucket that no row uses.
const NO_ROW: u32 = u32::MAX;

/// How weights are stored in the model file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightEncoding {
    /// Four bytes per weight, exactly as trained.
    F32,
    /// One byte per weight and one f32 scale per feature row: a quarter of the size, with a
    /// rounding error of at most half a step (1/254 of the row's largest weight). The model in
    /// memory after training already carries the rounded weights, so saving and loading changes
    /// nothing.
    Int8,
}

/// A model file that cannot be read or written, or is not a valid model.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// The file could not be read.
    #[error("cannot read model file {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file could not be written.
    #[error("cannot write model file {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file does not start with the model magic bytes: it is not a Candor model.
    #[error("not a Candor text-classifier model (wrong magic bytes)")]
    BadMagic,
    /// A model format this build cannot read.
    #[error(
        "model format version {found} is not supported (this build reads versions 1 to {supported})"
    )]
    UnsupportedVersion {
        /// The version in the file.
        found: u32,
        /// The version this build reads.
        supported: u32,
    },
    /// The file ends early.
    #[error("model file is truncated: {expected} bytes expected, {actual} found")]
    Truncated {
        /// Bytes the header announces.
        expected: u64,
        /// Bytes present.
        actual: u64,
    },
    /// Bytes after the announced end.
    #[error("model file has {0} unexpected bytes after its end")]
    TrailingBytes(u64),
    /// The body does not match its checksum: the file was damaged or altered.
    #[error("model file is corrupted: its SHA-256 is {actual}, the header says {expected}")]
    ChecksumMismatch {
        /// The checksum in the header (hex).
        expected: String,
        /// The checksum of the body as read (hex).
        actual: String,
    },
    /// The checksum matches but the content is not a valid model (a bug in whatever wrote it).
    #[error("model file is malformed: {0}")]
    Malformed(String),
}

/// A label the model does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown label `{label}` (the model knows: {known})")]
pub struct UnknownLabel {
    /// The label asked for.
    pub label: String,
    /// The model's labels, comma-separated.
    pub known: String,
}

/// A confidence floor outside `[0, 1]`.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error("minimum confidence must be between 0 and 1, got {0}")]
pub struct BadConfidence(pub f32);

/// What the model says about a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// The most likely label, or `None` when the model abstained: a classifier that cannot
    /// decide says so rather than guess.
    pub label: Option<String>,
    /// The calibrated probability of the most likely label, also when abstaining.
    pub confidence: f32,
    /// Whether the model abstained: the confidence is below the model's minimum, or no feature
    /// of the text was seen in training.
    pub abstained: bool,
    /// The most likely labels with their calibrated probabilities, best first (also when
    /// abstaining, for inspection).
    pub top: Vec<(String, f32)>,
}

/// One feature occurrence's part in a label's score.
#[derive(Debug, Clone, PartialEq)]
pub struct Contribution {
    /// The bytes of the input text the feature comes from.
    pub span: Span,
    /// The feature, readably: `word "card"`, `words "my card"`, `chars "<car"`.
    pub feature: String,
    /// What it adds to the label's logit (negative: evidence against the label).
    pub weight: f32,
}

/// Why a text scores what it does for one label.
///
/// `bias` plus the weights of all contributions (`k = usize::MAX`) equals `logit`, up to
/// floating-point rounding. The logit is before calibration: the probability is the softmax of
/// all labels' logits divided by the model's temperature.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// The label explained.
    pub label: String,
    /// The label's logit for the text.
    pub logit: f32,
    /// The label's bias (its score for a text without known features).
    pub bias: f32,
    /// The largest contributions by absolute weight, largest first; features unknown to the
    /// model, or with no weight for this label, contribute nothing and are left out.
    pub contributions: Vec<Contribution>,
}

/// A trained linear intent classifier over hashed word and character n-grams.
///
/// ```no_run
/// use candor_classify::IntentModel;
/// let model = IntentModel::load("models/customer-service-intent.ctc").unwrap();
/// let p = model.predict("I want my money back for order 1234");
/// if !p.abstained {
///     println!("{} ({:.0}%)", p.label.unwrap(), p.confidence * 100.0);
/// }
/// let why = model.explain("I want my money back for order 1234", "get_refund", 3).unwrap();
/// for c in why.contributions {
///     println!("{:+.2} {} at {}..{}", c.weight, c.feature, c.span.start, c.span.end);
/// }
/// ```
#[derive(Debug, Clone)]
pub struct IntentModel {
    pub(crate) features: FeatureConfig,
    pub(crate) labels: Vec<String>,
    /// Bucket of each row, strictly increasing.
    pub(crate) buckets: Vec<u32>,
    /// Row-major, `rows × labels`, for [`WeightEncoding::F32`]; empty for Int8.
    pub(crate) weights: Vec<f32>,
    /// Row-major int8 steps, `rows × labels`, for [`WeightEncoding::Int8`]; empty for F32.
    /// Kept as bytes in memory too: a quarter of the memory traffic per prediction.
    pub(crate) steps: Vec<i8>,
    /// One scale per row for [`WeightEncoding::Int8`], empty for F32.
    pub(crate) scales: Vec<f32>,
    pub(crate) bias: Vec<f32>,
    /// Inverse document frequency of each row for [`Scaling::TfIdf`], empty otherwise.
    pub(crate) idf: Vec<f32>,
    pub(crate) temperature: f32,
    pub(crate) min_confidence: f32,
    pub(crate) encoding: WeightEncoding,
    pub(crate) datasheet: Datasheet,
    /// Bucket to row, `NO_ROW` for buckets no training text produced.
    index: Vec<u32>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Rounds a weight to its int8 step.
pub(crate) fn requantise(w: f32, scale: f32) -> i8 {
    if scale == 0.0 {
        0
    } else {
        (w / scale).round().clamp(-127.0, 127.0) as i8
    }
}

/// The weight an int8 step stands for.
pub(crate) fn dequantise(q: i8, scale: f32) -> f32 {
    f32::from(q) * scale
}

/// Rounds every row of `weights` (rows of `c`) to int8 steps in place; returns the scales.
pub(crate) fn quantise(weights: &mut [f32], c: usize) -> Vec<f32> {
    weights
        .chunks_exact_mut(c)
        .map(|row| {
            let max = row.iter().fold(0f32, |m, w| m.max(w.abs()));
            let scale = max / 127.0;
            for w in row.iter_mut() {
                *w = dequantise(requantise(*w, scale), scale);
            }
            scale
        })
        .collect()
}

impl IntentModel {
    /// Assembles a model; the parts must be consistent (the trainer and the decoder check).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn from_parts(
        features: FeatureConfig,
        labels: Vec<String>,
        buckets: Vec<u32>,
        weights: Vec<f32>,
        scales: Vec<f32>,
        bias: Vec<f32>,
        idf: Vec<f32>,
        temperature: f32,
        min_confidence: f32,
        encoding: WeightEncoding,
        datasheet: Datasheet,
    ) -> IntentModel {
        debug_assert_eq!(weights.len(), buckets.len() * labels.len());
        debug_assert_eq!(bias.len(), labels.len());
        debug_assert_eq!(
            idf.len(),
            if features.scaling == Scaling::TfIdf {
                buckets.len()
            } else {
                0
            }
        );
        let c = labels.len();
        let (weights, steps) = match encoding {
            WeightEncoding::F32 => (weights, Vec::new()),
            WeightEncoding::Int8 => {
                debug_assert_eq!(scales.len(), buckets.len());
                let steps = weights
                    .chunks_exact(c.max(1))
                    .zip(&scales)
                    .flat_map(|(row, &scale)| row.iter().map(move |&w| requantise(w, scale)))
                    .collect();
                (Vec::new(), steps)
            }
        };
        let mut index = vec![NO_ROW; features.buckets()];
        for (row, &b) in buckets.iter().enumerate() {
            index[b as usize] = row as u32;
        }
        IntentModel {
            features,
            labels,
            buckets,
            weights,
            steps,
            scales,
            bias,
            idf,
            temperature,
            min_confidence,
            encoding,
            datasheet,
            index,
        }
    }

    /// Reads a model file.
    ///
    /// # Errors
    ///
    /// When the file cannot be read, or is not an intact model of a supported version.
    pub fn load(path: impl AsRef<Path>) -> Result<IntentModel, ModelError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| ModelError::Read {
            path: path.to_owned(),
            source,
        })?;
        IntentModel::from_bytes(&bytes)
    }

    /// Decodes a model from the bytes of a model file.
    ///
    /// # Errors
    ///
    /// When the bytes are not an intact model of a supported version.
    pub fn from_bytes(bytes: &[u8]) -> Result<IntentModel, ModelError> {
        format::decode(bytes)
    }

    /// The model as the bytes of a model file.
    pub fn to_bytes(&self) -> Vec<u8> {
        format::encode(self)
    }

    /// Writes the model file (to a temporary file first, then renamed into place) and returns
    /// the SHA-256 of its body, as stored in its header (hex).
    ///
    /// # Errors
    ///
    /// When the file cannot be written.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<String, ModelError> {
        let path = path.as_ref();
        let bytes = self.to_bytes();
        let err = |source| ModelError::Write {
            path: path.to_owned(),
            source,
        };
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        std::fs::write(&tmp, &bytes).map_err(err)?;
        std::fs::rename(&tmp, path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            err(e)
        })?;
        Ok(format::body_digest(&bytes))
    }

    /// The labels, in the model's order (the order of [`IntentModel::scores`]).
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The training datasheet.
    pub fn datasheet(&self) -> &Datasheet {
        &self.datasheet
    }

    /// The feature settings.
    pub fn feature_config(&self) -> FeatureConfig {
        self.features
    }

    /// How the weights are stored.
    pub fn encoding(&self) -> WeightEncoding {
        self.encoding
    }

    /// The calibration temperature: probabilities are `softmax(logits / temperature)`.
    pub fn temperature(&self) -> f32 {
        self.temperature
    }

    /// Below this calibrated confidence the model abstains.
    pub fn min_confidence(&self) -> f32 {
        self.min_confidence
    }

    /// Sets the confidence below which the model abstains.
    ///
    /// # Errors
    ///
    /// When `min` is not in `[0, 1]`.
    pub fn set_min_confidence(&mut self, min: f32) -> Result<(), BadConfidence> {
        if !(0.0..=1.0).contains(&min) {
            return Err(BadConfidence(min));
        }
        self.min_confidence = min;
        Ok(())
    }

    /// The weight of feature row `row` for label `label`.
    pub(crate) fn weight(&self, row: usize, label: usize) -> f32 {
        let c = self.labels.len();
        match self.encoding {
            WeightEncoding::F32 => self.weights[row * c + label],
            WeightEncoding::Int8 => dequantise(self.steps[row * c + label], self.scales[row]),
        }
    }

    /// The number of feature rows (hashed features seen in training with a weight).
    pub fn rows(&self) -> usize {
        self.buckets.len()
    }

    /// Adds `value` times the weights of row `row` to `acc`.
    #[inline]
    fn add_row(&self, acc: &mut [f32], row: usize, value: f32) {
        let c = self.labels.len();
        let start = row * c;
        match self.encoding {
            WeightEncoding::F32 => {
                for (a, w) in acc.iter_mut().zip(&self.weights[start..start + c]) {
                    *a += value * *w;
                }
            }
            WeightEncoding::Int8 => {
                // The same product as `dequantise`, so the same logits as f32 weights holding
                // the rounded values.
                let scale = self.scales[row] * value;
                for (a, &q) in acc.iter_mut().zip(&self.steps[start..start + c]) {
                    *a += f32::from(q) * scale;
                }
            }
        }
    }

    /// The unnormalised value of a row that occurs `k` times, for the normalised scalings.
    #[inline]
    fn row_value(&self, row: usize, k: usize) -> f32 {
        let tf = sublinear(k);
        if self.idf.is_empty() {
            tf
        } else {
            tf * self.idf[row]
        }
    }

    /// Raw logits into `scratch.acc`; returns how many feature occurrences the model knows.
    #[inline]
    fn raw_logits(&self, text: &str, scratch: &mut Scratch) -> usize {
        let c = self.labels.len();
        let mut acc = std::mem::take(&mut scratch.acc);
        acc.clear();
        acc.resize(c, 0.0);
        let known;
        if self.features.scaling.normalised() {
            let scaling = self.features.scaling;
            let mut rows = std::mem::take(&mut scratch.rows);
            rows.clear();
            scratch.extract(text, &self.features, |o| {
                let row = self.index[o.bucket as usize];
                if row != NO_ROW {
                    rows.push(row | (scaling.group(o.kind) * GROUP_BIT));
                }
            });
            known = rows.len();
            // Equal rows next to each other, to count each distinct feature once; group 0
            // before group 1.
            rows.sort_unstable();
            let norm = self.group_norms(&rows);
            for_runs(&rows, |tagged, k| {
                let row = (tagged & !GROUP_BIT) as usize;
                let v = self.row_value(row, k) * norm[(tagged >> 31) as usize];
                self.add_row(&mut acc, row, v);
            });
            for (a, b) in acc.iter_mut().zip(&self.bias) {
                *a += *b;
            }
            scratch.rows = rows;
        } else {
            let mut k = 0usize;
            let n = scratch.extract(text, &self.features, |o| {
                let row = self.index[o.bucket as usize];
                if row != NO_ROW {
                    k += 1;
                    self.add_row(&mut acc, row as usize, 1.0);
                }
            });
            known = k;
            let v = occurrence_value(n);
            for (a, b) in acc.iter_mut().zip(&self.bias) {
                *a = *a * v + *b;
            }
        }
        scratch.acc = acc;
        known
    }

    /// One over the length of each feature group's vector, for `rows` sorted and tagged with
    /// their group bit (0 for an empty group).
    fn group_norms(&self, rows: &[u32]) -> [f32; 2] {
        let mut sum_sq = [0.0f32; 2];
        for_runs(rows, |tagged, k| {
            let v = self.row_value((tagged & !GROUP_BIT) as usize, k);
            sum_sq[(tagged >> 31) as usize] += v * v;
        });
        sum_sq.map(|s| if s > 0.0 { 1.0 / s.sqrt() } else { 0.0 })
    }

    /// The text's feature vector as the model sees it: `(row, value)` for each distinct known
    /// feature, rows increasing, values as they multiply the weights (unit length per group
    /// for the normalised scalings). Exposed for experiments on top of the linear model.
    #[doc(hidden)]
    pub fn feature_vector(&self, text: &str) -> Vec<(u32, f32)> {
        let mut scratch = Scratch::default();
        let mut rows = Vec::new();
        let scaling = self.features.scaling;
        let n = scratch.extract(text, &self.features, |o| {
            let row = self.index[o.bucket as usize];
            if row != NO_ROW {
                rows.push(row | (scaling.group(o.kind) * GROUP_BIT));
            }
        });
        rows.sort_unstable();
        let mut out = Vec::new();
        if scaling.normalised() {
            let norm = self.group_norms(&rows);
            for_runs(&rows, |tagged, k| {
                let row = tagged & !GROUP_BIT;
                out.push((
                    row,
                    self.row_value(row as usize, k) * norm[(tagged >> 31) as usize],
                ));
            });
        } else {
            let v = occurrence_value(n);
            for_runs(&rows, |row, k| out.push((row, k as f32 * v)));
        }
        out.sort_unstable_by_key(|&(r, _)| r);
        out
    }

    /// The uncalibrated logit of every label, in label order.
    pub fn logits(&self, text: &str) -> Vec<f32> {
        SCRATCH.with_borrow_mut(|scratch| {
            self.raw_logits(text, scratch);
            scratch.acc.clone()
        })
    }

    /// The calibrated probability of every label, in label order.
    pub fn scores(&self, text: &str) -> Vec<f32> {
        SCRATCH.with_borrow_mut(|scratch| {
            self.raw_logits(text, scratch);
            softmax_in_place(&mut scratch.acc, self.temperature);
            scratch.acc.clone()
        })
    }

    /// The most likely label with its calibrated confidence and the best three labels, or an
    /// abstention.
    pub fn predict(&self, text: &str) -> Prediction {
        self.predict_top(text, 3)
    }

    /// As [`IntentModel::predict`], with the best `k` labels in `top`.
    pub fn predict_top(&self, text: &str, k: usize) -> Prediction {
        SCRATCH.with_borrow_mut(|scratch| {
            let known = self.raw_logits(text, scratch);
            let probs = &mut scratch.acc;
            softmax_in_place(probs, self.temperature);
            let k = k.clamp(1, probs.len());
            let mut chosen: Vec<usize> = Vec::with_capacity(k);
            for _ in 0..k {
                let mut best: Option<usize> = None;
                for (i, &p) in probs.iter().enumerate() {
                    if !chosen.contains(&i) && best.is_none_or(|b| p > probs[b]) {
                        best = Some(i);
                    }
                }
                // k <= the number of labels, so there is always one left.
                chosen.extend(best);
            }
            let top: Vec<(String, f32)> = chosen
                .iter()
                .map(|&i| (self.labels[i].clone(), probs[i]))
                .collect();
            let confidence = top[0].1;
            let abstained = known == 0 || confidence < self.min_confidence;
            Prediction {
                label: (!abstained).then(|| top[0].0.clone()),
                confidence,
                abstained,
                top,
            }
        })
    }

    /// The index of the best label by raw logit (ties: the first), without calibration or
    /// allocation beyond the thread's scratch buffers; for evaluation loops.
    pub fn best(&self, text: &str) -> usize {
        SCRATCH.with_borrow_mut(|scratch| {
            self.raw_logits(text, scratch);
            argmax(&scratch.acc)
        })
    }

    /// Why `text` scores what it does for `label`: the `k` largest contributions by absolute
    /// weight, with the byte spans of `text` they come from.
    ///
    /// # Errors
    ///
    /// When the model has no such label.
    pub fn explain(&self, text: &str, label: &str, k: usize) -> Result<Explanation, UnknownLabel> {
        let Some(li) = self.labels.iter().position(|l| l == label) else {
            return Err(UnknownLabel {
                label: label.to_owned(),
                known: self.labels.join(", "),
            });
        };
        let mut scratch = Scratch::default();
        self.raw_logits(text, &mut scratch);
        let logit = scratch.acc[li];
        let scaling = self.features.scaling;
        let mut hits = Vec::new();
        let n = scratch.extract(text, &self.features, |o| {
            let row = self.index[o.bucket as usize];
            if row != NO_ROW {
                hits.push((o.kind, row | (scaling.group(o.kind) * GROUP_BIT)));
            }
        });
        // The value of one occurrence of each tagged row (sorted): the row's value shared by
        // its occurrences, with the norms computed as `raw_logits` computes them.
        let mut per_occurrence: Vec<(u32, f32)> = Vec::new();
        if scaling.normalised() {
            let mut rows: Vec<u32> = hits.iter().map(|&(_, row)| row).collect();
            rows.sort_unstable();
            let mut sum_sq = [0.0f32; 2];
            for_runs(&rows, |tagged, k| {
                let v = self.row_value((tagged & !GROUP_BIT) as usize, k);
                sum_sq[(tagged >> 31) as usize] += v * v;
                per_occurrence.push((tagged, v / k as f32));
            });
            let norm = sum_sq.map(|s| if s > 0.0 { 1.0 / s.sqrt() } else { 0.0 });
            for (tagged, v) in &mut per_occurrence {
                *v *= norm[(*tagged >> 31) as usize];
            }
        }
        let v = occurrence_value(n);
        let mut contributions: Vec<(usize, Kind, f32)> = hits
            .into_iter()
            .map(|(kind, tagged)| {
                let value = per_occurrence
                    .binary_search_by_key(&tagged, |&(r, _)| r)
                    .map_or(v, |i| per_occurrence[i].1);
                (
                    kind,
                    self.weight((tagged & !GROUP_BIT) as usize, li) * value,
                )
            })
            .filter(|&(_, w)| w != 0.0)
            .enumerate()
            .map(|(i, (kind, w))| (i, kind, w))
            .collect();
        contributions.sort_by(|a, b| b.2.abs().total_cmp(&a.2.abs()).then(a.0.cmp(&b.0)));
        contributions.truncate(k);
        let contributions = contributions
            .into_iter()
            .map(|(_, kind, weight)| {
                let span = scratch.span(kind);
                Contribution {
                    span: Span::new(span.start, span.end),
                    feature: scratch.describe(kind),
                    weight,
                }
            })
            .collect();
        Ok(Explanation {
            label: label.to_owned(),
            logit,
            bias: self.bias[li],
            contributions,
        })
    }
}

/// Calls `f` with each distinct value of the sorted `xs` and how often it occurs.
#[inline]
pub(crate) fn for_runs(xs: &[u32], mut f: impl FnMut(u32, usize)) {
    let mut i = 0;
    while i < xs.len() {
        let mut j = i + 1;
        while j < xs.len() && xs[j] == xs[i] {
            j += 1;
        }
        f(xs[i], j - i);
        i = j;
    }
}

/// The index of the largest value (the first of equals).
pub(crate) fn argmax(xs: &[f32]) -> usize {
    let mut best = 0;
    for (i, &x) in xs.iter().enumerate() {
        if x > xs[best] {
            best = i;
        }
    }
    best
}

/// `softmax(xs / temperature)` in place.
pub(crate) fn softmax_in_place(xs: &mut [f32], temperature: f32) {
    let max = xs.iter().fold(f32::NEG_INFINITY, |m, &x| m.max(x));
    let mut sum = 0.0;
    for x in xs.iter_mut() {
        *x = ((*x - max) / temperature).exp();
        sum += *x;
    }
    for x in xs.iter_mut() {
        *x /= sum;
    }
}
