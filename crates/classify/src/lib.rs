//! Candor's understanding of a message.
//!
//! - Language identification with lingua, restricted to the configured languages, that answers
//!   "unknown" below a confidence floor instead of guessing wrong.
//! - [`IntentModel`]: Candor's own linear text classifier (hashed word and character n-grams,
//!   multinomial logistic regression, calibrated, abstaining, explainable), trained by
//!   [`train()`](train::train) and stored in a versioned, checksummed file ([`format`]).
//!
//! ```no_run
//! use candor_classify::IntentModel;
//! let model = IntentModel::load("models/customer-service-intent.ctc").unwrap();
//! let p = model.predict("where is my parcel?");
//! println!("{:?} {:.2} abstained={}", p.label, p.confidence, p.abstained);
//! ```
//!
//! ```no_run
//! use candor_classify::{LanguageConfig, LanguageIdentifier};
//! let id = LanguageIdentifier::new(&LanguageConfig::default()).unwrap();
//! let guess = id.identify("Jeg vil gerne skifte min adresse");
//! assert_eq!(guess.lang.unwrap().code(), "da");
//! ```
#![deny(missing_docs)]

pub mod cues;
pub mod dataset;
pub mod datasheet;
pub mod features;
pub mod format;
pub mod metrics;
pub mod model;
mod rng;
pub mod train;

pub use dataset::{DataFormat, DatasetError, read_examples};
pub use datasheet::{ClassCount, Datasheet};
pub use features::{FeatureConfig, FeatureConfigError};
pub use metrics::{ClassScores, Confusion, Evaluation, evaluate};
pub use model::{
    BadConfidence, Contribution, Explanation, IntentModel, ModelError, Prediction, UnknownLabel,
    WeightEncoding,
};
pub use train::{
    ClassWeighting, DataInfo, EpochReport, Example, Progress, TrainConfig, TrainError, train,
};

use std::str::FromStr;

use candor_core::{Lang, LanguageGuess};
use lingua::{IsoCode639_1, LanguageDetector, LanguageDetectorBuilder};

/// Which languages to tell apart, and how sure to be before naming one.
#[derive(Debug, Clone, PartialEq)]
pub struct LanguageConfig {
    /// The languages a message may be in. Adding one is configuration, as long as it is among
    /// [`LanguageIdentifier::AVAILABLE`].
    pub languages: Vec<Lang>,
    /// Below this confidence the answer is "unknown".
    pub confidence_floor: f64,
}

impl Default for LanguageConfig {
    fn default() -> Self {
        LanguageConfig {
            languages: vec![Lang::DA, Lang::NL, Lang::DE, Lang::EN],
            confidence_floor: 0.5,
        }
    }
}

/// A language configuration that cannot be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum LanguageConfigError {
    /// A language that this build has no model for.
    #[error("language `{0}` is not available (this build has models for: {available})", available = LanguageIdentifier::AVAILABLE.join(", "))]
    Unavailable(Lang),
    /// Fewer than two languages: there is nothing to tell apart.
    #[error("at least two languages are needed to identify one, got {0}")]
    TooFew(usize),
    /// A floor outside `[0, 1]`.
    #[error("confidence_floor must be between 0 and 1, got {0}")]
    BadFloor(f64),
}

/// Identifies the language of a text among the configured languages.
pub struct LanguageIdentifier {
    detector: LanguageDetector,
    floor: f64,
    version: String,
}

