//! Recognisers: each finds one or more kinds of personal data in normalised text.
//!
//! A new recogniser implements [`Recognizer`] and is added to [`Registry::new`]. Detection is
//! kept apart from transformation (Presidio's split): recognisers only report [`Detection`]s,
//! and [`crate::pseudonymise`] rewrites the text.

use std::sync::LazyLock;

use candor_core::{EntityKind, Span};
use phonenumber::country::Id as Country;
use regex::Regex;

/// One piece of personal data found in normalised text.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// What it is.
    pub kind: EntityKind,
    /// Where it is, as byte offsets into the NORMALISED text.
    pub span: Span,
    /// How sure the recogniser is, in `[0, 1]`.
    pub score: f32,
    /// The recogniser that found it.
    pub recogniser: &'static str,
    /// The validator that confirmed it, if one exists for the kind (e.g. `iban-mod97`).
    pub validator: Option<&'static str>,
    /// A canonical form of the value, so that two spellings of one value get one pseudonym
    /// (lower-case e-mail, E.164 phone number, compact upper-case IBAN).
    pub canonical: String,
}

/// Finds personal data of some kinds in normalised text.
pub trait Recognizer: Send + Sync {
    /// A stable name, recorded in explanations and the audit record.
    fn name(&self) -> &'static str;
    /// The kinds this recogniser can report.
    fn kinds(&self) -> &'static [EntityKind];
    /// Appends every detection in `text` to `out`. Overlaps with other recognisers are
    /// resolved by the [`Registry`].
    fn recognise(&self, text: &str, out: &mut Vec<Detection>);
}

/// The recognisers in force, and the rule for overlapping detections.
pub struct Registry {
    recognisers: Vec<Box<dyn Recognizer>>,
}

impl Default for Registry {
    fn default() -> Self {
        Registry::new(PhoneConfig::default())
    }
}

impl Registry {
    /// The built-in recognisers.
    pub fn new(phone: PhoneConfig) -> Registry {
        Registry {
            recognisers: vec![
                Box::new(EmailRecognizer),
                Box::new(PhoneRecognizer { config: phone }),
                Box::new(IbanRecognizer),
            ],
        }
    }

    /// The names of the recognisers in force, for the pipeline version string.
    pub fn names(&self) -> Vec<&'static str> {
        self.recognisers.iter().map(|r| r.name()).collect()
    }

    /// Every detection in `text`, without overlaps, ordered by position.
    ///
    /// Where detections overlap, the higher score wins, then the longer span: a validated IBAN
    /// beats a phone number read from some of its digits.
    pub fn detect(&self, text: &str) -> Vec<Detection> {
        let mut all = Vec::new();
        for r in &self.recognisers {
            r.recognise(text, &mut all);
        }
        all.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(b.span.len().cmp(&a.span.len()))
                .then(a.span.start.cmp(&b.span.start))
        });
        let mut kept: Vec<Detection> = Vec::with_capacity(all.len());
        for d in all {
            if !kept.iter().any(|k| k.span.overlaps(&d.span)) {
                kept.push(d);
            }
        }
        kept.sort_by_key(|d| d.span.start);
        kept
    }
}

/// Whether the match at `span` stands alone: no letter or digit glued to either side.
fn stands_alone(text: &str, span: Span) -> bool {
    let before = text[..span.start].chars().next_back();
    let after = text[span.end..].chars().next();
    !before.is_some_and(|c| c.is_alphanumeric()) && !after.is_some_and(|c| c.is_alphanumeric())
}

/// E-mail addresses, including internationalised local parts and domains.
pub struct EmailRecognizer;

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"[\p{L}\p{N}._%+\-]+@(?:[\p{L}\p{N}](?:[\p{L}\p{N}\-]{0,61}[\p{L}\p{N}])?\.)+\p{L}{2,24}",
    )
    .expect("valid e-mail pattern")
});

