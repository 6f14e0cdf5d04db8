//! Person names from a statistical sequence model that Candor trains itself.
//!
//! [`PersonModel`] is a first-order structured perceptron (averaged; Collins 2002) that tags
//! each token `O`, `B-PER` or `I-PER` from hashed features of the word, its affixes, shape,
//! capitalisation (weighed by the text's probable language and how the word is written in it,
//! `casing.rs`), position in the sentence, and the words around it (`features.rs`). Viterbi
//! decoding finds the best tag sequence; a name's confidence is its *margin*: how much better
//! the best sequence scores than the best one that tags the name's tokens `O`.
//!
//! The shipped model (`models/person-ner.bin`, see its datasheet) is trained by
//! `examples/train_person_ner.rs` on the "train, ship" NER sets in `../shared/data` (Danish
//! DaNE/UNER, German GermEval 2014, English UNER EWT) and embedded in the binary.
//! [`PersonModelRecognizer`] puts it in the default [`crate::Registry`].

pub(crate) mod casing;
mod data;
mod features;
mod format;
pub(crate) mod freq;
pub(crate) mod names;
mod train;

use std::sync::LazyLock;

use candor_core::{EntityKind, Span};

pub use data::{IobError, read_iob};
pub use format::{FORMAT_VERSION, MAGIC, ModelError};
pub use train::{
    EpochScore, TrainConfig, add_counts, best_bias, bias_grid, bias_sweep, overlap_counts,
    score_spans, train,
};

use crate::{Detection, Recognizer};

/// Tags: outside, first token of a name, later token of a name.
pub(crate) const TAGS: usize = 3;
const O: usize = 0;
const B: usize = 1;
const I: usize = 2;
/// Longer tokens (in bytes) are never part of a name, whatever the model says.
const MAX_NAME_TOKEN: usize = 64;
/// Names of more tokens are reported in pieces of this many.
const MAX_NAME_TOKENS: usize = 3;
/// The row of [`PersonModel::transitions`] for the start of the text.
const START: usize = TAGS;

/// A trained person-name tagger.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonModel {
    bits: u8,
    /// `2^bits × TAGS` emission weights, bucket-major, in units of `scale`.
    weights: Vec<i16>,
    scale: f32,
    /// Scores of tag `to` after tag `from` (or after the start, row [`START`]).
    transitions: [[f32; TAGS]; TAGS + 1],
    /// The margin that maps to the middle of the score range (see [`PersonModel::score`]).
    margin_scale: f32,
    /// Names with a smaller margin are not reported.
    min_margin: f32,
    /// Added to every token's `O` score before decoding: the decision threshold, tuned on
    /// development data after training (negative: more names, fewer missed).
    outside_bias: f32,
    datasheet: String,
}

/// The model file shipped with Candor.
static SHIPPED_BYTES: &[u8] = include_bytes!("../../../../models/person-ner.bin");

static SHIPPED: LazyLock<PersonModel> = LazyLock::new(|| {
    PersonModel::from_bytes(SHIPPED_BYTES)
        .unwrap_or_else(|e| panic!("the embedded models/person-ner.bin does not load: {e}"))
});

impl PersonModel {
    /// Reads a model file, checking its magic, version, checksum and every field.
    pub fn from_bytes(bytes: &[u8]) -> Result<PersonModel, ModelError> {
        format::read(bytes)
    }

    /// The model as a file (see `format.rs` for the layout).
    pub fn to_bytes(&self) -> Vec<u8> {
        format::write(self)
    }

