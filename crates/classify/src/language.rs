//! Language identification: lingua restricted to the configured languages, with the
//! conversation as context, and "unknown" below a confidence floor.

use std::str::FromStr;

use candor_core::{Lang, LanguageGuess};
use lingua::{IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder};

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

/// What the conversation already says about the language of its next message.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LanguageContext {
    /// The guesses for the customer's earlier messages in this conversation, oldest first.
    pub previous: Vec<LanguageGuess>,
    /// A declared locale, e.g. from the channel or the customer's profile.
    pub declared: Option<Lang>,
}

/// Pseudo-count every configured language starts with, so that no language is ruled out by
/// the context alone.
const SMOOTHING: f64 = 1.0;
/// Prior weight of a declared locale.
const DECLARED_WEIGHT: f64 = 2.0;
/// Prior weight of the most recent earlier message, per unit of its confidence.
const PREVIOUS_WEIGHT: f64 = 2.0;
/// Each step further back halves an earlier message's weight: a conversation may switch.
const DECAY: f64 = 0.5;

/// Identifies the language of a text among the configured languages.
pub struct LanguageIdentifier {
    detector: LanguageDetector,
    /// The configured languages, as lingua and as Candor name them.
    languages: Vec<(Language, Lang)>,
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
        let mut languages: Vec<(Language, Lang)> = Vec::new();
        for lang in &config.languages {
            if !Self::AVAILABLE.contains(&lang.code()) {
                return Err(LanguageConfigError::Unavailable(*lang));
            }
            let code = IsoCode639_1::from_str(lang.code())
                .map_err(|_| LanguageConfigError::Unavailable(*lang))?;
            let language = Language::from_iso_code_639_1(&code);
            if !languages.iter().any(|(l, _)| *l == language) {
                languages.push((language, *lang));
            }
        }
        if languages.len() < 2 {
            return Err(LanguageConfigError::TooFew(languages.len()));
        }
        let lingua: Vec<Language> = languages.iter().map(|(l, _)| *l).collect();
        let detector = LanguageDetectorBuilder::from_languages(&lingua)
            .with_preloaded_language_models()
            .build();
        let names: Vec<&str> = config.languages.iter().map(|l| l.code()).collect();
        Ok(LanguageIdentifier {
            detector,
            languages,
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
        self.identify_in_context(text, &LanguageContext::default())
    }

    /// The most likely language of `text` given what the conversation already says.
    ///
    /// Lingua's confidence values `p(l | text)` over the configured languages are combined
    /// with a prior from the context by Bayes' rule:
    ///
    /// ```text
    /// prior(l)      ∝ 1 + 2·[declared = l] + Σ_k 2 · 0.5^(n-1-k) · confidence_k · [previous_k = l]
    /// posterior(l)  = p(l | text) · prior(l) / Σ_m p(m | text) · prior(m)
    /// ```
    ///
    /// where `previous_0 … previous_{n-1}` are the earlier messages' guesses, oldest first, and
    /// guesses that were unknown count for nothing. Without context every language has prior
    /// 1, and the answer is lingua's. A confident Danish message just before makes Danish's
    /// prior 3 against 1 for the others; a declared locale as well makes it 5. So the prior
    /// can at most shift the odds between two languages by a few times, so a text that lingua finds clearly in one language (a long
    /// English message in a Danish conversation) keeps it, while a short, ambiguous one ("ok
    /// tak", "ja, bitte") follows the conversation. The answer is unknown when the best
    /// posterior is below the floor, or the text has no letters to judge by.
    pub fn identify_in_context(&self, text: &str, context: &LanguageContext) -> LanguageGuess {
        let unknown = LanguageGuess {
            lang: None,
            confidence: 0.0,
        };
        if !text.chars().any(char::is_alphabetic) {
            return unknown;
        }
        let values = self.detector.compute_language_confidence_values(text);
        let prior = |lang: Lang| -> f64 {
            let declared = if context.declared == Some(lang) {
                DECLARED_WEIGHT
            } else {
                0.0
            };
            let n = context.previous.len();
            let previous: f64 = context
                .previous
                .iter()
                .enumerate()
                .filter(|(_, g)| g.lang == Some(lang))
                .map(|(k, g)| {
                    PREVIOUS_WEIGHT * DECAY.powi((n - 1 - k) as i32) * g.confidence.clamp(0.0, 1.0)
                })
                .sum();
            SMOOTHING + declared + previous
        };
        let mut posterior: Vec<(Lang, f64)> = self
            .languages
            .iter()
            .map(|(language, lang)| {
                let p = values
                    .iter()
                    .find(|(l, _)| l == language)
                    .map_or(0.0, |(_, p)| *p);
                (*lang, p * prior(*lang))
            })
            .collect();
        let total: f64 = posterior.iter().map(|(_, p)| p).sum();
        if total <= 0.0 || !total.is_finite() {
            return unknown;
        }
        for (_, p) in &mut posterior {
            *p /= total;
        }
        // Ties go to the language configured first, so the answer does not depend on the order
        // lingua happens to return equal values in.
        let order = |lang: Lang| self.languages.iter().position(|(_, l)| *l == lang);
        let Some((lang, confidence)) = posterior.into_iter().max_by(|a, b| {
            a.1.total_cmp(&b.1)
                .then_with(|| order(b.0).cmp(&order(a.0)))
        }) else {
            return unknown;
        };
        LanguageGuess {
            lang: (confidence >= self.floor).then_some(lang),
            confidence,
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

    #[test]
    fn an_empty_context_changes_nothing() {
        let id = identifier();
        for text in ["ok tak", "ja, bitte", "Where is my parcel?", "dank je"] {
            let with = id.identify_in_context(text, &LanguageContext::default());
            let without = id.identify(text);
            // lingua sums its evidence in hash order, so equal up to rounding.
            assert_eq!(with.lang, without.lang, "{text}");
            assert!(
                (with.confidence - without.confidence).abs() < 1e-9,
                "{text}"
            );
        }
    }
}