impl Recognizer for EmailRecognizer {
    fn name(&self) -> &'static str {
        "email-pattern"
    }
    fn kinds(&self) -> &'static [EntityKind] {
        &[EntityKind::Email]
    }
    fn recognise(&self, text: &str, out: &mut Vec<Detection>) {
        for m in EMAIL.find_iter(text) {
            // A local part cannot start or end with a dot; trim so "see.john@x.dk" at a
            // sentence start is not widened, and "…:john@x.dk" keeps its punctuation outside.
            let raw = m.as_str();
            let lead = raw.len() - raw.trim_start_matches('.').len();
            let span = Span::new(m.start() + lead, m.end());
            out.push(Detection {
                kind: EntityKind::Email,
                span,
                score: 0.95,
                recogniser: self.name(),
                validator: None,
                canonical: text[span.start..span.end].to_lowercase(),
            });
        }
    }
}

/// Which countries' national phone formats to accept. Numbers written with a `+` or `00`
/// prefix are accepted for any country.
#[derive(Debug, Clone)]
pub struct PhoneConfig {
    /// Regions whose national formats are tried, in order.
    pub regions: Vec<Country>,
}

impl Default for PhoneConfig {
    fn default() -> Self {
        PhoneConfig {
            regions: vec![Country::DK, Country::NL, Country::DE, Country::GB],
        }
    }
}

/// Telephone numbers, validated by libphonenumber's metadata (the `phonenumber` crate).
pub struct PhoneRecognizer {
    config: PhoneConfig,
}

static PHONE_CANDIDATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\+|\b00)?(?:\(\d{1,5}\)[ .\-/]?)?\d(?:[ .\-/]?\(?\d\)?){5,16}")
        .expect("valid phone pattern")
});

static DATE_LIKE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\d{1,4}[./\-]\d{1,2}[./\-]\d{1,4}$").expect("valid date pattern")
});

impl Recognizer for PhoneRecognizer {
    fn name(&self) -> &'static str {
        "phone-libphonenumber"
    }
    fn kinds(&self) -> &'static [EntityKind] {
        &[EntityKind::Phone]
    }
    fn recognise(&self, text: &str, out: &mut Vec<Detection>) {
        for m in PHONE_CANDIDATE.find_iter(text) {
            let candidate = m.as_str().trim_end_matches([')', ' ', '.', '-', '/']);
            let span = Span::new(m.start(), m.start() + candidate.len());
            if !stands_alone(text, span) || DATE_LIKE.is_match(candidate) {
                continue;
            }
            let digits = candidate.bytes().filter(u8::is_ascii_digit).count();
            if !(7..=15).contains(&digits) {
                continue;
            }
            let international = candidate.starts_with('+') || candidate.starts_with("00");
            let parsed = if international {
                let with_plus = match candidate.strip_prefix("00") {
                    Some(rest) => format!("+{rest}"),
                    None => candidate.to_owned(),
                };
                phonenumber::parse(None, &with_plus)
                    .ok()
                    .filter(phonenumber::is_valid)
            } else {
                self.config.regions.iter().find_map(|region| {
                    phonenumber::parse(Some(*region), candidate)
                        .ok()
                        .filter(phonenumber::is_valid)
                })
            };
            let Some(number) = parsed else { continue };
            out.push(Detection {
                kind: EntityKind::Phone,
                span,
                // A national number without a prefix is more often an order number that
                // happens to validate; score it lower so that validated kinds win overlaps.
                score: if international { 0.9 } else { 0.7 },
                recogniser: self.name(),
                validator: Some("libphonenumber-metadata"),
                canonical: number.format().mode(phonenumber::Mode::E164).to_string(),
            });
        }
    }
}

/// International Bank Account Numbers, with or without spaces, validated by country length and
/// the ISO 7064 mod-97 check (the `iban_validate` crate).
pub struct IbanRecognizer;

static IBAN_CANDIDATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b[A-Z]{2}\d{2}(?:[ \-]?[A-Z0-9]){10,32}\b").expect("valid IBAN pattern")
});

