//! Recognisers declared in configuration, so that a contact centre can mask its own
//! identifiers (customer numbers, order numbers, contract ids) without recompiling.
//!
//! Each one is a regular expression, an optional check-digit algorithm from
//! [`crate::checksum`], context words that raise its score, and the label of its kind
//! (`CUSTOMER_NUMBER`, giving pseudonyms like `<CUSTOMER_NUMBER_1>`). [`build`] checks every
//! declaration and reports every problem at once.

use candor_core::{EntityKind, Span};
use regex::Regex;
use serde::Deserialize;

use crate::scan::{has_context, stands_alone};
use crate::{Detection, Recognizer, checksum};

/// One `[[pii.custom]]` table as written in `policy.toml`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomConfig {
    /// The kind's label: upper-case letters and underscores, e.g. `CUSTOMER_NUMBER`.
    pub name: String,
    /// The regular expression (Rust `regex` syntax) that a value matches.
    pub pattern: String,
    /// A check-digit algorithm the value's digits (or, for `mod97`, letters and digits) must
    /// pass: `luhn`, `mod97`, `mod11` (the Dutch 11-proef), or `iso7064` (MOD 11,10).
    #[serde(default)]
    pub checksum: Option<String>,
    /// Words that, near a match, make it surer (whole words, any case).
    #[serde(default)]
    pub context: Vec<String>,
    /// The score of a match, in `[0, 1]` (default 0.8). Among overlapping confirmed
    /// detections the higher score wins.
    #[serde(default = "default_score")]
    pub score: f32,
    /// Added to the score (capped at 1) when a context word is near (default 0.15).
    #[serde(default = "default_boost")]
    pub context_boost: f32,
}

/// High, because a configured pattern is written for exactly one format; a validated
/// built-in reading of the same characters (phone numbers score 0.7) must not outrank it.
fn default_score() -> f32 {
    0.8
}

fn default_boost() -> f32 {
    0.15
}

/// The check-digit algorithms a custom recogniser can require.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checksum {
    /// Luhn (mod 10), as on payment cards.
    Luhn,
    /// ISO 7064 MOD 97-10, as in IBANs (letters count A = 10 … Z = 35).
    Mod97,
    /// Weighted modulus 11: the Dutch 11-proef (nine digits).
    Mod11,
    /// ISO 7064 MOD 11,10, as in the German tax id.
    Iso7064,
}

