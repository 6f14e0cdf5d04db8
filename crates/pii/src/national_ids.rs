//! National identifiers: the Danish CPR number, the Dutch BSN, and the German Steuer-ID,
//! Rentenversicherungsnummer, Krankenversichertennummer and identity document serial.
//!
//! Each recogniser reads candidates in the forms people write (spaced, dotted, dashed), checks
//! them with the published rule for the identifier, and scores them higher when a context
//! word (in Danish, Dutch, German or English) is near. The context words are the tables
//! below.

use std::sync::LazyLock;

use candor_core::{EntityKind, Span};
use regex::Regex;

use crate::checksum::{
    de_kvnr_check, de_svnr_check, de_tax_id_digit_rule, dk_cpr_mod11, icao9303_check_digit,
    iso7064_mod11_10, nl_bsn_11proef,
};
use crate::scan::{has_context, numbers, scored, stands_alone};
use crate::{Detection, Recognizer};

/// Words that, near a CPR number, make it more likely to be one (da, nl, de, en).
pub const CPR_CONTEXT: &[&str] = &[
    // da
    "cpr",
    "cprnr",
    "cprnummer",
    "personnummer",
    "personnummeret",
    "personnr",
    "sygesikring",
    "sygesikringskort",
    "sundhedskort",
    // nl
    "persoonsnummer",
    "deens burgerservicenummer",
    // de
    "personennummer",
    "dänische personennummer",
    // en
    "civil registration number",
    "personal id number",
    "personal identification number",
    "social security number",
];

/// Words that, near a BSN, make it more likely to be one (da, nl, de, en).
pub const BSN_CONTEXT: &[&str] = &[
    // nl (also how Danes, Germans and English speakers name it)
    "bsn",
    "bsnnummer",
    "burgerservicenummer",
    "burgerservice nummer",
    "sofinummer",
    "sofi nummer",
    "sofi",
    // de
    "bürgerservicenummer",
    // en
    "citizen service number",
    "dutch social security number",
    // da
    "hollandsk personnummer",
];

/// Words that, near a Steuer-ID, make it more likely to be one (da, nl, de, en).
pub const DE_TAX_ID_CONTEXT: &[&str] = &[
    // de
    "steuer id",
    "steuerid",
    "steuer idnr",
    "steueridnr",
    "idnr",
    "identifikationsnummer",
    "steueridentifikationsnummer",
    "steuer identifikationsnummer",
    "steuerliche identifikationsnummer",
    "steuernummer",
    // en
    "tax id",
    "tax identification number",
    "tin",
    // nl
    "fiscaal nummer",
    "fiscaal identificatienummer",
    "belastingnummer",
    // da
    "skatte id",
    "skattenummer",
    "skatteidentifikationsnummer",
];

/// Words that, near a Rentenversicherungsnummer, make it more likely to be one.
pub const DE_SVNR_CONTEXT: &[&str] = &[
    // de
    "sozialversicherungsnummer",
    "rentenversicherungsnummer",
    "versicherungsnummer",
    "sv nummer",
    "svnr",
    "sv nr",
    "rv nummer",
    "rvnr",
    "rentennummer",
    // en
    "social security number",
    "social insurance number",
    "pension insurance number",
    // nl
    "sociaal verzekeringsnummer",
    "sociale verzekeringsnummer",
    // da
    "socialsikringsnummer",
    "pensionsnummer",
];

/// Words that, near a Krankenversichertennummer, make it more likely to be one.
pub const DE_KVNR_CONTEXT: &[&str] = &[
    // de
    "krankenversichertennummer",
    "krankenversicherungsnummer",
    "versichertennummer",
    "versicherten nr",
    "versichertennr",
    "versicherten id",
    "kvnr",
    "kv nr",
    "krankenkasse",
    "gesundheitskarte",
    "egk",
    // en
    "health insurance number",
    "health insurance",
    "insurance number",
    // nl
    "zorgverzekering",
    "verzekerdennummer",
    "verzekeringsnummer",
    // da
    "sygeforsikring",
    "forsikringsnummer",
];

