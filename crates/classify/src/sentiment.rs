//! Message sentiment: negative, neutral or positive, with calibrated probabilities.
//!
//! A [`SentimentModel`] is an [`IntentModel`] whose labels are the three polarities. The one
//! built into this crate is `models/sentiment.ctc`, trained by `models/train-sentiment.sh` on
//! openly licensed data in Danish, Dutch, German and English (its datasheet names them).
//!
//! For a language with a valence lexicon (English: VADER's, [`crate::valence`]) the model's
//! verdict is combined with the lexicon's: [`LexiconWeights`] add the lexicon's compound score,
//! times a weight per class, to the model's log-probabilities. The weights
//! (`models/sentiment.lexicon.toml`) are fitted after training, on XED's English rows, with a
//! second model trained without them: they say how far to trust the lexicon on text the model
//! has not seen, which is what customer messages are to it. A lexicon of 7,500 rated
//! words carries over to customer messages that the training texts (subtitles, tweets) never
//! resemble, and because its part does not shrink with the length of the text, it still counts
//! where the model, far from its training data, leans on its neutral prior.
//!
//! ```
//! use candor_classify::SentimentModel;
//! use candor_core::Lang;
//! let model = SentimentModel::builtin();
//! let s = model.score_in("This is the third time my order is late, terrible service", Some(&Lang::EN));
//! assert_eq!(s.label, "negative");
//! assert!((s.negative + s.neutral + s.positive - 1.0).abs() < 1e-4);
//! assert_eq!(s.lexicon.len(), 1); // "terrible"
//! ```

use std::path::Path;

use candor_core::Lang;
use serde::{Deserialize, Serialize};

use crate::corpora::{NEGATIVE, NEUTRAL, POSITIVE};
use crate::format;
use crate::model::{IntentModel, ModelError};
use crate::valence::{ValenceHit, ValenceLexicon};

/// The bytes of `models/sentiment.ctc`, as committed.
static BUILTIN: &[u8] = include_bytes!("../../../models/sentiment.ctc");
/// `models/sentiment.lexicon.toml`, as committed: how the built-in model combines with the
/// English lexicon.
static BUILTIN_LEXICON: &str = include_str!("../../../models/sentiment.lexicon.toml");

/// How a valence lexicon's compound score `c` (−1..1) moves the model's verdict: each class's
/// logit is `ln p[k] + positive[k] · max(c, 0) + negative[k] · max(−c, 0) + bias[k]`,
/// `p` the model's probabilities, in the class order negative, neutral, positive. Neutral's
/// entries are 0 (only differences between logits matter). Fitted by [`LexiconWeights::fit`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LexiconWeights {
    /// The languages whose texts are read with the lexicon (today only `en`, VADER's).
    pub languages: Vec<String>,
    /// Per class, the weight of the positive part of the compound score.
    pub positive: [f32; 3],
    /// Per class, the weight of the negative part of the compound score.
    pub negative: [f32; 3],
    /// Per class, a shift of the logit when the lexicon is used.
    pub bias: [f32; 3],
}

/// One example for fitting [`LexiconWeights`]: the model's probabilities (negative, neutral,
/// positive), the lexicon's compound score and the gold class index.
#[derive(Debug, Clone, Copy)]
pub struct CombinationExample {
    /// The model's probabilities, in the order negative, neutral, positive.
    pub model: [f32; 3],
    /// The lexicon's compound score.
    pub compound: f32,
    /// The gold class: 0 negative, 1 neutral, 2 positive.
    pub gold: usize,
}

impl LexiconWeights {
    /// Weights that leave the model's verdict as it is.
    pub fn none(languages: Vec<String>) -> LexiconWeights {
        LexiconWeights {
            languages,
            positive: [0.0; 3],
            negative: [0.0; 3],
            bias: [0.0; 3],
        }
    }