impl Checksum {
    fn parse(name: &str) -> Option<Checksum> {
        Some(match name.to_ascii_lowercase().as_str() {
            "luhn" => Checksum::Luhn,
            "mod97" | "mod-97" | "iso7064-mod97" => Checksum::Mod97,
            "mod11" | "mod-11" | "11-proef" | "elfproef" => Checksum::Mod11,
            "iso7064" | "iso7064-mod11-10" => Checksum::Iso7064,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Checksum::Luhn => "luhn",
            Checksum::Mod97 => "mod97",
            Checksum::Mod11 => "mod11",
            Checksum::Iso7064 => "iso7064",
        }
    }

    fn holds(self, value: &str) -> bool {
        match self {
            Checksum::Mod97 => {
                let code: String = value.chars().filter(char::is_ascii_alphanumeric).collect();
                !code.is_empty() && checksum::iso7064_mod97_10(&code)
            }
            _ => {
                let digits: String = value.chars().filter(char::is_ascii_digit).collect();
                !digits.is_empty()
                    && match self {
                        Checksum::Luhn => checksum::luhn(&digits),
                        Checksum::Mod11 => checksum::nl_bsn_11proef(&digits),
                        _ => checksum::iso7064_mod11_10(&digits),
                    }
            }
        }
    }
}

/// A recogniser built from a [`CustomConfig`].
#[derive(Debug, Clone)]
pub struct CustomRecognizer {
    name: &'static str,
    kinds: &'static [EntityKind],
    pattern: Regex,
    checksum: Option<Checksum>,
    validator: &'static str,
    context: Vec<String>,
    score: f32,
    boost: f32,
}

impl CustomRecognizer {
    /// The kind it reports.
    pub fn kind(&self) -> EntityKind {
        self.kinds[0]
    }
}

/// Configured recognisers that cannot be built, with every problem found.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid custom recognisers:\n  - {}", problems.join("\n  - "))]
pub struct CustomError {
    /// Each problem, naming the recogniser.
    pub problems: Vec<String>,
}

/// Patterns larger than this (compiled) are refused: a configured pattern runs on every
/// message, so it must stay cheap.
const PATTERN_SIZE_LIMIT: usize = 1 << 20;

/// Builds the recognisers, checking every declaration: a usable name, a pattern that compiles
/// and cannot match the empty string, a known checksum, scores in `[0, 1]`, and no name
/// declared twice.
///
/// # Errors
///
/// Every problem at once.
pub fn build(configs: &[CustomConfig]) -> Result<Vec<CustomRecognizer>, CustomError> {
    let mut problems = Vec::new();
    let mut out = Vec::new();
    for (i, c) in configs.iter().enumerate() {
        let at = if c.name.trim().is_empty() {
            format!("pii.custom[{i}]")
        } else {
            format!("pii.custom[{i}] ({})", c.name)
        };
        let before = problems.len();
        let kind = if c.name.trim().is_empty() {
            problems.push(format!("{at}: name is empty"));
            None
        } else {
            match EntityKind::custom(&c.name) {
                Ok(k) => Some(k),
                Err(_) => {
                    problems.push(format!(
                        "{at}: name must be upper-case letters and single underscores (at most 40, e.g. CUSTOMER_NUMBER) and not a built-in kind"
                    ));
                    None
                }
            }
        };
        if configs[..i].iter().any(|o| o.name == c.name) && !c.name.trim().is_empty() {
            problems.push(format!("{at}: name declared twice"));
        }
        let pattern = match regex::RegexBuilder::new(&c.pattern)
            .size_limit(PATTERN_SIZE_LIMIT)
            .build()
        {
            Ok(r) if r.is_match("") => {
                problems.push(format!("{at}: pattern matches the empty string"));
                None
            }
            Ok(r) => Some(r),
            Err(e) => {
                let e = e.to_string().replace('\n', " ");
                problems.push(format!("{at}: pattern does not compile: {e}"));
                None
            }
        };
        let checksum = match c.checksum.as_deref() {
            None => None,
            Some(name) => match Checksum::parse(name) {
                Some(k) => Some(k),
                None => {
                    problems.push(format!(
                        "{at}: unknown checksum `{name}` (expected luhn, mod97, mod11 or iso7064)"
                    ));
                    None
                }
            },
        };
        for (key, v) in [("score", c.score), ("context_boost", c.context_boost)] {
            if !(0.0..=1.0).contains(&v) {
                problems.push(format!("{at}: {key} must be between 0 and 1, got {v}"));
            }
        }
        if c.context.iter().any(|w| w.trim().is_empty()) {
            problems.push(format!("{at}: a context word is empty"));
        }
        if problems.len() > before {
            continue;
        }
        let (Some(kind), Some(pattern)) = (kind, pattern) else {
            continue;
        };
        // A configured pattern is the contact centre's own definition of its identifier, so a
        // match counts as confirmed by it (`custom-format`), or by its checksum: otherwise a
        // generic reading of some of its digits (a phone number inside `ORD-2024-0042`) that
        // a validator confirmed would win the overlap and split the identifier.
        let validator: &'static str = Box::leak(
            format!("custom-{}", checksum.map_or("format", Checksum::name)).into_boxed_str(),
        );
        out.push(CustomRecognizer {
            // Leaked once per configured recogniser at start: names are `&'static` for the
            // audit record, like the built-in ones.
            name: Box::leak(format!("custom:{}", c.name).into_boxed_str()),
            kinds: Box::leak(Box::new([kind])),
            pattern,
            checksum,
            validator,
            context: c.context.iter().map(|w| w.trim().to_lowercase()).collect(),
            score: c.score,
            boost: c.context_boost,
        });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(CustomError { problems })
    }
}