    /// The model shipped in `models/person-ner.bin`, embedded at build time and loaded once.
    pub fn shipped() -> &'static PersonModel {
        &SHIPPED
    }

    /// What the model was trained on, under which licences, and how it scored.
    pub fn datasheet(&self) -> &str {
        &self.datasheet
    }

    /// Every person name in `text`, with its margin (see the module docs), in text order.
    /// Linear in the length of the text.
    pub fn find(&self, text: &str) -> Vec<(Span, f32)> {
        let tokens = features::tokens(text);
        if tokens.is_empty() {
            return Vec::new();
        }
        let emissions = self.emissions(&features::features(text, &tokens, self.bits));
        let lattice = Lattice::new(&emissions, &self.transitions);
        let tags = lattice.best_tags();
        let mut out = Vec::new();
        let mut i = 0;
        while i < tags.len() {
            if tags[i] == O {
                i += 1;
                continue;
            }
            let run = i;
            i += 1;
            while i < tags.len() && tags[i] == I {
                i += 1;
            }
            // Words that are no name (honorifics, "Kunde", "Steuer-ID") and punctuation ("?"
            // before "Daan de Jong") are cut off the ends; a run of only such words is dropped.
            let no_name = |t: usize| {
                let word = &text[tokens[t].start..tokens[t].end];
                !word.chars().any(char::is_alphabetic)
                    || crate::person::is_not_name(&crate::person::fold(word))
            };
            let mut first = run;
            let mut end = i;
            while first < end && no_name(first) {
                first += 1;
            }
            while end > first && no_name(end - 1) {
                end -= 1;
            }
            // A lone word capitalised only because it opens a sentence, before a lower-case
            // word, and a slip of a frequent word ("Pease block it"), is rare like a surname
            // but no name. Known given names stay names ("Traci, …").
            if end == first + 1
                && features::opens_sentence(text, &tokens, first)
                && tokens.get(end).is_some_and(|t| {
                    text[t.start..t.end]
                        .chars()
                        .next()
                        .is_some_and(char::is_lowercase)
                })
            {
                let word = &text[tokens[first].start..tokens[first].end];
                let lower = word.to_lowercase();
                if !names::is_given(&crate::person::fold(word)) && freq::looks_like_slip(&lower) {
                    continue;
                }
            }
            // Longer runs are mostly lists of names ("Anna, Bella Carla Dora" without commas):
            // each piece is reported on its own, so none is left out.
            let mut start = first;
            while start < end {
                let stop = end.min(start + MAX_NAME_TOKENS);
                let margin = lattice.best() - lattice.best_with_outside(start, stop);
                let plausible = tokens[start..stop]
                    .iter()
                    .all(|t| t.len() <= MAX_NAME_TOKEN);
                if plausible && margin >= self.min_margin {
                    out.push((Span::new(tokens[start].start, tokens[stop - 1].end), margin));
                }
                start = stop;
            }
        }
        out
    }

    /// The same model with another decision threshold: `bias` is added to every token's
    /// `O` score, so a negative bias finds more names at some cost in precision.
    pub fn with_outside_bias(mut self, bias: f32) -> PersonModel {
        self.outside_bias = bias;
        self
    }

    /// The same model with its score scale (see [`PersonModel::score`]) set to the median
    /// margin of the names it finds in `data`.
    pub fn calibrated(mut self, data: &[crate::eval::Labelled]) -> PersonModel {
        self.margin_scale = train::median_margin(&self, data);
        self
    }

    /// The decision threshold in force (see [`PersonModel::with_outside_bias`]).
    pub fn outside_bias(&self) -> f32 {
        self.outside_bias
    }

    /// A detection score in `[0.5, 0.95)` from a margin: half-way at the model's typical
    /// margin, so that a clear name ranks with the context cues and a doubtful one below.
    pub fn score(&self, margin: f32) -> f32 {
        let m = margin.max(0.0);
        0.5 + 0.45 * m / (m + self.margin_scale)
    }

    fn emissions(&self, features: &[u32]) -> Vec<[f32; TAGS]> {
        features
            .chunks_exact(features::PER_TOKEN)
            .map(|fs| {
                let mut sum = [0i32; TAGS];
                for &f in fs {
                    let row = &self.weights[f as usize * TAGS..][..TAGS];
                    for (s, w) in sum.iter_mut().zip(row) {
                        *s += i32::from(*w);
                    }
                }
                let mut e = sum.map(|s| s as f32 * self.scale);
                e[O] += self.outside_bias;
                e
            })
            .collect()
    }
}

/// Whether tag `to` may follow `from`: a name's later token only follows a name token.
fn allowed(from: usize, to: usize) -> bool {
    to != I || from == B || from == I
}

