//! Payment card numbers and VAT identification numbers.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use candor_core::{EntityKind, Span};
use regex::Regex;

use crate::checksum::{dk_cvr_mod11, iso7064_mod11_10, iso7064_mod97_10, luhn, nl_bsn_11proef};
use crate::scan::{has_context, numbers, scored, stands_alone};
use crate::{Detection, Recognizer};

/// Words that, near a card number, make it more likely to be one (da, nl, de, en).
pub const CARD_CONTEXT: &[&str] = &[
    // da
    "kort",
    "kortnummer",
    "kortnr",
    "betalingskort",
    "kreditkort",
    "dankort",
    // nl
    "kaart",
    "kaartnummer",
    "creditcard",
    "creditcardnummer",
    "betaalkaart",
    "pinpas",
    // de
    "karte",
    "kartennummer",
    "kreditkarte",
    "kreditkartennummer",
    "bankkarte",
    // en
    "card",
    "card number",
    "credit card",
    "debit card",
    "visa",
    "mastercard",
    "amex",
    "maestro",
    "jcb",
    "diners",
    "cc",
    "card no",
];

/// Finds whether a text holds any card word, before the context of each number is read.
static CARD_WORDS: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(CARD_CONTEXT)
        .expect("the card words build an automaton")
});

/// One issuer range: the first `prefix_digits` digits lie in `low..=high` and the number has
/// one of `lengths` digits.
struct Issuer {
    prefix_digits: usize,
    low: u32,
    high: u32,
    lengths: &'static [usize],
}

const fn issuer(prefix_digits: usize, low: u32, high: u32, lengths: &'static [usize]) -> Issuer {
    Issuer {
        prefix_digits,
        low,
        high,
        lengths,
    }
}

const SIXTEEN_TO_NINETEEN: &[usize] = &[16, 17, 18, 19];

/// Issuer identification number ranges of the major card schemes (ISO/IEC 7812), as the
/// schemes publish them.
const ISSUERS: &[Issuer] = &[
    // Visa.
    issuer(1, 4, 4, &[13, 16, 19]),
    // Mastercard, the old and the 2-series range.
    issuer(2, 51, 55, &[16]),
    issuer(4, 2221, 2720, &[16]),
    // American Express.
    issuer(2, 34, 34, &[15]),
    issuer(2, 37, 37, &[15]),
    // Discover, and the China UnionPay co-branded range.
    issuer(4, 6011, 6011, SIXTEEN_TO_NINETEEN),
    issuer(3, 644, 649, SIXTEEN_TO_NINETEEN),
    issuer(2, 65, 65, SIXTEEN_TO_NINETEEN),
    issuer(6, 622_126, 622_925, SIXTEEN_TO_NINETEEN),
    // UnionPay.
    issuer(2, 62, 62, SIXTEEN_TO_NINETEEN),
    // Diners Club International.
    issuer(3, 300, 305, &[14, 15, 16, 17, 18, 19]),
    issuer(2, 36, 36, &[14, 15, 16, 17, 18, 19]),
    issuer(2, 38, 39, &[14, 16, 17, 18, 19]),
    // JCB, and its 15-digit ranges from before the 35 prefix.
    issuer(4, 3528, 3589, SIXTEEN_TO_NINETEEN),
    issuer(4, 1800, 1800, &[15]),
    issuer(4, 2131, 2131, &[15]),
    // Maestro (13 to 19 digits here; 12-digit cards are not told apart from other numbers).
    issuer(4, 5018, 5018, &[13, 14, 15, 16, 17, 18, 19]),
    issuer(4, 5020, 5020, &[13, 14, 15, 16, 17, 18, 19]),
    issuer(4, 5038, 5038, &[13, 14, 15, 16, 17, 18, 19]),
    issuer(4, 5893, 5893, &[13, 14, 15, 16, 17, 18, 19]),
    issuer(4, 6304, 6304, &[13, 14, 15, 16, 17, 18, 19]),
    issuer(4, 6759, 6759, &[13, 14, 15, 16, 17, 18, 19]),
    issuer(4, 6761, 6763, &[13, 14, 15, 16, 17, 18, 19]),
    // Dankort.
    issuer(4, 5019, 5019, &[16]),
    // Mir.
    issuer(4, 2200, 2204, SIXTEEN_TO_NINETEEN),
];