impl Recognizer for CustomRecognizer {
    fn name(&self) -> &'static str {
        self.name
    }

    fn kinds(&self) -> &'static [EntityKind] {
        self.kinds
    }

    fn recognise(&self, text: &str, out: &mut Vec<Detection>) {
        let context: Vec<&str> = self.context.iter().map(String::as_str).collect();
        for m in self.pattern.find_iter(text) {
            if m.is_empty() {
                continue;
            }
            let span = Span::new(m.start(), m.end());
            // A match glued into a longer word or number is part of something else.
            if !stands_alone(text, span) {
                continue;
            }
            if let Some(check) = self.checksum
                && !check.holds(m.as_str())
            {
                continue;
            }
            let score = if !context.is_empty() && has_context(text, span, &context) {
                (self.score + self.boost).min(1.0)
            } else {
                self.score
            };
            out.push(Detection {
                kind: self.kinds[0],
                span,
                score,
                recogniser: self.name,
                validator: Some(self.validator),
                canonical: m.as_str().to_uppercase(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Registry, local_ordinals, pseudonymise};

    fn config(name: &str, pattern: &str) -> CustomConfig {
        CustomConfig {
            name: name.into(),
            pattern: pattern.into(),
            checksum: None,
            context: vec![],
            score: 0.6,
            context_boost: 0.3,
        }
    }

    #[test]
    fn customer_numbers_get_their_own_pseudonyms() {
        let mut c = config("CUSTOMER_NUMBER", r"CUST-\d{6}");
        c.context = vec!["kundenummer".into(), "customer number".into()];
        let custom = build(&[c]).unwrap();
        let text = "Min kundenummer er CUST-123456, og cust-123456 igen; xCUST-999999 ikke.";
        let extra: Vec<&dyn Recognizer> = custom.iter().map(|r| r as &dyn Recognizer).collect();
        let found = Registry::default().detect_with(text, &extra);
        let ours: Vec<&Detection> = found
            .iter()
            .filter(|d| d.kind.as_str() == "CUSTOMER_NUMBER")
            .collect();
        // The lower-case repeat is found as a repeat of the matched value; the glued one not.
        assert_eq!(ours.len(), 2, "{found:?}");
        assert_eq!(ours[1].recogniser, crate::REPEATED_VALUE);
        assert!(
            (ours[0].score - 0.9).abs() < 1e-6,
            "context boosts the score"
        );
        assert_eq!(ours[0].recogniser, "custom:CUSTOMER_NUMBER");
        assert_eq!(ours[0].validator, Some("custom-format"));
        assert_eq!(
            pseudonymise(text, &found, &local_ordinals(&found)),
            "Min kundenummer er <CUSTOMER_NUMBER_1>, og <CUSTOMER_NUMBER_1> igen; xCUST-999999 ikke."
        );
    }

    #[test]
    fn checksums_filter_matches() {
        let mut c = config("LOYALTY_CARD", r"\b\d{4} ?\d{4} ?\d{4} ?\d{4}\b");
        c.checksum = Some("luhn".into());
        let r = &build(&[c]).unwrap()[0];
        let mut out = Vec::new();
        r.recognise("ok 4111 1111 1111 1111, bad 4111 1111 1111 1112", &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].validator, Some("custom-luhn"));
        assert!(Checksum::Mod11.holds("111222333"));
        assert!(!Checksum::Mod11.holds("111222334"));
        assert!(
            Checksum::Mod97.holds(
                "GB82 WEST 1234 5698 7654 32"
                    .replace(' ', "")
                    .get(4..)
                    .map(|r| format!("{r}GB82"))
                    .unwrap()
                    .as_str()
            )
        );
        assert!(Checksum::Iso7064.holds("86095742719"));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let mut unknown = config("ORDER_NUMBER", r"ORD\d+");
        unknown.checksum = Some("crc32".into());
        let mut scores = config("CONTRACT", r"K\d+");
        scores.score = 1.5;
        let err = build(&[
            config("", r"X\d+"),
            config("CUSTOMER_NUMBER", r"CUST-(\d{6}"),
            unknown,
            config("EMAIL", r"E\d+"),
            config("ANYTHING", r"\d*"),
            scores,
        ])
        .unwrap_err();
        let all = err.to_string();
        assert_eq!(err.problems.len(), 6, "{all}");
        assert!(all.contains("pii.custom[0]: name is empty"));
        assert!(all.contains("pii.custom[1] (CUSTOMER_NUMBER): pattern does not compile"));
        assert!(all.contains("unknown checksum `crc32`"));
        assert!(all.contains("pii.custom[3] (EMAIL): name must be"));
        assert!(all.contains("matches the empty string"));
        assert!(all.contains("score must be between 0 and 1, got 1.5"));
    }
}
