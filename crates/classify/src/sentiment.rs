//! Message sentiment: negative, neutral or positive, with calibrated probabilities.
//!
//! A [`SentimentModel`] is an [`IntentModel`] whose labels are the three polarities. The one
//! built into this crate is `models/sentiment.ctc`, trained by `models/train-sentiment.sh` on
//! openly licensed data in Danish, Dutch, German and English (its datasheet names them).
//!
//! ```
//! use candor_classify::SentimentModel;
//! let model = SentimentModel::builtin();
//! let s = model.score("This is the third time my order is late, terrible service");
//! assert_eq!(s.label, "negative");
//! assert!((s.negative + s.neutral + s.positive - 1.0).abs() < 1e-4);
//! ```

use std::path::Path;

use crate::corpora::{NEGATIVE, NEUTRAL, POSITIVE};
use crate::format;
use crate::model::{IntentModel, ModelError};

/// The bytes of `models/sentiment.ctc`, as committed.
static BUILTIN: &[u8] = include_bytes!("../../../models/sentiment.ctc");

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
}

/// A three-way sentiment classifier.
#[derive(Debug, Clone)]
pub struct SentimentModel {
    model: IntentModel,
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
        SentimentModel::from_bytes(BUILTIN)
            .expect("models/sentiment.ctc, compiled into this crate, is a valid sentiment model")
    }

    /// Reads a sentiment model file.
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
        Ok(SentimentModel { model, version })
    }

    /// Names this exact model: its training date and the start of its checksum.
    pub fn version(&self) -> String {
        self.version.clone()
    }

    /// The underlying classifier, for its datasheet and explanations.
    pub fn classifier(&self) -> &IntentModel {
        &self.model
    }

    /// The sentiment of `text`. A text with nothing the model knows (no letters, or only words
    /// never seen in training) gets the probabilities of the model's biases and is called
    /// neutral: there is no evidence of a feeling either way.
    pub fn score(&self, text: &str) -> Sentiment {
        // The floor was set to 0 on loading, so the model abstains exactly when it knows no
        // feature of the text.
        let p = self.model.predict_top(text, 3);
        let probability = |name: &str| {
            p.top
                .iter()
                .find(|(l, _)| l == name)
                .map_or(0.0, |(_, s)| *s)
        };
        let label = match &p.label {
            Some(label) if !p.abstained => label.clone(),
            _ => NEUTRAL.to_owned(),
        };
        Sentiment {
            label,
            negative: probability(NEGATIVE),
            neutral: probability(NEUTRAL),
            positive: probability(POSITIVE),
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
    fn text_without_known_features_is_neutral() {
        let s = SentimentModel::builtin().score("");
        assert_eq!(s.label, NEUTRAL);
    }
}