    /// Fits the weights by minimising the class-balanced negative log-likelihood of `examples`
    /// (full-batch gradient descent from [`LexiconWeights::none`], a fixed number of steps:
    /// deterministic). The model's log-probabilities keep weight 1: the fit learns how much the
    /// lexicon adds to the model, not how far to believe the model.
    pub fn fit(examples: &[CombinationExample], languages: Vec<String>) -> LexiconWeights {
        let mut w = LexiconWeights::none(languages);
        let mut counts = [0usize; 3];
        for e in examples {
            counts[e.gold.min(2)] += 1;
        }
        let class_weight: Vec<f64> = counts
            .iter()
            .map(|&c| {
                if c == 0 {
                    0.0
                } else {
                    examples.len() as f64 / (3.0 * c as f64)
                }
            })
            .collect();
        let rate = 0.5;
        for _ in 0..3_000 {
            let mut grad = [[0.0f64; 3]; 3];
            for e in examples {
                let p = w.combine(e.model, e.compound);
                let (up, down) = (
                    f64::from(e.compound.max(0.0)),
                    f64::from((-e.compound).max(0.0)),
                );
                let cw = class_weight[e.gold.min(2)];
                for k in [0, 2] {
                    let d = cw * (f64::from(p[k]) - if k == e.gold { 1.0 } else { 0.0 });
                    grad[0][k] += d * up;
                    grad[1][k] += d * down;
                    grad[2][k] += d;
                }
            }
            let n = examples.len().max(1) as f64;
            for k in [0, 2] {
                w.positive[k] -= (rate * grad[0][k] / n) as f32;
                w.negative[k] -= (rate * grad[1][k] / n) as f32;
                w.bias[k] -= (rate * grad[2][k] / n) as f32;
            }
        }
        w
    }

    /// The combined probabilities (negative, neutral, positive) for the model's probabilities
    /// and the lexicon's compound score.
    pub fn combine(&self, model: [f32; 3], compound: f32) -> [f32; 3] {
        let (up, down) = (compound.max(0.0), (-compound).max(0.0));
        let mut logits = [0.0f32; 3];
        for k in 0..3 {
            logits[k] = model[k].max(1e-7).ln()
                + self.positive[k] * up
                + self.negative[k] * down
                + self.bias[k];
        }
        let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let exp = logits.map(|l| (l - max).exp());
        let sum: f32 = exp.iter().sum();
        exp.map(|e| e / sum)
    }

    /// Reads the TOML form written by [`LexiconWeights::to_toml`].
    ///
    /// # Errors
    ///
    /// When the text is not that form, a weight is not finite, or a language has no valence
    /// lexicon (only English has one).
    pub fn from_toml(text: &str) -> Result<LexiconWeights, ModelError> {
        let w: LexiconWeights = toml::from_str(text)
            .map_err(|e| ModelError::Malformed(format!("sentiment lexicon weights: {e}")))?;
        let finite = w
            .positive
            .iter()
            .chain(&w.negative)
            .chain(&w.bias)
            .all(|x| x.is_finite());
        if let Some(lang) = w.languages.iter().find(|l| *l != Lang::EN.code()) {
            return Err(ModelError::Malformed(format!(
                "sentiment lexicon weights: no valence lexicon for `{lang}`"
            )));
        }
        if !finite {
            return Err(ModelError::Malformed(
                "sentiment lexicon weights: a weight is not finite".into(),
            ));
        }
        Ok(w)
    }

    /// The TOML form, with a comment saying what it is.
    pub fn to_toml(&self) -> String {
        let body = toml::to_string(self).expect("plain numbers and strings serialise");
        format!(
            "# How models/sentiment.ctc combines with the VADER lexicon (crates/classify/src/sentiment.rs,\n\
             # LexiconWeights). Written by models/train-sentiment.sh; do not edit by hand.\n{body}"
        )
    }

    fn applies_to(&self, lang: Option<&Lang>) -> bool {
        lang.is_some_and(|l| self.languages.iter().any(|c| c == l.code()))
    }
}

/// The sentiment of a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Sentiment {
    /// The most likely polarity: `negative`, `neutral` or `positive`.
    pub label: String,
    /// Calibrated probability that the text is negative.
    pub negative: f32,
    /// Calibrated probability that the text is neutral.
    pub neutral: f32,
    /// Calibrated probability that the text is positive.
    pub positive: f32,
    /// The valence lexicon's words in the text (spans into it) and their valences after
    /// negation and intensifiers: the lexicon's evidence. Empty for a language without a
    /// lexicon.
    pub lexicon: Vec<ValenceHit>,
}

/// A three-way sentiment classifier.
#[derive(Debug, Clone)]
pub struct SentimentModel {
    model: IntentModel,
    lexicon: Option<LexiconWeights>,
    version: String,
}