impl LanguageIdentifier {
    /// The languages this build carries models for (lingua features in Cargo.toml).
    pub const AVAILABLE: &'static [&'static str] =
        &["da", "nl", "de", "en", "sv", "nb", "nn", "fr", "es"];

    /// Builds an identifier, loading the models for the configured languages up front so that
    /// the first message is not slow.
    ///
    /// # Errors
    ///
    /// When a language is not available, fewer than two are configured, or the floor is not in
    /// `[0, 1]`.
    pub fn new(config: &LanguageConfig) -> Result<LanguageIdentifier, LanguageConfigError> {
        if !(0.0..=1.0).contains(&config.confidence_floor) {
            return Err(LanguageConfigError::BadFloor(config.confidence_floor));
        }
        let mut codes = Vec::new();
        for lang in &config.languages {
            if !Self::AVAILABLE.contains(&lang.code()) {
                return Err(LanguageConfigError::Unavailable(*lang));
            }
            let code = IsoCode639_1::from_str(lang.code())
                .map_err(|_| LanguageConfigError::Unavailable(*lang))?;
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
        if codes.len() < 2 {
            return Err(LanguageConfigError::TooFew(codes.len()));
        }
        let detector = LanguageDetectorBuilder::from_iso_codes_639_1(&codes)
            .with_preloaded_language_models()
            .build();
        let names: Vec<&str> = config.languages.iter().map(|l| l.code()).collect();
        Ok(LanguageIdentifier {
            detector,
            floor: config.confidence_floor,
            version: format!("lingua-1.8/{}", names.join("+")),
        })
    }

    /// A version string naming the model and the languages it chooses among.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The most likely language of `text`, or unknown when the best is below the floor or the
    /// text has no letters to judge by.
    pub fn identify(&self, text: &str) -> LanguageGuess {
        if !text.chars().any(char::is_alphabetic) {
            return LanguageGuess {
                lang: None,
                confidence: 0.0,
            };
        }
        let values = self.detector.compute_language_confidence_values(text);
        let Some((language, confidence)) = values.first() else {
            return LanguageGuess {
                lang: None,
                confidence: 0.0,
            };
        };
        let lang = Lang::from_str(&language.iso_code_639_1().to_string().to_lowercase()).ok();
        LanguageGuess {
            lang: lang.filter(|_| *confidence >= self.floor),
            confidence: *confidence,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identifier() -> LanguageIdentifier {
        LanguageIdentifier::new(&LanguageConfig::default()).unwrap()
    }

    #[test]
    fn identifies_the_four_languages() {
        let id = identifier();
        for (text, code) in [
            (
                "Jeg har ikke modtaget min pakke endnu, hvad sker der?",
                "da",
            ),
            (
                "Ik heb mijn pakket nog steeds niet ontvangen, wat is er aan de hand?",
                "nl",
            ),
            (
                "Ich habe mein Paket immer noch nicht erhalten, was ist los?",
                "de",
            ),
            (
                "I still have not received my parcel, what is going on?",
                "en",
            ),
        ] {
            let guess = id.identify(text);
            assert_eq!(
                guess.lang.map(|l| l.code().to_owned()).as_deref(),
                Some(code),
                "{text}"
            );
            assert!(guess.confidence > 0.5);
        }
    }

    #[test]
    fn text_without_letters_is_unknown() {
        let guess = identifier().identify("12345 !!! :)");
        assert_eq!(
            guess,
            LanguageGuess {
                lang: None,
                confidence: 0.0
            }
        );
    }

    #[test]
    fn below_the_floor_is_unknown_not_a_guess() {
        let id = LanguageIdentifier::new(&LanguageConfig {
            confidence_floor: 0.99,
            ..LanguageConfig::default()
        })
        .unwrap();
        let guess = id.identify("ok");
        assert_eq!(guess.lang, None);
        assert!(guess.confidence < 0.99);
    }

    #[test]
    fn rejects_unavailable_and_too_few_languages() {
        let bad = LanguageConfig {
            languages: vec!["fi".parse().unwrap(), Lang::DA],
            ..LanguageConfig::default()
        };
        assert!(matches!(
            LanguageIdentifier::new(&bad),
            Err(LanguageConfigError::Unavailable(_))
        ));
        let one = LanguageConfig {
            languages: vec![Lang::DA],
            ..LanguageConfig::default()
        };
        assert!(matches!(
            LanguageIdentifier::new(&one),
            Err(LanguageConfigError::TooFew(1))
        ));
    }
}