/// Words that, near a German identity card or passport serial, make it more likely to be one.
pub const DE_ID_DOCUMENT_CONTEXT: &[&str] = &[
    // de
    "personalausweis",
    "personalausweisnummer",
    "ausweis",
    "ausweisnummer",
    "reisepass",
    "reisepassnummer",
    "pass",
    "passnummer",
    "dokumentennummer",
    // en
    "passport",
    "passport number",
    "id card",
    "identity card",
    "document number",
    // nl
    "paspoort",
    "paspoortnummer",
    "identiteitskaart",
    "id kaart",
    "documentnummer",
    // da
    "pas",
    "pasnummer",
    "id kort",
    "identitetskort",
    "legitimation",
];

/// Whether `year`-`month`-`day` is a day of the Gregorian calendar.
fn is_calendar_day(year: u32, month: u32, day: u32) -> bool {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// Two ASCII digits as a number.
fn two(digits: &[u8]) -> u32 {
    u32::from(digits[0] - b'0') * 10 + u32::from(digits[1] - b'0')
}

/// The birth year a CPR number encodes, from its two-digit year and the first digit of its
/// serial (CPR-kontoret's century table):
///
/// | 7th digit | `YY` 00–36 | `YY` 37–57 | `YY` 58–99 |
/// |-----------|------------|------------|------------|
/// | 0–3       | 19YY       | 19YY       | 19YY       |
/// | 4, 9      | 20YY       | 19YY       | 19YY       |
/// | 5–8       | 20YY       | 20YY       | 18YY       |
fn cpr_birth_year(digits: &[u8]) -> u32 {
    let yy = two(&digits[4..6]);
    let century = match digits[6] - b'0' {
        0..=3 => 1900,
        4 | 9 if yy <= 36 => 2000,
        4 | 9 => 1900,
        _ if yy <= 57 => 2000,
        _ => 1800,
    };
    century + yy
}

/// Whether ten digits are a CPR number: the birth date `DDMMYY` is a calendar day in the
/// century the seventh digit gives.
pub(crate) fn cpr_date_valid(digits: &str) -> bool {
    let b = digits.as_bytes();
    b.len() == 10
        && b.iter().all(u8::is_ascii_digit)
        && is_calendar_day(cpr_birth_year(b), two(&b[2..4]), two(&b[0..2]))
}

/// Danish CPR numbers: `DDMMYY-SSSS` or `DDMMYYSSSS` (a space for the dash too), with a birth
/// date that exists in the century that the first serial digit gives.
///
/// The modulus-11 check is not required: CPR numbers issued since 2007 need not pass it. A
/// number that passes it scores a little higher, the dashed form (which is how CPR numbers
/// are written, and above a national phone number's score) higher than ten bare digits, and
/// a context word such as "CPR-nr." raises the score most.
pub struct CprRecognizer;

impl Recognizer for CprRecognizer {
    fn name(&self) -> &'static str {
        "dk-cpr-pattern"
    }
    fn kinds(&self) -> &'static [EntityKind] {
        &[EntityKind::DkCpr]
    }
    fn recognise(&self, text: &str, out: &mut Vec<Detection>) {
        numbers(text, 10, 10, |w| {
            let dashed = w.groups == [6, 4];
            if !(dashed || w.groups == [10]) || !cpr_date_valid(w.digits) {
                return;
            }
            let mod11 = dk_cpr_mod11(w.digits);
            let score = match (has_context(text, w.span, CPR_CONTEXT), dashed, mod11) {
                (true, _, true) => 0.95,
                (true, _, false) => 0.9,
                (false, true, true) => 0.8,
                (false, true, false) => 0.72,
                (false, false, true) => 0.55,
                (false, false, false) => 0.45,
            };
            out.push(Detection {
                kind: EntityKind::DkCpr,
                span: w.span,
                score,
                recogniser: self.name(),
                validator: Some(if mod11 {
                    "dk-cpr-date-mod11"
                } else {
                    "dk-cpr-date"
                }),
                canonical: w.digits.to_owned(),
            });
        });
    }
}

/// Dutch BSNs: nine digits passing the 11-proef, written `123456782`, `1234.56.782`,
/// `123 456 782` or `123-456-782` (any grouping, mixed separators too).
///
/// Eight digits are a BSN with its leading zero left out, as python-stdnum and the
/// Belastingdienst's older sofinummers allow, but only next to a context word such as "BSN":
/// eight bare digits are far more often a Danish phone number.
pub struct NlBsnRecognizer;

