//! Training: the averaged structured perceptron (Collins 2002) over the features of
//! `features.rs`, with a fixed seed so that the same data gives the same model file.

use candor_core::Span;

use super::features::{self, PER_TOKEN};
use super::{B, I, Lattice, O, PersonModel, START, TAGS};
use crate::eval::{Counts, Labelled};

/// How to train a [`PersonModel`].
#[derive(Debug, Clone)]
pub struct TrainConfig {
    /// Feature buckets are `2^bits`; the file holds `2^bits × 3` 16-bit weights.
    pub bits: u8,
    /// Passes over the training data; the best pass on the development data is kept.
    pub epochs: u32,
    /// Seed of the order in which sentences are visited.
    pub seed: u64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            bits: 18,
            epochs: 12,
            seed: 20_140_916,
        }
    }
}

/// Exact-span person-name counts of one epoch's averaged model on the development data.
#[derive(Debug, Clone, Copy)]
pub struct EpochScore {
    /// 1-based.
    pub epoch: u32,
    /// Exact span matches.
    pub dev: Counts,
}

/// One text's tokens, features and gold tags.
struct Example {
    features: Vec<u32>,
    tags: Vec<usize>,
}

fn example(item: &Labelled, bits: u8) -> Example {
    let tokens = features::tokens(&item.text);
    let mut tags = vec![O; tokens.len()];
    for (span, _) in &item.spans {
        let mut first = true;
        for (t, tok) in tokens.iter().enumerate() {
            if tok.start >= span.start && tok.end <= span.end {
                tags[t] = if first { B } else { I };
                first = false;
            }
        }
    }
    Example {
        features: features::features(&item.text, &tokens, bits),
        tags,
    }
}

/// The weights being learnt, with the sums that give their average (the "timestamp" trick:
/// `average = w - acc / c` after `c` steps).
struct Averaged {
    w: Vec<f32>,
    acc: Vec<f32>,
}

impl Averaged {
    fn new(n: usize) -> Self {
        Averaged {
            w: vec![0.0; n],
            acc: vec![0.0; n],
        }
    }
    fn add(&mut self, i: usize, delta: f32, step: f32) {
        self.w[i] += delta;
        self.acc[i] += step * delta;
    }
    fn average(&self, step: f32) -> Vec<f32> {
        self.w
            .iter()
            .zip(&self.acc)
            .map(|(w, a)| w - a / step)
            .collect()
    }
}

/// A step of the SplitMix64 generator: small, and the same on every platform.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Exact-span counts of `model` on `data` (labels of every kind count as names).
pub fn score_spans(model: &PersonModel, data: &[Labelled]) -> Counts {
    let mut c = Counts::default();
    for item in data {
        let found: Vec<Span> = model.find(&item.text).into_iter().map(|f| f.0).collect();
        let gold: Vec<Span> = item.spans.iter().map(|s| s.0).collect();
        let hits = found.iter().filter(|s| gold.contains(s)).count();
        c.true_positives += hits;
        c.false_positives += found.len() - hits;
        c.false_negatives += gold.len() - hits;
    }
    c
}

fn quantised(emission: &[f32], transitions: &[f32], model: &mut PersonModel) {
    let max = emission.iter().fold(0.0f32, |m, w| m.max(w.abs()));
    model.scale = if max > 0.0 {
        max / f32::from(i16::MAX)
    } else {
        1.0
    };
    model.weights = emission
        .iter()
        .map(|w| (w / model.scale).round() as i16)
        .collect();
    for (from, row) in model.transitions.iter_mut().enumerate() {
        row.copy_from_slice(&transitions[from * TAGS..][..TAGS]);
    }
}