/// Best-path scores forwards and backwards over one text's tokens.
struct Lattice<'a> {
    emissions: &'a [[f32; TAGS]],
    transitions: &'a [[f32; TAGS]; TAGS + 1],
    /// Best score of tokens `..=i` ending in each tag, and the previous tag on that path.
    forward: Vec<[(f32, usize); TAGS]>,
    /// Best score of tokens `i + 1..` given each tag at `i`.
    backward: Vec<[f32; TAGS]>,
}

impl<'a> Lattice<'a> {
    fn new(emissions: &'a [[f32; TAGS]], transitions: &'a [[f32; TAGS]; TAGS + 1]) -> Self {
        let n = emissions.len();
        let trans = |from: usize, to: usize| {
            if allowed(from, to) {
                transitions[from][to]
            } else {
                f32::NEG_INFINITY
            }
        };
        let mut forward = Vec::with_capacity(n);
        forward.push(std::array::from_fn(|t| {
            (trans(START, t) + emissions[0][t], START)
        }));
        for e in &emissions[1..] {
            let prev: &[(f32, usize); TAGS] = forward.last().expect("one pushed");
            forward.push(std::array::from_fn(|t| {
                let (score, from) = (0..TAGS)
                    .map(|p| (prev[p].0 + trans(p, t), p))
                    .fold((f32::NEG_INFINITY, O), |a, b| if b.0 > a.0 { b } else { a });
                (score + e[t], from)
            }));
        }
        let mut backward = vec![[0.0; TAGS]; n];
        for i in (0..n.saturating_sub(1)).rev() {
            backward[i] = std::array::from_fn(|t| {
                (0..TAGS)
                    .map(|next| trans(t, next) + emissions[i + 1][next] + backward[i + 1][next])
                    .fold(f32::NEG_INFINITY, f32::max)
            });
        }
        Lattice {
            emissions,
            transitions,
            forward,
            backward,
        }
    }

    fn best(&self) -> f32 {
        self.forward.last().map_or(0.0, |l| {
            l.iter().map(|c| c.0).fold(f32::NEG_INFINITY, f32::max)
        })
    }

    fn best_tags(&self) -> Vec<usize> {
        let n = self.forward.len();
        let mut tags = vec![O; n];
        let last = &self.forward[n - 1];
        let mut t = (0..TAGS)
            .max_by(|a, b| last[*a].0.total_cmp(&last[*b].0))
            .expect("three tags");
        for i in (0..n).rev() {
            tags[i] = t;
            t = self.forward[i][t].1;
        }
        tags
    }

    /// The best score of a path that tags tokens `start..end` all `O`.
    fn best_with_outside(&self, start: usize, end: usize) -> f32 {
        let before = if start == 0 {
            self.transitions[START][O]
        } else {
            (0..TAGS)
                .map(|p| self.forward[start - 1][p].0 + self.transitions[p][O])
                .fold(f32::NEG_INFINITY, f32::max)
        };
        let inside: f32 = self.emissions[start..end].iter().map(|e| e[O]).sum::<f32>()
            + (end - start - 1) as f32 * self.transitions[O][O];
        before + inside + self.backward[end - 1][O]
    }
}

/// Person names found by the shipped [`PersonModel`], scored by their margin.
pub struct PersonModelRecognizer;