impl Recognizer for NlBsnRecognizer {
    fn name(&self) -> &'static str {
        "nl-bsn-pattern"
    }
    fn kinds(&self) -> &'static [EntityKind] {
        &[EntityKind::NlBsn]
    }
    fn recognise(&self, text: &str, out: &mut Vec<Detection>) {
        numbers(text, 8, 9, |w| {
            let short = w.digits.len() == 8;
            let canonical = if short {
                format!("0{}", w.digits)
            } else {
                w.digits.to_owned()
            };
            // The check first: it is cheaper than looking for context words.
            if !nl_bsn_11proef(&canonical) {
                return;
            }
            let score = match (short, has_context(text, w.span, BSN_CONTEXT)) {
                (false, true) => 0.95,
                (false, false) => 0.75,
                (true, true) => 0.85,
                (true, false) => return,
            };
            out.push(Detection {
                kind: EntityKind::NlBsn,
                span: w.span,
                score,
                recogniser: self.name(),
                validator: Some("nl-bsn-11proef"),
                canonical,
            });
        });
    }
}

/// German tax identification numbers (Steuer-IdNr): eleven digits, the first not 0, written
/// `12345678901`, `12 345 678 901` or `123 456 789 01`; the first ten digits follow the
/// repetition rule and the last is the ISO 7064 MOD 11,10 check digit.
pub struct DeTaxIdRecognizer;

impl Recognizer for DeTaxIdRecognizer {
    fn name(&self) -> &'static str {
        "de-tax-id-pattern"
    }
    fn kinds(&self) -> &'static [EntityKind] {
        &[EntityKind::DeTaxId]
    }
    fn recognise(&self, text: &str, out: &mut Vec<Detection>) {
        numbers(text, 11, 11, |w| {
            if w.digits.starts_with('0')
                || !de_tax_id_digit_rule(w.digits)
                || !iso7064_mod11_10(w.digits)
            {
                return;
            }
            out.push(Detection {
                kind: EntityKind::DeTaxId,
                span: w.span,
                score: scored(text, w.span, DE_TAX_ID_CONTEXT, 0.8, 0.95),
                recogniser: self.name(),
                validator: Some("de-idnr-mod11-10"),
                canonical: w.digits.to_owned(),
            });
        });
    }
}

static SVNR_CANDIDATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?-u:\b)([0-9]{2})[ \-]?([0-9]{6})[ \-]?([A-Za-z])[ \-]?([0-9]{2})[ \-]?([0-9])(?-u:\b)",
    )
    .expect("valid SVNR pattern")
});

/// German pension insurance numbers (Rentenversicherungsnummer, the number on the
/// Sozialversicherungsausweis): a two-digit area number, the birth date `DDMMYY`, the initial
/// of the birth surname, a two-digit serial and a check digit, written `65170839J003` or
/// spaced `65 170839 J 00 3`.
///
/// The check digit is verified (weights 2, 1, 2, 5, 7, 1, 2, 1, 2, 1, 2, 1 over the digits
/// with the letter as its two-digit alphabet position, cross sums, modulo 10); the day must
/// be 01–31 and the month 01–12, and the area number not 00.
pub struct DeSvnrRecognizer;

impl Recognizer for DeSvnrRecognizer {
    fn name(&self) -> &'static str {
        "de-svnr-pattern"
    }
    fn kinds(&self) -> &'static [EntityKind] {
        &[EntityKind::DeSvnr]
    }
    fn recognise(&self, text: &str, out: &mut Vec<Detection>) {
        for caps in SVNR_CANDIDATE.captures_iter(text) {
            let m = caps.get(0).expect("group 0 always matches");
            let span = Span::new(m.start(), m.end());
            let date = caps[2].as_bytes();
            let (day, month) = (two(&date[0..2]), two(&date[2..4]));
            let compact = format!(
                "{}{}{}{}{}",
                &caps[1],
                &caps[2],
                caps[3].to_ascii_uppercase(),
                &caps[4],
                &caps[5]
            );
            if &caps[1] == "00"
                || !(1..=31).contains(&day)
                || !(1..=12).contains(&month)
                || !stands_alone(text, span)
                || !de_svnr_check(&compact)
            {
                continue;
            }
            out.push(Detection {
                kind: EntityKind::DeSvnr,
                span,
                score: scored(text, span, DE_SVNR_CONTEXT, 0.85, 0.95),
                recogniser: self.name(),
                validator: Some("de-rvnr-check"),
                canonical: compact,
            });
        }
    }
}