impl SentimentModel {
    /// The model shipped with this crate (`models/sentiment.ctc`, compiled in).
    ///
    /// # Panics
    ///
    /// Never for a build of this repository: the file is compiled in and a test checks that it
    /// decodes. Decoding takes a few milliseconds, so build it once and share it.
    pub fn builtin() -> SentimentModel {
        let lexicon = LexiconWeights::from_toml(BUILTIN_LEXICON)
            .expect("models/sentiment.lexicon.toml, compiled into this crate, is valid");
        SentimentModel::from_bytes(BUILTIN)
            .expect("models/sentiment.ctc, compiled into this crate, is a valid sentiment model")
            .with_lexicon(lexicon)
    }

    /// This model combined with the valence lexicon by `weights` (for the languages they
    /// name); a model without them reads every language without a lexicon.
    ///
    /// The version then names the weights too, since they change the verdicts.
    pub fn with_lexicon(mut self, weights: LexiconWeights) -> SentimentModel {
        use sha2::{Digest, Sha256};
        let base = self
            .version
            .split('+')
            .next()
            .unwrap_or_default()
            .to_owned();
        let digest = Sha256::digest(weights.to_toml().as_bytes());
        let hex: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
        self.version = format!("{base}+lexicon/{hex}");
        self.lexicon = Some(weights);
        self
    }