impl Recognizer for IbanRecognizer {
    fn name(&self) -> &'static str {
        "iban-pattern"
    }
    fn kinds(&self) -> &'static [EntityKind] {
        &[EntityKind::Iban]
    }
    fn recognise(&self, text: &str, out: &mut Vec<Detection>) {
        for m in IBAN_CANDIDATE.find_iter(text) {
            // The pattern may run on into the next word ("… 3000 AB"); drop trailing groups
            // until the rest validates, so a valid IBAN is never lost to its neighbour.
            let mut candidate = m.as_str();
            loop {
                let compact: String = candidate
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric())
                    .map(|c| c.to_ascii_uppercase())
                    .collect();
                if compact.parse::<iban::Iban>().is_ok() {
                    let span = Span::new(m.start(), m.start() + candidate.len());
                    out.push(Detection {
                        kind: EntityKind::Iban,
                        span,
                        score: 0.98,
                        recogniser: self.name(),
                        validator: Some("iban-mod97"),
                        canonical: compact,
                    });
                    break;
                }
                match candidate.rfind([' ', '-']) {
                    Some(cut) if cut >= 15 => candidate = &candidate[..cut],
                    _ => break,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(EntityKind, &str, String)> {
        Registry::default()
            .detect(text)
            .into_iter()
            .map(|d| (d.kind, &text[d.span.start..d.span.end], d.canonical))
            .collect()
    }

    #[test]
    fn finds_emails_and_lowercases_them() {
        assert_eq!(
            found("Skriv til Ole.Hansen@Firma.dk, tak."),
            vec![(
                EntityKind::Email,
                "Ole.Hansen@Firma.dk",
                "ole.hansen@firma.dk".to_owned()
            )]
        );
        assert_eq!(found("mail: jürgen@müller.de")[0].1, "jürgen@müller.de");
        assert!(found("an @ sign and user@localhost").is_empty());
    }

    #[test]
    fn finds_phone_numbers_in_national_and_international_formats() {
        for (text, number, e164) in [
            ("Ring på 22 33 44 55 i morgen", "22 33 44 55", "+4522334455"),
            ("Bel me op 06-12345678 graag", "06-12345678", "+31612345678"),
            ("Rufen Sie 030 12345678 an", "030 12345678", "+493012345678"),
            (
                "Call 020 7946 0958 please",
                "020 7946 0958",
                "+442079460958",
            ),
            (
                "Call +44 7911 123456 now",
                "+44 7911 123456",
                "+447911123456",
            ),
            ("Tel. 0045 22334455.", "0045 22334455", "+4522334455"),
        ] {
            let hits = found(text);
            assert_eq!(hits.len(), 1, "{text}: {hits:?}");
            assert_eq!(hits[0].0, EntityKind::Phone, "{text}");
            assert_eq!(hits[0].1, number, "{text}");
            assert_eq!(hits[0].2, e164, "{text}");
        }
    }

    #[test]
    fn rejects_numbers_that_do_not_validate_or_are_dates() {
        for text in [
            "Order 123",
            "dated 12.03.2024",
            "+45 1",
            "version 1.2.3.4.5.6",
            "+99 1234 5678",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }

    #[test]
    fn finds_ibans_with_and_without_spaces_and_checks_mod97() {
        assert_eq!(
            found("IBAN DE89 3704 0044 0532 0130 00 bitte"),
            vec![(
                EntityKind::Iban,
                "DE89 3704 0044 0532 0130 00",
                "DE89370400440532013000".to_owned()
            )]
        );
        assert_eq!(
            found("rekening NL91ABNA0417164300.")[0].1,
            "NL91ABNA0417164300"
        );
        assert_eq!(
            found("konto DK5000400440116243 tak")[0].2,
            "DK5000400440116243"
        );
        // One digit changed: the mod-97 check fails, and no phone number wins the digits either.
        let wrong = found("DE89 3704 0044 0532 0130 01");
        assert!(
            wrong.iter().all(|(k, _, _)| *k != EntityKind::Iban),
            "{wrong:?}"
        );
    }

    #[test]
    fn iban_is_not_swallowed_by_a_following_word() {
        let hits = found("NL91 ABNA 0417 1643 00 AB Amsterdam");
        assert_eq!(hits[0].1, "NL91 ABNA 0417 1643 00");
    }

    #[test]
    fn overlaps_prefer_the_validated_higher_score() {
        let hits = found("Konto: DK50 0040 0440 1162 43, tlf +45 22 33 44 55");
        let kinds: Vec<_> = hits.iter().map(|h| h.0).collect();
        assert_eq!(kinds, vec![EntityKind::Iban, EntityKind::Phone]);
    }
}