static KVNR_CANDIDATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)([A-Za-z]) ?([0-9](?: ?[0-9]){8})(?-u:\b)").expect("valid KVNR pattern")
});

/// German health insurance numbers (Krankenversichertennummer, the lifelong ten-character
/// part on the eGK): a letter and nine digits, `A123456780`, optionally spaced; the last digit
/// is the check digit of § 290 SGB V (the letter as 01–26, weights 1, 2, 1, 2, …, cross sums,
/// modulo 10).
pub struct DeKvnrRecognizer;

impl Recognizer for DeKvnrRecognizer {
    fn name(&self) -> &'static str {
        "de-kvnr-pattern"
    }
    fn kinds(&self) -> &'static [EntityKind] {
        &[EntityKind::DeKvnr]
    }
    fn recognise(&self, text: &str, out: &mut Vec<Detection>) {
        for caps in KVNR_CANDIDATE.captures_iter(text) {
            let m = caps.get(0).expect("group 0 always matches");
            let span = Span::new(m.start(), m.end());
            let compact = format!(
                "{}{}",
                caps[1].to_ascii_uppercase(),
                caps[2].replace(' ', "")
            );
            if !stands_alone(text, span) || !de_kvnr_check(&compact) {
                continue;
            }
            out.push(Detection {
                kind: EntityKind::DeKvnr,
                span,
                score: scored(text, span, DE_KVNR_CONTEXT, 0.6, 0.95),
                recogniser: self.name(),
                validator: Some("de-kvnr-check"),
                canonical: compact,
            });
        }
    }
}

static ID_DOCUMENT_CANDIDATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)([CFGHJKLMNPRTVWXYZ][0-9CFGHJKLMNPRTVWXYZ]{8})([0-9])?(?-u:\b)")
        .expect("valid ID document pattern")
});

/// Serial numbers of German identity cards (Personalausweis, since 2010) and passports
/// (Reisepass, since 2007): nine characters from `0-9` and the consonants
/// `C F G H J K L M N P R T V W X Y Z`, starting with a letter.
///
/// Written with the check digit that follows it in the machine-readable zone (`L01X00T471`),
/// the serial is validated with the ICAO 9303 7-3-1 check digit. The nine characters alone
/// have no check digit, so they are reported, unvalidated and lower, only next to a context
/// word such as "Ausweisnummer" or "passport".
pub struct DeIdDocumentRecognizer;