    /// Reads a sentiment model file and the lexicon weights fitted with it.
    ///
    /// # Errors
    ///
    /// As [`SentimentModel::load`], and when the weights file cannot be read or is malformed.
    pub fn load_with_lexicon(
        model: impl AsRef<Path>,
        weights: impl AsRef<Path>,
    ) -> Result<SentimentModel, ModelError> {
        let path = weights.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ModelError::Read {
            path: path.to_owned(),
            source,
        })?;
        Ok(SentimentModel::load(model)?.with_lexicon(LexiconWeights::from_toml(&text)?))
    }

    /// Reads a sentiment model file, without lexicon weights.
    ///
    /// # Errors
    ///
    /// When the file cannot be read, is not an intact model, or its labels are not exactly
    /// `negative`, `neutral` and `positive`.
    pub fn load(path: impl AsRef<Path>) -> Result<SentimentModel, ModelError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| ModelError::Read {
            path: path.to_owned(),
            source,
        })?;
        SentimentModel::from_bytes(&bytes)
    }

    /// Decodes a sentiment model from the bytes of a model file.
    ///
    /// # Errors
    ///
    /// As [`SentimentModel::load`].
    pub fn from_bytes(bytes: &[u8]) -> Result<SentimentModel, ModelError> {
        let mut model = IntentModel::from_bytes(bytes)?;
        let labels = model.labels();
        let has = |name: &str| labels.iter().any(|l| l == name);
        if !(labels.len() == 3 && has(NEGATIVE) && has(NEUTRAL) && has(POSITIVE)) {
            return Err(ModelError::Malformed(format!(
                "a sentiment model has the labels negative, neutral and positive; this one has {}",
                labels.join(", ")
            )));
        }
        model
            .set_min_confidence(0.0)
            .expect("0 is a valid confidence floor");
        let digest = format::body_digest(bytes);
        let version = format!("sentiment/{}/{}", model.datasheet().created, &digest[..12]);
        Ok(SentimentModel {
            model,
            lexicon: None,
            version,
        })
    }

    /// Names this exact model: its training date and the start of its checksum, and those of
    /// its lexicon weights if it has any.
    pub fn version(&self) -> String {
        self.version.clone()
    }

    /// The underlying classifier, for its datasheet and explanations.
    pub fn classifier(&self) -> &IntentModel {
        &self.model
    }

    /// The lexicon weights this model combines with, if any.
    pub fn lexicon_weights(&self) -> Option<&LexiconWeights> {
        self.lexicon.as_ref()
    }

    /// The sentiment of `text` in a language not known: the model alone; see
    /// [`SentimentModel::score_in`].
    pub fn score(&self, text: &str) -> Sentiment {
        self.score_in(text, None)
    }

    /// The model's own probabilities (negative, neutral, positive) for `text`, and whether it
    /// abstained (knew no feature of it).
    pub fn model_probabilities(&self, text: &str) -> ([f32; 3], bool) {
        // The floor was set to 0 on loading, so the model abstains exactly when it knows no
        // feature of the text.
        let p = self.model.predict_top(text, 3);
        let probability = |name: &str| {
            p.top
                .iter()
                .find(|(l, _)| l == name)
                .map_or(0.0, |(_, s)| *s)
        };
        (
            [
                probability(NEGATIVE),
                probability(NEUTRAL),
                probability(POSITIVE),
            ],
            p.abstained || p.label.is_none(),
        )
    }

    /// The sentiment of `text` written in `lang`: the model's, combined with the valence
    /// lexicon where this model has weights for `lang`. A text with no evidence either way
    /// (nothing the model knows and no lexicon word) is neutral.
    pub fn score_in(&self, text: &str, lang: Option<&Lang>) -> Sentiment {
        let (mut p, abstained) = self.model_probabilities(text);
        let mut lexicon = Vec::new();
        let mut evidence = !abstained;
        if let Some(weights) = self.lexicon.as_ref().filter(|w| w.applies_to(lang)) {
            let valence = ValenceLexicon::english().score(text);
            p = weights.combine(p, valence.compound);
            evidence |= !valence.hits.is_empty();
            lexicon = valence.hits;
        }
        let label = if evidence {
            let best = (0..3).fold(0, |b, k| if p[k] > p[b] { k } else { b });
            [NEGATIVE, NEUTRAL, POSITIVE][best].to_owned()
        } else {
            NEUTRAL.to_owned()
        };
        Sentiment {
            label,
            negative: p[0],
            neutral: p[1],
            positive: p[2],
            lexicon,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_model_with_other_labels_is_refused() {
        let intent = std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/customer-service-intent.ctc"),
        )
        .unwrap();
        let err = SentimentModel::from_bytes(&intent).unwrap_err();
        assert!(matches!(err, ModelError::Malformed(_)), "{err}");
    }

    #[test]
    fn lexicon_evidence_points_into_the_text_for_english_only() {
        let text = "the app is useless";
        let model = SentimentModel::builtin();
        let s = model.score_in(text, Some(&Lang::EN));
        assert_eq!(s.lexicon.len(), 1);
        assert_eq!(&text[s.lexicon[0].span.clone()], "useless");
        // "die" is a German article and a negative English word.
        assert!(
            model
                .score_in("die Bestellung", Some(&Lang::DE))
                .lexicon
                .is_empty()
        );
        assert!(model.score(text).lexicon.is_empty());
    }

    #[test]
    fn fitted_weights_follow_the_lexicon_where_the_model_is_blind() {
        // A model that always says "neutral, 60%" and a lexicon that is right: the fit must
        // learn to move negative texts to negative and positive ones to positive.
        let flat = [0.2, 0.6, 0.2];
        let mut examples = Vec::new();
        for i in 0..30 {
            let c = 0.2 + 0.02 * i as f32;
            examples.push(CombinationExample {
                model: flat,
                compound: -c,
                gold: 0,
            });
            examples.push(CombinationExample {
                model: flat,
                compound: c,
                gold: 2,
            });
            examples.push(CombinationExample {
                model: flat,
                compound: 0.0,
                gold: 1,
            });
        }
        let w = LexiconWeights::fit(&examples, vec!["en".into()]);
        let best = |p: [f32; 3]| (0..3).fold(0, |b, k| if p[k] > p[b] { k } else { b });
        assert_eq!(best(w.combine(flat, -0.6)), 0);
        assert_eq!(best(w.combine(flat, 0.6)), 2);
        assert_eq!(best(w.combine(flat, 0.0)), 1);
        let back = LexiconWeights::from_toml(&w.to_toml()).unwrap();
        assert_eq!(back, w);
        let sum: f32 = w.combine(flat, 0.3).iter().sum();
        assert!((sum - 1.0).abs() < 1e-5);
    }

    #[test]
    fn malformed_weights_are_refused() {
        assert!(LexiconWeights::from_toml("languages = [\"en\"]").is_err());
        let german = LexiconWeights::none(vec!["de".into()]).to_toml();
        assert!(LexiconWeights::from_toml(&german).is_err());
        let w = LexiconWeights::none(vec!["en".into()]).to_toml();
        assert!(LexiconWeights::from_toml(&w.replace("0.0", "nan")).is_err());
    }

    #[test]
    fn text_without_known_features_is_neutral() {
        let s = SentimentModel::builtin().score("");
        assert_eq!(s.label, NEUTRAL);
    }
}