impl Recognizer for PersonModelRecognizer {
    fn name(&self) -> &'static str {
        "person-model"
    }
    fn kinds(&self) -> &'static [EntityKind] {
        &[EntityKind::Person]
    }
    fn recognise(&self, text: &str, out: &mut Vec<Detection>) {
        let model = PersonModel::shipped();
        for (span, margin) in model.find(text) {
            out.push(Detection {
                kind: EntityKind::Person,
                span,
                score: model.score(margin),
                recogniser: self.name(),
                validator: None,
                canonical: text[span.start..span.end].to_lowercase(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_model_round_trips_and_names_its_data() {
        let model = PersonModel::shipped();
        assert_eq!(
            PersonModel::from_bytes(&model.to_bytes()).as_ref(),
            Ok(model)
        );
        assert!(
            model.datasheet().contains("uner-da-ddt"),
            "{}",
            model.datasheet()
        );
        let text = "Yesterday Michael Jensen called about the invoice.";
        let found: Vec<&str> = model
            .find(text)
            .iter()
            .map(|(s, _)| &text[s.start..s.end])
            .collect();
        assert_eq!(found, ["Michael Jensen"]);
    }

    #[test]
    fn a_damaged_file_is_refused_with_its_reason() {
        let bytes = PersonModel::shipped().to_bytes();
        let mut flipped = bytes.clone();
        *flipped.last_mut().expect("weights") ^= 1;
        assert_eq!(
            PersonModel::from_bytes(&flipped),
            Err(ModelError::ChecksumMismatch)
        );
        assert_eq!(
            PersonModel::from_bytes(&bytes[..bytes.len() - 1]),
            Err(ModelError::Truncated("body"))
        );
        assert_eq!(
            PersonModel::from_bytes(b"not a model"),
            Err(ModelError::BadMagic)
        );
        let mut version = bytes.clone();
        version[8] = 9;
        assert_eq!(
            PersonModel::from_bytes(&version),
            Err(ModelError::UnsupportedVersion(9))
        );
        assert_eq!(PersonModel::from_bytes(&[]), Err(ModelError::BadMagic));
        let message = ModelError::ChecksumMismatch.to_string();
        assert!(message.contains("damaged"), "{message}");
    }

    #[test]
    fn words_that_are_no_names_are_trimmed_and_long_runs_split() {
        let model = PersonModel::shipped();
        let text = "Gestern hat Frau Sabine Müller angerufen.";
        let found: Vec<&str> = model
            .find(text)
            .iter()
            .map(|(s, _)| &text[s.start..s.end])
            .collect();
        assert_eq!(found, ["Sabine Müller"], "the honorific is cut off");
        let text = "Wat moet ik doen? Daan de Jong";
        let found: Vec<&str> = model
            .find(text)
            .iter()
            .map(|(s, _)| &text[s.start..s.end])
            .collect();
        assert_eq!(found, ["Daan de Jong"], "punctuation is cut off");
        let text = "Present were Anna Bella Carla Dora Emma Frida Greta yesterday.";
        let found = model.find(text);
        assert!(!found.is_empty());
        for (span, _) in &found {
            assert!(text[span.start..span.end].split(' ').count() <= MAX_NAME_TOKENS);
        }
    }

    #[test]
    fn a_slip_of_a_frequent_word_opening_a_sentence_is_no_name() {
        let model = PersonModel::shipped();
        let found = |text: &str| -> Vec<String> {
            model
                .find(text)
                .iter()
                .map(|(s, _)| text[s.start..s.end].to_string())
                .collect()
        };
        for text in [
            "Jeres tekniker kom ikke. Jeers tekniker kom ikke. Mette Nielsen",
            "Someone used my card! Pease block it now. Sarah Smith",
            "Das Paket fehlt. Bitet rufen Sie mich an. Sabine Müller",
            "Het pakket is er niet. Maaar ik wacht nog. Daan de Jong",
        ] {
            let names = found(text);
            assert_eq!(names.len(), 1, "{text}: {names:?}");
            assert!(text.ends_with(names[0].as_str()), "{text}: {names:?}");
        }
        // Names opening a sentence stay names: known given names, and words that are no slip.
        assert_eq!(found("Mette ringede i går om fakturaen."), ["Mette"]);
        assert_eq!(
            found("Yesterday I spoke to her. Traci said the parcel is lost."),
            ["Traci"]
        );
    }

    #[test]
    fn margins_rank_names_and_scores_stay_in_range() {
        let model = PersonModel::shipped();
        assert!(model.score(0.0) >= 0.5 && model.score(1e9) < 0.95);
        assert!(model.score(2.0 * model.margin_scale) > model.score(model.margin_scale));
        assert!(model.find("").is_empty() && model.find("   ").is_empty());
    }
}