/// Whether `digits` (at least six ASCII digits) starts with a known issuer prefix and has a
/// length that issuer uses.
fn known_issuer(digits: &str) -> bool {
    let Some(Ok(six)) = digits.get(..6).map(str::parse::<u32>) else {
        return false;
    };
    ISSUERS.iter().any(|i| {
        let prefix = six / 10u32.pow(6 - i.prefix_digits as u32);
        i.lengths.contains(&digits.len()) && (i.low..=i.high).contains(&prefix)
    })
}

/// Payment card numbers: 13 to 19 digits, in groups separated by spaces or dashes, with a
/// known issuer prefix and a valid Luhn check digit. Next to a card word ([`CARD_CONTEXT`]),
/// any Luhn-valid number of 12 to 19 digits counts: 12-digit Maestro cards, and issuers the
/// prefix table does not know.
pub struct CreditCardRecognizer;

impl Recognizer for CreditCardRecognizer {
    fn name(&self) -> &'static str {
        "credit-card-pattern"
    }
    fn kinds(&self) -> &'static [EntityKind] {
        &[EntityKind::CreditCard]
    }
    fn recognise(&self, text: &str, out: &mut Vec<Detection>) {
        let first = out.len();
        // One in ten digit runs passes Luhn; looking for context words around each of them
        // is worth it only when the text holds one at all.
        let any_context = CARD_WORDS.is_match(text);
        numbers(text, 12, 19, |w| {
            if !luhn(w.digits) {
                return;
            }
            let context = any_context && has_context(text, w.span, CARD_CONTEXT);
            let issuer = w.digits.len() >= 13 && known_issuer(w.digits);
            // A card word alone, without a known issuer, is weaker evidence than a format
            // the deployment declared itself (a loyalty or customer card, `[[pii.custom]]`,
            // 0.8 by default), which should name such a number.
            let score = match (issuer, context) {
                (true, true) => 0.95,
                (true, false) => 0.85,
                (false, true) => 0.75,
                (false, false) => return,
            };
            out.push(Detection {
                kind: EntityKind::CreditCard,
                span: w.span,
                score,
                recogniser: self.name(),
                validator: Some("luhn"),
                canonical: w.digits.to_owned(),
            });
        });
        // One in ten digit runs passes Luhn, so the first groups of a card may too: only the
        // longest of nested candidates is the card. Ordered by start, then longest first, a
        // candidate is nested exactly when an earlier one reaches as far.
        let mut found = out.split_off(first);
        found.sort_by(|a, b| {
            a.span
                .start
                .cmp(&b.span.start)
                .then(b.span.end.cmp(&a.span.end))
        });
        let mut reach = 0;
        for d in found {
            if d.span.end > reach {
                reach = d.span.end;
                out.push(d);
            }
        }
    }
}

/// Words that, near a VAT number, make it more likely to be one (da, nl, de, en).
pub const VAT_CONTEXT: &[&str] = &[
    // da
    "moms",
    "momsnummer",
    "momsnr",
    "cvr",
    "cvr nr",
    "se nr",
    // nl
    "btw",
    "btw nummer",
    "btw id",
    "btwnummer",
    "omzetbelastingnummer",
    // de
    "ust",
    "ustid",
    "ust idnr",
    "ustidnr",
    "umsatzsteuer",
    "umsatzsteuer id",
    "umsatzsteuer identifikationsnummer",
    "mwst",
    // en
    "vat",
    "vat number",
    "vat id",
    "tax id",
];

/// One digit, then single optional spaces or dots between digits.
static VAT_DK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)DK[ .\-]?([0-9](?:[ .]?[0-9]){7})").expect("valid DK VAT pattern")
});
static VAT_DE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)DE[ .\-]?([0-9](?:[ .]?[0-9]){8})").expect("valid DE VAT pattern")
});
static VAT_NL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)NL[ .\-]?([0-9](?:[ .]?[0-9]){8})[ .]?(B)[ .]?([0-9][0-9])")
        .expect("valid NL VAT pattern")
});