impl Recognizer for DeIdDocumentRecognizer {
    fn name(&self) -> &'static str {
        "de-id-document-pattern"
    }
    fn kinds(&self) -> &'static [EntityKind] {
        &[EntityKind::DeIdDocument]
    }
    fn recognise(&self, text: &str, out: &mut Vec<Detection>) {
        for caps in ID_DOCUMENT_CANDIDATE.captures_iter(text) {
            let m = caps.get(0).expect("group 0 always matches");
            let span = Span::new(m.start(), m.end());
            let serial = &caps[1];
            if !serial.bytes().any(|b| b.is_ascii_digit()) || !stands_alone(text, span) {
                continue;
            }
            let context = has_context(text, span, DE_ID_DOCUMENT_CONTEXT);
            let (validator, score) = match caps.get(2) {
                Some(check) => {
                    let expected = icao9303_check_digit(serial);
                    if expected != check.as_str().parse().ok() {
                        continue;
                    }
                    // A letter and nine digits is also the shape of a KVNR, which says less
                    // about being a document number.
                    let kvnr_shaped = serial[1..].bytes().all(|b| b.is_ascii_digit());
                    let score = match (context, kvnr_shaped) {
                        (true, _) => 0.95,
                        (false, false) => 0.8,
                        (false, true) => 0.45,
                    };
                    (Some("icao9303-7-3-1"), score)
                }
                None if context => (None, 0.6),
                None => continue,
            };
            out.push(Detection {
                kind: EntityKind::DeIdDocument,
                span,
                score,
                recogniser: self.name(),
                validator,
                canonical: serial.to_owned(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalise;

    use crate::test_support::hits;

    #[test]
    fn cpr_century_table() {
        for (digits, year) in [
            ("0101003000", 1900),
            ("0101994000", 1999),
            ("0101364000", 2036),
            ("0101374000", 1937),
            ("0101575000", 2057),
            ("0101585000", 1858),
            ("0101999000", 1999),
            ("0101009000", 2000),
        ] {
            assert_eq!(cpr_birth_year(digits.as_bytes()), year, "{digits}");
        }
    }

    #[test]
    fn cpr_numbers_in_danish_formats() {
        for (text, number, canonical) in [
            ("CPR-nr.: 070761-4285", "070761-4285", "0707614285"),
            (
                "mit personnummer er 0707614285.",
                "0707614285",
                "0707614285",
            ),
            ("cpr 211062 5629", "211062 5629", "2110625629"),
            ("født 290200-4001", "290200-4001", "2902004001"),
        ] {
            let found = hits(&CprRecognizer, text);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!(found[0].0, number);
            assert_eq!(found[0].1, canonical);
        }
    }

    #[test]
    fn cpr_numbers_with_impossible_dates_or_shapes_are_not_cpr_numbers() {
        for text in [
            "320161-4285", // day 32
            "310461-4285", // 31 April
            "290201-4285", // 29 February 2001
            "290200-0001", // 29 February 1900: the 7th digit 0 means the 1900s
            "071361-4285", // month 13
            "0707-614285", // a dash in the wrong place
            "07076142851", // eleven digits
        ] {
            assert!(
                hits(&CprRecognizer, text).is_empty(),
                "{text}: {:?}",
                hits(&CprRecognizer, text)
            );
        }
    }

    #[test]
    fn cpr_scores_rise_with_context_dash_and_modulus_11() {
        let score = |text: &str| hits(&CprRecognizer, text)[0].3;
        let with_context = score("CPR 070761-4285");
        let dashed = score("x: 070761-4285");
        let compact = score("x: 0707614285");
        let post_2007 = score("x: 070761-4286");
        assert!(with_context > dashed, "{with_context} > {dashed}");
        assert!(dashed > compact, "{dashed} > {compact}");
        assert!(dashed > post_2007, "mod-11 passes: {dashed} > {post_2007}");
        assert_eq!(
            hits(&CprRecognizer, "070761-4286")[0].2,
            Some("dk-cpr-date")
        );
        assert_eq!(
            hits(&CprRecognizer, "070761-4285")[0].2,
            Some("dk-cpr-date-mod11")
        );
    }

    #[test]
    fn bsn_in_dutch_formats() {
        for (text, number) in [
            ("Mijn BSN is 111222333.", "111222333"),
            ("bsn: 1112.22.333", "1112.22.333"),
            ("burgerservicenummer 123 456 782", "123 456 782"),
            ("sofinummer 123-456-782", "123-456-782"),
            ("gemengd 123.456-782", "123.456-782"),
            ("ohne Kontext 123456782", "123456782"),
        ] {
            let found = hits(&NlBsnRecognizer, text);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!(found[0].0, number);
            assert_eq!(found[0].2, Some("nl-bsn-11proef"));
        }
        let short = hits(&NlBsnRecognizer, "BSN 12345672");
        assert_eq!(
            short[0].1, "012345672",
            "eight digits with context get their leading zero"
        );
    }

    #[test]
    fn bsns_failing_the_11_proef_are_not_bsns() {
        for text in [
            "BSN 111222334",
            "BSN 1112.52.333",
            "BSN 000000000",
            "12345672",       // eight digits without context
            "BSN 1112223334", // ten digits
        ] {
            assert!(
                hits(&NlBsnRecognizer, text).is_empty(),
                "{text}: {:?}",
                hits(&NlBsnRecognizer, text)
            );
        }
        assert!(
            hits(&NlBsnRecognizer, "BSN 111222333")[0].3 > hits(&NlBsnRecognizer, "111222333")[0].3
        );
    }

    #[test]
    fn steuer_ids_in_german_formats() {
        for (text, number) in [
            ("Steuer-ID: 86095742719", "86095742719"),
            ("IdNr 86 095 742 719", "86 095 742 719"),
            (
                "Steuerliche Identifikationsnummer 860 957 427 19",
                "860 957 427 19",
            ),
            ("tax id 36574261809", "36574261809"),
        ] {
            let found = hits(&DeTaxIdRecognizer, text);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!(found[0].0, number);
            assert_eq!(found[0].2, Some("de-idnr-mod11-10"));
        }
        for text in [
            "Steuer-ID 86095742718", // check digit
            "Steuer-ID 36554266806", // two digits repeated
            "Steuer-ID 02476291358", // test numbers start with 0
            "Steuer-ID 12345678903", // no digit repeated
        ] {
            assert!(hits(&DeTaxIdRecognizer, text).is_empty(), "{text}");
        }
        assert!(
            iso7064_mod11_10("12345678903"),
            "the last case above must fail on the digit rule alone"
        );
    }

    #[test]
    fn svnrs_in_german_formats() {
        for (text, number, canonical) in [
            ("SV-Nummer 65170839J003", "65170839J003", "65170839J003"),
            (
                "Rentenversicherungsnummer: 65 170839 J 00 3",
                "65 170839 J 00 3",
                "65170839J003",
            ),
            ("RVNR 12 150385 m 003.", "12 150385 m 003", "12150385M003"),
            ("mixed 65-170839 J003", "65-170839 J003", "65170839J003"),
        ] {
            let found = hits(&DeSvnrRecognizer, text);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!(found[0].0, number);
            assert_eq!(found[0].1, canonical);
        }
        for text in [
            "65170839J004",  // check digit
            "65320839J003",  // day 32
            "65171339J003",  // month 13
            "00170839J003",  // area 00
            "65170839J0031", // one digit too many
        ] {
            assert!(hits(&DeSvnrRecognizer, text).is_empty(), "{text}");
        }
    }

    #[test]
    fn kvnrs() {
        for (text, number, canonical) in [
            ("KVNR A123456780", "A123456780", "A123456780"),
            (
                "Versichertennummer: T 012 345 678",
                "T 012 345 678",
                "T012345678",
            ),
            ("eGK k220645122.", "k220645122", "K220645122"),
        ] {
            let found = hits(&DeKvnrRecognizer, text);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!(found[0].0, number);
            assert_eq!(found[0].1, canonical);
            assert_eq!(found[0].3, 0.95);
        }
        for text in [
            "K220645129",
            "T012345679",
            "AB123456780",
            "A1234567801",
            "A12345678",
        ] {
            assert!(hits(&DeKvnrRecognizer, text).is_empty(), "{text}");
        }
        assert_eq!(hits(&DeKvnrRecognizer, "A123456780")[0].3, 0.6);
    }

    #[test]
    fn id_document_serials() {
        let found = hits(&DeIdDocumentRecognizer, "Ausweis L01X00T471 gültig");
        assert_eq!(found[0].0, "L01X00T471");
        assert_eq!(found[0].1, "L01X00T47");
        assert_eq!(found[0].2, Some("icao9303-7-3-1"));
        let bare = hits(&DeIdDocumentRecognizer, "C01X00T478");
        assert_eq!((bare[0].2, bare[0].3), (Some("icao9303-7-3-1"), 0.8));
        let serial_only = hits(
            &DeIdDocumentRecognizer,
            "Meine Ausweisnummer ist T22000129.",
        );
        assert_eq!((serial_only[0].2, serial_only[0].3), (None, 0.6));
        for text in [
            "L01X00T472",         // check digit
            "T22000129",          // no check digit and no context
            "Ausweis A01X00T471", // A is not in the alphabet
            "Pass LZXCVBNMF",     // no digit
        ] {
            assert!(hits(&DeIdDocumentRecognizer, text).is_empty(), "{text}");
        }
    }

    #[test]
    fn ids_hidden_by_zero_width_or_full_width_characters_are_found() {
        for (original, recogniser, canonical) in [
            (
                "CPR ０７０７６１－４２８５",
                &CprRecognizer as &dyn Recognizer,
                "0707614285",
            ),
            ("CPR 0707\u{200B}61-4285", &CprRecognizer, "0707614285"),
            ("BSN １１１２.２２.３３３", &NlBsnRecognizer, "111222333"),
            (
                "BSN 111\u{2060}222\u{FEFF}333",
                &NlBsnRecognizer,
                "111222333",
            ),
            (
                "IdNr ８６ ０９５ ７４２ ７１９",
                &DeTaxIdRecognizer,
                "86095742719",
            ),
            (
                "SVNR ６５ 170839 Ｊ 00 3",
                &DeSvnrRecognizer,
                "65170839J003",
            ),
            ("KVNR Ａ1234\u{200C}56780", &DeKvnrRecognizer, "A123456780"),
        ] {
            let n = normalise(original);
            let found = hits(recogniser, &n.text);
            assert_eq!(found.len(), 1, "{original:?} -> {:?}: {found:?}", n.text);
            assert_eq!(found[0].1, canonical);
        }
    }
}
