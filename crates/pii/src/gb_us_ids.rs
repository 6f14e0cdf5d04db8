//! National identifiers of the United Kingdom and the United States: the National Insurance
//! number, the NHS number and the Social Security number.
//!
//! Candor serves British and American customers' phone and address conventions, and these
//! are the numbers such customers quote to a contact centre. Each is read in the forms
//! people write (spaced or dashed), checked with its published rule, and scored higher when
//! a context word is near (the tables below).

use std::sync::LazyLock;

use candor_core::{EntityKind, Span};
use regex::Regex;

use crate::checksum::gb_nhs_mod11;
use crate::scan::{has_context, numbers, stands_alone};
use crate::{Detection, Recognizer};

/// Words that, near a National Insurance number, make it more likely to be one.
pub const GB_NINO_CONTEXT: &[&str] = &[
    "national insurance",
    "national insurance number",
    "ni number",
    "ni no",
    "nino",
    "nin",
];

/// Words that, near an NHS number, make it one: without them ten digits are far more often a
/// phone or account number.
pub const GB_NHS_CONTEXT: &[&str] = &["nhs", "nhs number", "nhs no", "health service"];

/// Words that, near a Social Security number, make it more likely to be one.
pub const US_SSN_CONTEXT: &[&str] = &[
    "ssn",
    "ssns",
    "social security",
    "social security number",
    "social security no",
    "social",
];

static NINO_CANDIDATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)([A-Za-z]{2}) ?([0-9]{2}) ?([0-9]{2}) ?([0-9]{2}) ?([A-Da-d])?(?-u:\b)")
        .expect("valid NINO pattern")
});

/// Whether the two letters may open a National Insurance number: HMRC never issues D, F, I,
/// Q, U or V first, nor D, F, I, O, Q, U or V second, nor the prefixes BG, GB, KN, NK, NT, TN
/// and ZZ.
fn nino_prefix(prefix: &str) -> bool {
    let b = prefix.as_bytes();
    b.len() == 2
        && !b"DFIQUV".contains(&b[0])
        && !b"DFIOQUV".contains(&b[1])
        && !["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"].contains(&prefix)
}

/// British National Insurance numbers: `AB 12 34 56 C` or `AB123456C`, the prefix letters
/// HMRC issues, six digits, and a suffix A–D. Without its suffix (sometimes left out) it
/// counts only next to a context word; in lower case only with one too.
pub struct GbNinoRecognizer;

impl Recognizer for GbNinoRecognizer {
    fn name(&self) -> &'static str {
        "gb-nino-pattern"
    }
    fn kinds(&self) -> &'static [EntityKind] {
        &[EntityKind::GbNino]
    }
    fn recognise(&self, text: &str, out: &mut Vec<Detection>) {
        for caps in NINO_CANDIDATE.captures_iter(text) {
            let m = caps.get(0).expect("group 0 always matches");
            let span = Span::new(
                m.start(),
                m.end().min(m.start() + m.as_str().trim_end().len()),
            );
            let prefix = caps[1].to_ascii_uppercase();
            let suffix = caps.get(5).map(|s| s.as_str().to_ascii_uppercase());
            if !nino_prefix(&prefix) || !stands_alone(text, span) {
                continue;
            }
            let upper = m.as_str().chars().all(|c| !c.is_ascii_lowercase());
            let context = has_context(text, span, GB_NINO_CONTEXT);
            let score = match (suffix.is_some() && upper, context) {
                (_, true) => 0.95,
                (true, false) => 0.85,
                (false, false) => continue,
            };
            out.push(Detection {
                kind: EntityKind::GbNino,
                span,
                score,
                recogniser: self.name(),
                validator: Some("gb-nino-prefix"),
                canonical: format!(
                    "{prefix}{}{}{}{}",
                    &caps[2],
                    &caps[3],
                    &caps[4],
                    suffix.unwrap_or_default()
                ),
            });
        }
    }
}

/// British NHS numbers: ten digits, usually written `943 476 5919`, passing the modulus-11
/// check; reported only next to a context word such as "NHS number", since one in eleven
/// ten-digit phone or account numbers passes the check too.
pub struct GbNhsRecognizer;

impl Recognizer for GbNhsRecognizer {
    fn name(&self) -> &'static str {
        "gb-nhs-pattern"
    }
    fn kinds(&self) -> &'static [EntityKind] {
        &[EntityKind::GbNhs]
    }
    fn recognise(&self, text: &str, out: &mut Vec<Detection>) {
        numbers(text, 10, 10, |w| {
            if !gb_nhs_mod11(w.digits) || !has_context(text, w.span, GB_NHS_CONTEXT) {
                return;
            }
            out.push(Detection {
                kind: EntityKind::GbNhs,
                span: w.span,
                score: 0.95,
                recogniser: self.name(),
                validator: Some("gb-nhs-mod11"),
                canonical: w.digits.to_owned(),
            });
        });
    }
}