/// Trains on `train`, keeps the epoch whose averaged model has the best exact-span F1 on
/// `dev` (the last epoch when `dev` is empty), and records `datasheet` in the model. Returns
/// the model and every epoch's score.
pub fn train(
    train: &[Labelled],
    dev: &[Labelled],
    config: &TrainConfig,
    datasheet: &str,
) -> (PersonModel, Vec<EpochScore>) {
    let bits = config.bits;
    let examples: Vec<Example> = train
        .iter()
        .map(|t| example(t, bits))
        .filter(|e| !e.tags.is_empty())
        .collect();
    let mut emission = Averaged::new((1usize << bits) * TAGS);
    let mut transition = Averaged::new((TAGS + 1) * TAGS);
    let mut model = PersonModel {
        bits,
        weights: Vec::new(),
        scale: 1.0,
        transitions: [[0.0; TAGS]; TAGS + 1],
        margin_scale: 1.0,
        min_margin: 0.0,
        outside_bias: 0.0,
        datasheet: datasheet.to_owned(),
    };
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut rng = config.seed;
    let mut step = 1.0f32;
    let mut scores = Vec::new();
    let mut best: Option<(f64, PersonModel)> = None;
    for epoch in 1..=config.epochs {
        for i in (1..order.len()).rev() {
            let j = (splitmix(&mut rng) % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        for &k in &order {
            let ex = &examples[k];
            // The current (not averaged) weights decode; the mistakes update them.
            let emissions: Vec<[f32; TAGS]> = ex
                .features
                .chunks_exact(PER_TOKEN)
                .map(|fs| {
                    let mut s = [0.0f32; TAGS];
                    for &f in fs {
                        for (t, v) in s.iter_mut().enumerate() {
                            *v += emission.w[f as usize * TAGS + t];
                        }
                    }
                    s
                })
                .collect();
            let mut trans = [[0.0f32; TAGS]; TAGS + 1];
            for (from, row) in trans.iter_mut().enumerate() {
                row.copy_from_slice(&transition.w[from * TAGS..][..TAGS]);
            }
            let predicted = Lattice::new(&emissions, &trans).best_tags();
            if predicted != ex.tags {
                let mut prev = (START, START);
                for (t, (&gold, &guess)) in ex.tags.iter().zip(&predicted).enumerate() {
                    if gold != guess {
                        for &f in &ex.features[t * PER_TOKEN..][..PER_TOKEN] {
                            emission.add(f as usize * TAGS + gold, 1.0, step);
                            emission.add(f as usize * TAGS + guess, -1.0, step);
                        }
                    }
                    if (prev.0, gold) != (prev.1, guess) {
                        transition.add(prev.0 * TAGS + gold, 1.0, step);
                        transition.add(prev.1 * TAGS + guess, -1.0, step);
                    }
                    prev = (gold, guess);
                }
            }
            step += 1.0;
        }
        quantised(
            &emission.average(step),
            &transition.average(step),
            &mut model,
        );
        if dev.is_empty() {
            continue;
        }
        model.margin_scale = median_margin(&model, dev);
        let dev_counts = score_spans(&model, dev);
        scores.push(EpochScore {
            epoch,
            dev: dev_counts,
        });
        if best.as_ref().is_none_or(|(f1, _)| dev_counts.f1() > *f1) {
            best = Some((dev_counts.f1(), model.clone()));
        }
    }
    let model = best.map_or(model, |(_, m)| m);
    (model, scores)
}

/// A grid of outside biases (see [`PersonModel::with_outside_bias`]) around zero, in steps of
/// a fiftieth of `model`'s typical margin: from half a margin towards more names to a tenth
/// towards fewer.
pub fn bias_grid(model: &PersonModel) -> Vec<f32> {
    (-25..=5)
        .map(|step| step as f32 * 0.02 * model.margin_scale)
        .collect()
}

/// Overlap counts of `model` on each development set at each outside bias of `grid`:
/// `result[b][s]` for `grid[b]` and `dev[s]`. Sum them over folds with [`add_counts`] and
/// choose with [`best_bias`].
pub fn bias_sweep(model: &PersonModel, grid: &[f32], dev: &[&[Labelled]]) -> Vec<Vec<Counts>> {
    grid.iter()
        .map(|&bias| {
            let candidate = model.clone().with_outside_bias(bias);
            dev.iter()
                .map(|set| overlap_counts(&candidate, set))
                .collect()
        })
        .collect()
}

/// `into += other`, element by element (both as from [`bias_sweep`] on the same grid and sets).
pub fn add_counts(into: &mut [Vec<Counts>], other: &[Vec<Counts>]) {
    for (a, b) in into.iter_mut().zip(other) {
        for (x, y) in a.iter_mut().zip(b) {
            x.true_positives += y.true_positives;
            x.false_positives += y.false_positives;
            x.false_negatives += y.false_negatives;
        }
    }
}

/// The index of the bias whose counts have the best mean F1 over the sets (one per language,
/// so that the largest does not decide alone), and that mean.
pub fn best_bias(sweep: &[Vec<Counts>]) -> (usize, f64) {
    let mean =
        |sets: &Vec<Counts>| sets.iter().map(Counts::f1).sum::<f64>() / sets.len().max(1) as f64;
    sweep
        .iter()
        .enumerate()
        .map(|(i, sets)| (i, mean(sets)))
        .fold((0, f64::NEG_INFINITY), |a, b| if b.1 > a.1 { b } else { a })
}

/// Person-name counts of `model` on `data` where a found name counts when it overlaps a
/// gold name (as `candor eval pii` scores overlap).
pub fn overlap_counts(model: &PersonModel, data: &[Labelled]) -> Counts {
    let mut c = Counts::default();
    for item in data {
        let found: Vec<Span> = model.find(&item.text).into_iter().map(|f| f.0).collect();
        let overlaps = |a: &Span, b: &Span| a.start < b.end && b.start < a.end;
        let precise = found
            .iter()
            .filter(|f| item.spans.iter().any(|(g, _)| overlaps(f, g)))
            .count();
        let recalled = item
            .spans
            .iter()
            .filter(|(g, _)| found.iter().any(|f| overlaps(f, g)))
            .count();
        c.true_positives += recalled;
        c.false_positives += found.len() - precise;
        c.false_negatives += item.spans.len() - recalled;
    }
    c
}

/// The median margin of the names `model` finds in `data`; 1 when it finds none.
pub(super) fn median_margin(model: &PersonModel, data: &[Labelled]) -> f32 {
    let mut margins: Vec<f32> = data
        .iter()
        .flat_map(|item| model.find(&item.text))
        .map(|(_, m)| m)
        .filter(|m| *m > 0.0)
        .collect();
    if margins.is_empty() {
        return 1.0;
    }
    margins.sort_by(f32::total_cmp);
    margins[margins.len() / 2]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::from_marked;
    use candor_core::EntityKind;

    /// A few sentences with the same contexts and different names: enough for the perceptron
    /// to learn that the word after "spoke with" is a name.
    fn corpus() -> Vec<Labelled> {
        let names = [
            "Anna", "Bjarne", "Clara", "Dirk", "Elif", "Frode", "Greta", "Hamid",
        ];
        let mut out = Vec::new();
        for name in names {
            for line in [
                format!("I spoke with [[{name}]] yesterday ."),
                format!("[[{name}]] said the parcel was lost ."),
                "The Parcel was lost and nobody called .".to_string(),
            ] {
                out.push(from_marked(&line, EntityKind::Person));
            }
        }
        out
    }

    #[test]
    fn training_learns_contexts_and_the_file_round_trips() {
        let data = corpus();
        let config = TrainConfig {
            bits: 12,
            epochs: 5,
            seed: 7,
        };
        let (model, scores) = train(&data, &data, &config, "test sheet");
        assert_eq!(scores.len(), 5);
        let text = "I spoke with Zoltan yesterday .";
        let found: Vec<&str> = model
            .find(text)
            .iter()
            .map(|(s, _)| &text[s.start..s.end])
            .collect();
        assert_eq!(found, ["Zoltan"], "an unseen name in a learnt context");
        assert!(model.find("The Parcel was lost .").is_empty());
        let bytes = model.to_bytes();
        assert_eq!(PersonModel::from_bytes(&bytes).as_ref(), Ok(&model));
        assert_eq!(model.datasheet(), "test sheet");
        // The same data and seed give the same bytes.
        assert_eq!(
            train(&data, &data, &config, "test sheet").0.to_bytes(),
            bytes
        );
    }

    #[test]
    fn a_lower_threshold_finds_more_names_and_the_sweep_picks_the_best() {
        let data = corpus();
        let config = TrainConfig {
            bits: 12,
            epochs: 3,
            seed: 7,
        };
        let (model, _) = train(&data, &[], &config, "");
        let grid = bias_grid(&model.clone().calibrated(&data));
        assert!(grid.first() < Some(&0.0) && grid.last() > Some(&0.0));
        let sweep = bias_sweep(&model, &grid, &[&data]);
        // A lower bias never tags fewer tokens as names: the best path under it has at most
        // as many `O` tokens as before (names may merge, so their count can drop).
        let name_words = |bias: f32| -> usize {
            let m = model.clone().with_outside_bias(bias);
            data.iter()
                .flat_map(|l| m.find(&l.text).into_iter().map(move |(s, _)| (l, s)))
                .map(|(l, s)| l.text[s.start..s.end].split(' ').count())
                .sum()
        };
        // On this easy corpus the grid's half margin flips nothing, so the range is widened.
        let words: Vec<usize> = grid.iter().map(|b| name_words(8.0 * b)).collect();
        assert!(words.windows(2).all(|w| w[0] >= w[1]), "{words:?}");
        assert!(words[0] > words[words.len() - 1], "{words:?}");
        let (best, mean) = best_bias(&sweep);
        assert!(sweep.iter().all(|s| s[0].f1() <= mean + 1e-12));
        assert!((sweep[best][0].f1() - mean).abs() < 1e-12);
        let mut twice = sweep.clone();
        add_counts(&mut twice, &sweep);
        assert_eq!(
            twice[best][0].true_positives,
            2 * sweep[best][0].true_positives
        );
    }
}