/// VAT identification numbers of Denmark, the Netherlands and Germany, with their country
/// prefix:
///
/// - `DK` and 8 digits, the first not 0, passing the CVR modulus-11 check
///   (weights 2, 7, 6, 5, 4, 3, 2, 1);
/// - `NL`, 9 digits, `B` and 2 digits other than `00`, where either `NL` and the rest pass
///   ISO 7064 MOD 97-10 (the btw-id issued since 2020) or the 9 digits pass the 11-proef
///   (the older RSIN/BSN-based number);
/// - `DE` and 9 digits, the first not 0, passing ISO 7064 MOD 11,10.
pub struct VatRecognizer;

impl VatRecognizer {
    fn push(
        &self,
        text: &str,
        span: Span,
        validator: &'static str,
        canonical: String,
        base: f32,
        out: &mut Vec<Detection>,
    ) {
        if !stands_alone(text, span) {
            return;
        }
        out.push(Detection {
            kind: EntityKind::VatNumber,
            span,
            score: scored(text, span, VAT_CONTEXT, base, 0.95),
            recogniser: self.name(),
            validator: Some(validator),
            canonical,
        });
    }
}

fn compact_digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

impl Recognizer for VatRecognizer {
    fn name(&self) -> &'static str {
        "vat-pattern"
    }
    fn kinds(&self) -> &'static [EntityKind] {
        &[EntityKind::VatNumber]
    }
    fn recognise(&self, text: &str, out: &mut Vec<Detection>) {
        for caps in VAT_DK.captures_iter(text) {
            let m = caps.get(0).expect("group 0 always matches");
            let number = compact_digits(&caps[1]);
            if !number.starts_with('0') && dk_cvr_mod11(&number) {
                let span = Span::new(m.start(), m.end());
                self.push(text, span, "dk-cvr-mod11", format!("DK{number}"), 0.85, out);
            }
        }
        for caps in VAT_DE.captures_iter(text) {
            let m = caps.get(0).expect("group 0 always matches");
            let number = compact_digits(&caps[1]);
            if !number.starts_with('0') && iso7064_mod11_10(&number) {
                let span = Span::new(m.start(), m.end());
                self.push(
                    text,
                    span,
                    "de-ustidnr-mod11-10",
                    format!("DE{number}"),
                    0.85,
                    out,
                );
            }
        }
        for caps in VAT_NL.captures_iter(text) {
            let m = caps.get(0).expect("group 0 always matches");
            let number = compact_digits(&caps[1]);
            let suffix = &caps[3];
            if suffix == "00" {
                continue;
            }
            let canonical = format!("NL{number}B{suffix}");
            let validator = if iso7064_mod97_10(&canonical) {
                "nl-btw-mod97"
            } else if nl_bsn_11proef(&number) {
                "nl-btw-11proef"
            } else {
                continue;
            };
            self.push(
                text,
                Span::new(m.start(), m.end()),
                validator,
                canonical,
                0.9,
                out,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalise;

    use crate::test_support::hits;

    #[test]
    fn cards_of_each_scheme_in_the_groupings_people_write() {
        for (text, card) in [
            ("Visa 4111 1111 1111 1111 tak", "4111 1111 1111 1111"),
            ("kaart 4111-1111-1111-1111.", "4111-1111-1111-1111"),
            ("Karte: 4111111111111111", "4111111111111111"),
            ("Visa 13: 4222222222222", "4222222222222"),
            ("MC 5555 5555 5555 4444", "5555 5555 5555 4444"),
            ("MC 2-series 2223 0031 2200 3222", "2223 0031 2200 3222"),
            ("Amex 3782 822463 10005", "3782 822463 10005"),
            ("Amex 371449635398431", "371449635398431"),
            ("Discover 6011 1111 1111 1117", "6011 1111 1111 1117"),
            ("Diners 3056 930902 5904", "3056 930902 5904"),
            ("JCB 3530 1113 3330 0000", "3530 1113 3330 0000"),
            ("Dankort 5019 7170 1010 3742", "5019 7170 1010 3742"),
            ("mixed 4111 1111-1111 1111", "4111 1111-1111 1111"),
        ] {
            let found = hits(&CreditCardRecognizer, text);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!(found[0].0, card, "{text}");
            assert_eq!(found[0].2, Some("luhn"));
            assert_eq!(found[0].1, card.replace([' ', '-'], ""));
        }
    }

    #[test]
    fn legacy_jcb_and_diners_ranges_and_any_luhn_number_next_to_a_card_word() {
        for (text, card) in [
            ("JCB 180012345678905", "180012345678905"),
            ("JCB 2131 1234 5678 904", "2131 1234 5678 904"),
            ("Diners 38123456789011", "38123456789011"),
            // Unknown to the prefix table, but a card word stands next to it.
            ("lost my card 3598123456789017.", "3598123456789017"),
            ("Maestro card number 6304 0000 0000", "6304 0000 0000"),
            ("billed amount for cc 123456789015 please", "123456789015"),
        ] {
            let found = hits(&CreditCardRecognizer, text);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!(found[0].0, card, "{text}");
        }
        // Without a card word, they are numbers.
        for text in [
            "order 3598123456789017",
            "ref 630400000000",
            "invoice 123456789015",
            // A card word, but Luhn fails.
            "card 3598123456789018",
        ] {
            assert!(hits(&CreditCardRecognizer, text).is_empty(), "{text}");
        }
    }

    #[test]
    fn cards_failing_luhn_prefix_or_length_are_not_cards() {
        for text in [
            "4111 1111 1111 1112",      // Luhn fails
            "1234 5678 9012 3452",      // Luhn passes, no issuer starts with 1
            "5555 5555 5555 44",        // Mastercard is 16 digits
            "3782 822463 100052",       // Amex is 15 digits
            "x4111111111111111",        // glued to a word
            "4111111111111111@bank.dk", // part of an e-mail address
        ] {
            assert!(hits(&CreditCardRecognizer, text).is_empty(), "{text}");
        }
        assert!(
            luhn("1234567890123452"),
            "the prefix test above must fail on the prefix alone"
        );
    }

    #[test]
    fn card_context_words_raise_the_score() {
        let bare = hits(&CreditCardRecognizer, "4111 1111 1111 1111");
        let told = hits(
            &CreditCardRecognizer,
            "Mein Kreditkarte: 4111 1111 1111 1111",
        );
        assert!(told[0].3 > bare[0].3);
    }

    #[test]
    fn card_digits_hidden_by_zero_width_or_full_width_characters_are_found() {
        let n = normalise("kort ４１１１ １１１１ 1111\u{200B}1111 tak");
        let found = hits(&CreditCardRecognizer, &n.text);
        assert_eq!(found[0].1, "4111111111111111");
    }

    #[test]
    fn vat_numbers_of_each_country() {
        for (text, number, canonical, validator) in [
            (
                "CVR/moms: DK13585628",
                "DK13585628",
                "DK13585628",
                "dk-cvr-mod11",
            ),
            (
                "SE-nr. DK 13 58 56 28.",
                "DK 13 58 56 28",
                "DK13585628",
                "dk-cvr-mod11",
            ),
            (
                "USt-IdNr. DE136695976",
                "DE136695976",
                "DE136695976",
                "de-ustidnr-mod11-10",
            ),
            (
                "ust de 136 695 976",
                "de 136 695 976",
                "DE136695976",
                "de-ustidnr-mod11-10",
            ),
            (
                "btw NL004495445B01",
                "NL004495445B01",
                "NL004495445B01",
                "nl-btw-11proef",
            ),
            (
                "BTW-id: NL0044.95.445.B01",
                "NL0044.95.445.B01",
                "NL004495445B01",
                "nl-btw-11proef",
            ),
            (
                "btw-id NL000099998B57",
                "NL000099998B57",
                "NL000099998B57",
                "nl-btw-mod97",
            ),
        ] {
            let found = hits(&VatRecognizer, text);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!(found[0].0, number, "{text}");
            assert_eq!(found[0].1, canonical, "{text}");
            assert_eq!(found[0].2, Some(validator), "{text}");
        }
    }

    #[test]
    fn vat_numbers_failing_their_check_are_not_vat_numbers() {
        for text in [
            "DK13585627",     // mod 11 fails
            "DK03585628",     // leading zero
            "DE136695978",    // MOD 11,10 fails
            "DE036695976",    // leading zero
            "NL004495445B00", // suffix 00
            "NL004495446B01", // neither check holds
            "NL000099998B58", // neither check holds
            "DK135856281",    // one digit too many
            "XDK13585628",    // glued
        ] {
            assert!(
                hits(&VatRecognizer, text).is_empty(),
                "{text}: {:?}",
                hits(&VatRecognizer, text)
            );
        }
    }
}