/// Whether nine digits are a Social Security number the SSA could have issued: area not 000,
/// 666 or 900–999, group not 00, serial not 0000.
fn ssn_structure(digits: &str) -> bool {
    let (area, group, serial) = (&digits[0..3], &digits[3..5], &digits[5..9]);
    area != "000" && area != "666" && !area.starts_with('9') && group != "00" && serial != "0000"
}

/// US Social Security numbers: nine digits in area, group and serial. Written `AAA-GG-SSSS`
/// the shape is the evidence (0.85); spaced or run together, nine digits are as often a Dutch
/// BSN or a phone number, so they count only next to a context word such as "SSN".
pub struct UsSsnRecognizer;

impl Recognizer for UsSsnRecognizer {
    fn name(&self) -> &'static str {
        "us-ssn-pattern"
    }
    fn kinds(&self) -> &'static [EntityKind] {
        &[EntityKind::UsSsn]
    }
    fn recognise(&self, text: &str, out: &mut Vec<Detection>) {
        numbers(text, 9, 9, |w| {
            if !ssn_structure(w.digits) {
                return;
            }
            let written = &text[w.span.start..w.span.end];
            let dashed = written.len() == 11
                && written.as_bytes()[3] == b'-'
                && written.as_bytes()[6] == b'-';
            let score = match (dashed, has_context(text, w.span, US_SSN_CONTEXT)) {
                (_, true) => 0.95,
                (true, false) => 0.85,
                (false, false) => return,
            };
            out.push(Detection {
                kind: EntityKind::UsSsn,
                span: w.span,
                score,
                recogniser: self.name(),
                validator: Some("us-ssn-structure"),
                canonical: w.digits.to_owned(),
            });
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::values as found;

    #[test]
    fn national_insurance_numbers_spaced_or_not() {
        for (text, value, canonical) in [
            (
                "My NI number is AB 12 34 56 C.",
                "AB 12 34 56 C",
                "AB123456C",
            ),
            ("NINO: AB123456D", "AB123456D", "AB123456D"),
            ("here it is JG103759A thanks", "JG103759A", "JG103759A"),
            (
                "national insurance number ab 12 34 56",
                "ab 12 34 56",
                "AB123456",
            ),
        ] {
            assert_eq!(
                found(&GbNinoRecognizer, text),
                vec![(value.to_owned(), canonical.to_owned())],
                "{text}"
            );
        }
    }

    #[test]
    fn prefixes_hmrc_never_issues_and_bare_lower_case_are_no_nino() {
        for text in [
            "GB123456A is a VAT-like code",
            "DA123456A",
            "AO123456B",
            "NK123456C",
            "ZZ123456A",
            "order ab123456c shipped",
            "AB123456 without suffix or context",
            // QQ is the prefix of HMRC's own examples, never issued.
            "QQ 12 34 56 C",
            "AB1234567C",
        ] {
            assert!(found(&GbNinoRecognizer, text).is_empty(), "{text}");
        }
    }

    #[test]
    fn nhs_numbers_need_their_check_digit_and_a_context_word() {
        assert_eq!(
            found(&GbNhsRecognizer, "My NHS number is 943 476 5919"),
            vec![("943 476 5919".to_owned(), "9434765919".to_owned())]
        );
        assert_eq!(
            found(&GbNhsRecognizer, "NHS no. 9434765919, thanks"),
            vec![("9434765919".to_owned(), "9434765919".to_owned())]
        );
        // Wrong check digit; and a valid one without a context word (a phone number?).
        assert!(found(&GbNhsRecognizer, "My NHS number is 943 476 5918").is_empty());
        assert!(found(&GbNhsRecognizer, "Call 943 476 5919 today").is_empty());
        // A check digit of 10 is never issued: no last digit completes these nine.
        for d in 0..=9 {
            assert!(!gb_nhs_mod11(&format!("100000001{d}")));
        }
        assert!(gb_nhs_mod11("4010232137"));
    }

    #[test]
    fn social_security_numbers_by_shape_or_context() {
        for (text, value) in [
            ("My SSN is 536-22-8726.", "536-22-8726"),
            ("Here you go: 536-22-8726", "536-22-8726"),
            ("social security number 536 22 8726", "536 22 8726"),
            ("SSN: 536228726", "536228726"),
        ] {
            assert_eq!(
                found(&UsSsnRecognizer, text),
                vec![(value.to_owned(), "536228726".to_owned())],
                "{text}"
            );
        }
        for text in [
            // Never issued: area 000, 666 or 9xx, group 00, serial 0000.
            "SSN 000-12-3456",
            "SSN 666-12-3456",
            "SSN 912-12-3456",
            "SSN 536-00-8726",
            "SSN 536-22-0000",
            // Nine bare digits without a context word: a BSN or an order number.
            "Mijn nummer is 536228726",
            "order 536 22 8726",
        ] {
            assert!(found(&UsSsnRecognizer, text).is_empty(), "{text}");
        }
    }
}
