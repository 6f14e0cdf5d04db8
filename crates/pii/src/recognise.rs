//! Recognisers: each finds one or more kinds of personal data in normalised text.
//!
//! A new recogniser implements [`Recognizer`] and is added to [`Registry::new`]. Detection is
//! kept apart from transformation (Presidio's split): recognisers only report [`Detection`]s,
//! and [`crate::pseudonymise`] rewrites the text.
//!
//! This module holds the trait, the registry with its overlap rule, and the first recognisers
//! (e-mail, phone, IBAN); the others live in a module per family: `finance` (payment cards,
//! VAT numbers), `network` (IP addresses, URLs) and `national_ids` (CPR, BSN, German IDs).

use std::collections::{BTreeMap, HashSet};
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use candor_core::{EntityKind, Span};
use phonenumber::country::Id as Country;
use regex::Regex;

use crate::address::StreetAddressRecognizer;
use crate::address::is_house_number_run;
use crate::dates::DateOfBirthRecognizer;
use crate::email_spoken::SpokenEmailRecognizer;
use crate::finance::{CreditCardRecognizer, VatRecognizer};
use crate::gb_us_ids::{GbNhsRecognizer, GbNinoRecognizer, UsSsnRecognizer};
use crate::national_ids::{
    CprRecognizer, DeIdDocumentRecognizer, DeKvnrRecognizer, DeSvnrRecognizer, DeTaxIdRecognizer,
    NlBsnRecognizer,
};
use crate::ner::PersonModelRecognizer;
use crate::network::{IpRecognizer, UrlRecognizer};
use crate::person::PersonRecognizer;
use crate::scan::{has_context, stands_alone};

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
                Box::new(SpokenEmailRecognizer),
                Box::new(PhoneRecognizer { config: phone }),
                Box::new(IbanRecognizer),
                Box::new(CreditCardRecognizer),
                Box::new(IpRecognizer),
                Box::new(UrlRecognizer),
                Box::new(CprRecognizer),
                Box::new(NlBsnRecognizer),
                Box::new(DeTaxIdRecognizer),
                Box::new(DeSvnrRecognizer),
                Box::new(DeKvnrRecognizer),
                Box::new(DeIdDocumentRecognizer),
                Box::new(VatRecognizer),
                Box::new(GbNinoRecognizer),
                Box::new(GbNhsRecognizer),
                Box::new(UsSsnRecognizer),
                Box::new(StreetAddressRecognizer),
                Box::new(DateOfBirthRecognizer),
                Box::new(PersonRecognizer),
                Box::new(PersonModelRecognizer),
            ],
        }
    }

    /// This registry with `recognizer` added: its detections go through the same overlap rule
    /// as the built-in ones.
    pub fn with(mut self, recognizer: Box<dyn Recognizer>) -> Registry {
        self.recognisers.push(recognizer);
        self
    }

    /// The names of the recognisers in force, for the pipeline version string.
    pub fn names(&self) -> Vec<&'static str> {
        self.recognisers.iter().map(|r| r.name()).collect()
    }

    /// Every detection in `text`, without overlaps, ordered by position.
    ///
    /// Overlapping detections are resolved greedily, best first (an unvalidated address that
    /// a better detection overlaps only at one edge keeps the rest of its span, since every
    /// part of an address is personal: an address whose first word a name took is still
    /// masked from its second; two readings of a name are alternatives, and the loser is
    /// dropped whole), where "best" is decided by, in order:
    ///
    /// 1. **Validated beats unvalidated**: a detection confirmed by a check
    ///    ([`Detection::validator`] is `Some`) wins over one that only matched a pattern,
    ///    whatever their scores: a CPR number inside a URL is masked as a CPR number.
    /// 2. **Higher score**: among validated (or among unvalidated) detections, the surer one
    ///    wins: a CPR number next to the word "CPR" beats a phone number read from the same
    ///    digits.
    /// 3. **Longer span**: at equal scores, the detection covering more text wins.
    ///
    /// Remaining ties go to the earlier start, then to the kind's declaration order, then to
    /// the recogniser's name, so the result never depends on the order of the recognisers.
    ///
    /// Finally, every other place where the canonical value of a kept detection appears
    /// literally (ignoring ASCII case) and overlaps nothing kept is reported too, with the
    /// recogniser name [`REPEATED_VALUE`]: a value the customer wrote once in a form that is
    /// recognised and once glued to other text (`x0707614285`) is masked both times. Values
    /// longer than 256 bytes (only URLs get that long) are not searched for again.
    pub fn detect(&self, text: &str) -> Vec<Detection> {
        self.detect_with(text, &[])
    }

    /// [`Registry::detect`] with `extra` recognisers taking part as if they were registered,
    /// e.g. a [`crate::ProfileRecognizer`] for the customer who sent this one message, so that
    /// a shared registry need not be rebuilt per message.
    pub fn detect_with(&self, text: &str, extra: &[&dyn Recognizer]) -> Vec<Detection> {
        let mut all = Vec::new();
        for r in &self.recognisers {
            r.recognise(text, &mut all);
        }
        for r in extra {
            r.recognise(text, &mut all);
        }
        all.retain(|d| {
            d.kind != EntityKind::Person || !crate::person::names_an_organisation(text, d.span)
        });
        all.sort_by(|a, b| {
            b.validator
                .is_some()
                .cmp(&a.validator.is_some())
                .then(b.score.total_cmp(&a.score))
                .then(b.span.len().cmp(&a.span.len()))
                .then(a.span.start.cmp(&b.span.start))
                .then(a.kind.cmp(&b.kind))
                .then(a.recogniser.cmp(b.recogniser))
        });
        let mut taken = Occupied::default();
        let mut kept: Vec<Detection> = Vec::with_capacity(all.len());
        for d in all {
            if taken.insert(d.span) {
                kept.push(d);
            } else if d.kind == EntityKind::StreetAddress
                && d.validator.is_none()
                && let Some(rest) = taken.remainder(text, d.span)
                && taken.insert(rest)
            {
                kept.push(trimmed(text, d, rest));
            }
        }
        mask_repeats(text, &mut kept, &mut taken);
        kept.sort_by_key(|d| d.span.start);
        kept
    }
}

/// The recogniser name of a detection that repeats the canonical value of another detection
/// in the same text (see [`Registry::detect`]).
pub const REPEATED_VALUE: &str = "repeated-value";

/// The longest canonical value searched for again by the repeat pass of [`Registry::detect`]:
/// every identifier is far shorter, and a bound keeps the search automaton small when a
/// text holds a URL of a megabyte.
const MAX_REPEATED_VALUE_BYTES: usize = 256;

/// Up to this many distinct values, the repeat pass searches for each in turn; beyond it, one
/// automaton finds them all in one pass, so a long text with many values stays linear.
const FEW_VALUES: usize = 8;

/// Non-overlapping spans, for overlap checks in `O(log n)`.
#[derive(Default)]
struct Occupied(BTreeMap<usize, usize>);

impl Occupied {
    /// The part of `span` left when exactly one taken span overlaps it at one edge, without
    /// the spaces and punctuation at its ends; `None` when nothing with a letter or digit is
    /// left, or when the overlap is in the middle.
    fn remainder(&self, text: &str, span: Span) -> Option<Span> {
        let mut overlapping = self
            .0
            .range(..span.end)
            .rev()
            .take_while(|(_, end)| **end > span.start);
        let (&start, &end) = overlapping.next()?;
        if overlapping.next().is_some() {
            return None;
        }
        let rest = if start <= span.start && end < span.end {
            Span::new(end, span.end)
        } else if start > span.start && end >= span.end {
            Span::new(span.start, start)
        } else {
            return None;
        };
        let piece = &text[rest.start..rest.end];
        let inner = piece.trim_matches(|c: char| !c.is_alphanumeric());
        if inner.chars().filter(|c| c.is_alphanumeric()).count() < 2 {
            return None;
        }
        let start = rest.start
            + (piece.len()
                - piece
                    .trim_start_matches(|c: char| !c.is_alphanumeric())
                    .len());
        Some(Span::new(start, start + inner.len()))
    }

    /// Takes `span` if it overlaps nothing taken; whether it did.
    fn insert(&mut self, span: Span) -> bool {
        // The taken spans do not overlap, so ordered by start they are ordered by end too:
        // only the last one starting before `span` ends can reach into it.
        let blocked = self
            .0
            .range(..span.end.max(span.start + 1))
            .next_back()
            .is_some_and(|(_, end)| *end > span.start);
        if !blocked {
            self.0.insert(span.start, span.end);
        }
        !blocked
    }
}

/// `d` cut down to `rest`, its canonical value taken from the text in the same way: with
/// white space collapsed, and lower-cased if the whole value was.
fn trimmed(text: &str, d: Detection, rest: Span) -> Detection {
    let words: Vec<&str> = text[rest.start..rest.end].split_whitespace().collect();
    let mut canonical = words.join(" ");
    if d.canonical == d.canonical.to_lowercase() {
        canonical = canonical.to_lowercase();
    }
    Detection {
        span: rest,
        canonical,
        ..d
    }
}

/// Adds a detection for every unclaimed literal repeat of a kept detection's canonical value.
fn mask_repeats(text: &str, kept: &mut Vec<Detection>, taken: &mut Occupied) {
    let mut seen = HashSet::new();
    let parts = name_parts(text, kept);
    let mut values: Vec<&Detection> = Vec::new();
    for d in kept.iter().chain(&parts) {
        let searchable = (1..=MAX_REPEATED_VALUE_BYTES).contains(&d.canonical.len());
        if searchable && seen.insert(d.canonical.to_ascii_lowercase()) {
            values.push(d);
        }
    }
    if values.is_empty() {
        return;
    }
    let mut found: Vec<(Span, usize)> = Vec::new();
    if values.len() <= FEW_VALUES {
        // Building an automaton costs more than a message takes to scan, and a message
        // usually holds one or two values: search for each in an ASCII-lower-cased copy,
        // whose byte offsets are the text's.
        let lowered = text.to_ascii_lowercase();
        for (pattern, d) in values.iter().enumerate() {
            let value = d.canonical.to_ascii_lowercase();
            let mut from = 0;
            while let Some(at) = lowered[from..].find(&value) {
                let start = from + at;
                found.push((Span::new(start, start + value.len()), pattern));
                // Overlapping occurrences count too, as in the automaton below.
                from = start + lowered[start..].chars().next().map_or(1, char::len_utf8);
            }
        }
    } else {
        // A non-contiguous NFA is the cheapest automaton to build, and one is built per text.
        let Ok(automaton) = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::NoncontiguousNFA))
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(values.iter().map(|d| d.canonical.as_bytes()))
        else {
            // Only a pattern set beyond the automaton's size limits fails to build; every
            // value in a recognised form is still detected without this pass.
            return;
        };
        found.extend(
            automaton
                .find_overlapping_iter(text)
                .map(|m| (Span::new(m.start(), m.end()), m.pattern().as_usize())),
        );
    }
    found.sort_by(|a, b| a.0.start.cmp(&b.0.start).then(b.0.len().cmp(&a.0.len())));
    let mut repeats = Vec::new();
    for (span, pattern) in found {
        if !bounded(text, span) {
            continue;
        }
        let source = values[pattern];
        // A surname is a word too ("Key", "White"): a part of a name stands for the person
        // only where it is capitalised.
        if source.recogniser == NAME_PART && !text[span.start..].starts_with(char::is_uppercase) {
            continue;
        }
        if taken.insert(span) {
            repeats.push(Detection {
                kind: source.kind,
                span,
                score: source.score,
                recogniser: REPEATED_VALUE,
                validator: source.validator,
                canonical: source.canonical.clone(),
            });
        }
    }
    kept.extend(repeats);
}

/// What a name part found again by the repeat pass is first reported as (see [`name_parts`]).
const NAME_PART: &str = "name-part";

/// The words of every name of two or more words, as values of their own, so that a person
/// written in full once is masked where the text names them by one word ("directed by
/// Jindřich Holinka and starring Holinka"). Initials, particles and words that are no names
/// are left out.
fn name_parts(text: &str, kept: &[Detection]) -> Vec<Detection> {
    let mut parts = Vec::new();
    for d in kept.iter().filter(|d| d.kind == EntityKind::Person) {
        let words: Vec<&str> = text[d.span.start..d.span.end].split_whitespace().collect();
        if words.len() < 2 {
            continue;
        }
        for w in words {
            let w = w.trim_matches(|c: char| !c.is_alphabetic());
            let name_like = w.chars().count() >= 3
                && w.starts_with(char::is_uppercase)
                && !crate::person::is_not_name(&crate::person::fold(w));
            if name_like {
                parts.push(Detection {
                    recogniser: NAME_PART,
                    canonical: w.to_lowercase(),
                    ..d.clone()
                });
            }
        }
    }
    parts
}

/// Whether a repeat at `span` is not part of a longer word or number: the character on
/// each side must not be of the same class (letter or digit) as the value's edge character.
/// So the name `ali` is not found inside `quality`, nor `4285` inside `14285`, while a number
/// glued to letters (`x0707614285`) is still masked.
fn bounded(text: &str, span: Span) -> bool {
    let same_class = |a: char, b: char| {
        (a.is_alphabetic() && b.is_alphabetic()) || (a.is_numeric() && b.is_numeric())
    };
    let value = &text[span.start..span.end];
    let (Some(first), Some(last)) = (value.chars().next(), value.chars().next_back()) else {
        return false;
    };
    let before = text[..span.start].chars().next_back();
    let after = text[span.end..].chars().next();
    !before.is_some_and(|b| same_class(b, first)) && !after.is_some_and(|a| same_class(a, last))
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
        // Most messages hold no `@`; finding that out is far cheaper than running the pattern.
        if !text.contains('@') {
            return;
        }
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
            regions: vec![
                Country::DK,
                Country::NL,
                Country::DE,
                Country::GB,
                Country::US,
            ],
        }
    }
}

/// Words that label a number as a telephone number (da, nl, de, en): a `Phone:` field, a
/// signature line ending in `mobile`. Verbs such as "call" are left out: "call about order
/// 1234567" labels no phone number.
pub const PHONE_CONTEXT: &[&str] = &[
    // da
    "telefon",
    "telefonnummer",
    "tlf",
    "mobil",
    "mobilnummer",
    // nl
    "telefoon",
    "telefoonnummer",
    "tel",
    "mobiel",
    "mobiele nummer",
    "gsm",
    // de
    "rufnummer",
    "telefonnummer",
    "handy",
    "handynummer",
    "mobilnummer",
    "fax",
    // en
    "phone",
    "phone number",
    "telephone",
    "mobile",
    "mob",
    "cell",
    "cellphone",
    "desk",
    "office",
    "landline",
    "whatsapp",
];

/// Telephone numbers, validated by libphonenumber's metadata (the `phonenumber` crate).
///
/// A number that does not validate is still reported, unvalidated and with a lower score,
/// when a phone word labels it ([`PHONE_CONTEXT`]): numbers of countries whose plans the
/// metadata does not cover, or that changed since, are no less personal.
pub struct PhoneRecognizer {
    config: PhoneConfig,
}

static PHONE_CANDIDATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:\+|(?-u:\b)00)?(?:\(\d{1,5}\)[ .\-/]?)?\d(?:[ .\-/]?\(?\d\)?){5,16}(?:[ ]?(?:x|ext\.?|extn\.?)[ ]?\d{1,6})?",
    )
    .expect("valid phone pattern")
});

/// An extension after the number (`x4587`, ` ext. 12`).
static EXTENSION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[ ]?(?:x|ext\.?|extn\.?)[ ]?\d{1,6}$").expect("valid extension pattern")
});

static DATE_LIKE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\d{1,4}[./\-]\d{1,2}[./\-]\d{1,4}$").expect("valid date pattern")
});

/// A range of years (`2014-2017`, `2011/2012`), which a Danish number's two groups of four
/// digits would otherwise take.
static YEAR_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:19|20)\d\d ?[-/–] ?(?:19|20)\d\d$").expect("valid year range pattern")
});

/// A date at the start of a candidate (`2000-04-16 11` before `:34:35`, `12.03.2024 0800`).
static DATE_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\d{4}[./\-]\d{1,2}[./\-]\d{1,2}|\d{1,2}[./\-]\d{1,2}[./\-]\d{4})(?:[ ]|$)")
        .expect("valid date pattern")
});

/// Whether a number written without a country code has a shape phone numbers take: a trunk
/// prefix `0` (NL, DE, GB), eight digits whole or in groups of two to four (DK), or nine or
/// ten digits (the North American and other national plans). A seven-digit local number
/// cannot be told from a licence or order number, and eight digits split otherwise
/// (`90010-170`) are written so by no Danish subscriber; those need a phone word.
fn national_shape(candidate: &str, digits: usize) -> bool {
    // No national plan here is longer than ten digits after the trunk prefix (DK 8, NL and
    // US 10, GB 10, DE up to 11 with it); longer runs are IDs (`298026420216364` in a URL).
    let trunk = candidate.trim_start_matches('(').starts_with('0');
    if digits > if trunk { 12 } else { 10 } {
        return false;
    }
    if trunk || digits >= 9 {
        return true;
    }
    let mut groups = candidate
        .split(|c: char| !c.is_ascii_digit())
        .filter(|g| !g.is_empty())
        .map(str::len);
    digits == 8 && (groups.clone().count() == 1 || groups.all(|g| (2..=4).contains(&g)))
}

/// Whether the national numbers of `region` open with the trunk prefix `0`.
fn trunk_zero(region: Country) -> bool {
    let id: &str = region.as_ref();
    phonenumber::metadata::DATABASE
        .by_id(id)
        .and_then(|m| m.national_prefix())
        == Some("0")
}

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
            // A dotted quad that parses as an IPv4 address (`10.234.12.158`) is one.
            if !stands_alone(text, span)
                || DATE_LIKE.is_match(candidate)
                || DATE_FIRST.is_match(candidate)
                || YEAR_RANGE.is_match(candidate)
                || candidate.parse::<std::net::Ipv4Addr>().is_ok()
            {
                continue;
            }
            // `11:34`: a time, whatever digits stand before it.
            let mut after = text[span.end..].chars();
            if after.next() == Some(':') && after.next().is_some_and(|c| c.is_ascii_digit()) {
                continue;
            }
            let number = EXTENSION
                .find(candidate)
                .map_or(candidate, |e| &candidate[..e.start()]);
            let digits = number.bytes().filter(u8::is_ascii_digit).count();
            if !(7..=15).contains(&digits) {
                continue;
            }
            let international = number.starts_with('+') || number.starts_with("00");
            let context = has_context(text, span, PHONE_CONTEXT);
            let parsed = if international {
                let with_plus = match number.strip_prefix("00") {
                    Some(rest) => format!("+{rest}"),
                    None => number.to_owned(),
                };
                phonenumber::parse(None, &with_plus)
                    .ok()
                    .filter(phonenumber::is_valid)
            } else if context
                || (national_shape(number, digits) && !is_house_number_run(text, span))
            {
                // Regions whose national numbers open with the trunk prefix `0` (NL, DE, GB)
                // are tried first for numbers that do, the others (DK, US) first for numbers
                // that do not, so `(202) 456-1414` is read as a number in Washington, not
                // Wuppertal; libphonenumber also reads numbers whose trunk prefix was left
                // out, so every region is still tried.
                let trunk = number.trim_start_matches('(').starts_with('0');
                let (first, then): (Vec<&Country>, Vec<&Country>) = self
                    .config
                    .regions
                    .iter()
                    .partition(|region| trunk_zero(**region) == trunk);
                first.into_iter().chain(then).find_map(|region| {
                    phonenumber::parse(Some(*region), number)
                        .ok()
                        .filter(phonenumber::is_valid)
                })
            } else {
                None
            };
            let (score, validator, canonical) = match parsed {
                Some(n) => (
                    // A national number without a prefix or a phone word is more often an
                    // order number that happens to validate; score it lower so that
                    // validated kinds win overlaps.
                    if international || context { 0.9 } else { 0.7 },
                    Some("libphonenumber-metadata"),
                    n.format().mode(phonenumber::Mode::E164).to_string(),
                ),
                None if context => {
                    let plus = if international { "+" } else { "" };
                    let digits: String = number
                        .strip_prefix("00")
                        .unwrap_or(number)
                        .chars()
                        .filter(char::is_ascii_digit)
                        .collect();
                    (0.6, None, format!("{plus}{digits}"))
                }
                None => continue,
            };
            out.push(Detection {
                kind: EntityKind::Phone,
                span,
                score,
                recogniser: self.name(),
                validator,
                canonical,
            });
        }
    }
}

/// International Bank Account Numbers, with or without spaces, validated by country length and
/// the ISO 7064 mod-97 check (the `iban_validate` crate).
pub struct IbanRecognizer;

static IBAN_CANDIDATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)[A-Z]{2}\d{2}(?:[ \-]?[A-Z0-9]){10,32}(?-u:\b)")
        .expect("valid IBAN pattern")
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
            // The pattern's word boundary is ASCII-only (so that the fast DFA can run on any
            // text); a letter such as `ø` glued to the front still means a longer word.
            if text[..m.start()]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
            {
                continue;
            }
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
    fn phone_words_accept_numbers_the_metadata_does_not_know() {
        for (text, number) in [
            ("Desk: +41 (0)96 471 07 95", "+41 (0)96 471 07 95"),
            ("Fax: 345-899-3560x4587", "345-899-3560x4587"),
            ("Phone: 451 5986", "451 5986"),
            ("+1-984-182-0190 mobile", "+1-984-182-0190"),
            ("Tlf. 72 128 827", "72 128 827"),
        ] {
            let hits = found(text);
            assert_eq!(hits.len(), 1, "{text}: {hits:?}");
            assert_eq!(
                (hits[0].0, hits[0].1),
                (EntityKind::Phone, number),
                "{text}"
            );
        }
        let d = Registry::default().detect("Desk: +41 (0)96 471 07 95");
        assert_eq!(d[0].validator, None, "it did not validate");
        assert!(d[0].score < 0.7);
        // Validated numbers keep their validator, with extensions too.
        let d = Registry::default().detect("Desk: +1 202-456-1414 x123");
        assert_eq!(d[0].validator, Some("libphonenumber-metadata"));
        assert_eq!(d[0].canonical, "+12024561414");
    }

    #[test]
    fn us_numbers_in_national_format() {
        for (text, number, e164) in [
            (
                "Call (202) 456-1414 today",
                "(202) 456-1414",
                "+12024561414",
            ),
            ("Call 202-456-1414 today", "202-456-1414", "+12024561414"),
            ("Call 202.456.1414 today", "202.456.1414", "+12024561414"),
        ] {
            let hits = found(text);
            assert_eq!(hits.len(), 1, "{text}: {hits:?}");
            assert_eq!((hits[0].1, hits[0].2.as_str()), (number, e164), "{text}");
        }
    }

    #[test]
    fn dates_times_house_numbers_and_local_numbers_are_not_phones() {
        assert_eq!(
            found("from 10.234.12.158 today")[0].0,
            EntityKind::IpAddress,
            "an IPv4 address whose digits would validate as a phone number"
        );
        for text in [
            "When: 2000-04-16 11:34:35",
            "Date: 12.03.2024 0800 start",
            "My driver's license number is 6940579",
            "My zip code is 90010-170",
            "https://www.facebook.com/354009971344277/posts/1",
            "Sendungsnummer 298026420216364",
            "Saison 2014-2017 und 2011/2012",
            "The bus drops you off at 3747 3911 Fourth Avenue",
            "Suite 541 6343 Skogstien 106",
            "Apt. 675 62314 Mellemvej 32",
        ] {
            let phones: Vec<_> = found(text)
                .into_iter()
                .filter(|(k, _, _)| *k == EntityKind::Phone)
                .collect();
            assert!(phones.is_empty(), "{text}: {phones:?}");
        }
        // The same digits as a phone number stay one.
        assert_eq!(found("Ring 3747 3911 i dag")[0].0, EntityKind::Phone);
    }

    #[test]
    fn an_unvalidated_detection_overlapped_at_one_edge_keeps_the_rest() {
        let text = "Mrs. Jane Smith Apt. 675 62314 Mellemvej 32";
        let registry = Registry::new(PhoneConfig::default())
            .with(fixed(EntityKind::Person, (5, 19), 0.99, None))
            .with(fixed(EntityKind::StreetAddress, (16, 43), 0.8, None));
        let spans: Vec<(EntityKind, &str)> = registry
            .detect(text)
            .into_iter()
            .map(|d| (d.kind, &text[d.span.start..d.span.end]))
            .collect();
        assert!(
            spans.contains(&(EntityKind::Person, "Jane Smith Apt")),
            "{spans:?}"
        );
        assert!(
            spans.contains(&(EntityKind::StreetAddress, "675 62314 Mellemvej 32")),
            "{spans:?}"
        );
        // Overlapped in the middle, it is dropped: neither part is the value.
        let registry = Registry::new(PhoneConfig::default())
            .with(fixed(EntityKind::Person, (25, 30), 0.99, None))
            .with(fixed(EntityKind::StreetAddress, (16, 43), 0.8, None));
        assert!(
            registry
                .detect(text)
                .iter()
                .all(|d| d.kind != EntityKind::StreetAddress)
        );
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

    /// Reports one fixed detection, to test the overlap rule apart from real recognisers.
    struct Fixed(Detection);

    impl Recognizer for Fixed {
        fn name(&self) -> &'static str {
            self.0.recogniser
        }
        fn kinds(&self) -> &'static [EntityKind] {
            &[]
        }
        fn recognise(&self, _text: &str, out: &mut Vec<Detection>) {
            out.push(self.0.clone());
        }
    }

    fn fixed(
        kind: EntityKind,
        span: (usize, usize),
        score: f32,
        validator: Option<&'static str>,
    ) -> Box<dyn Recognizer> {
        Box::new(Fixed(Detection {
            kind,
            span: Span::new(span.0, span.1),
            score,
            recogniser: "fixed",
            validator,
            canonical: format!("v{}-{}", span.0, span.1),
        }))
    }

    fn resolved(recognisers: Vec<Box<dyn Recognizer>>) -> Vec<(EntityKind, usize, usize)> {
        Registry { recognisers }
            .detect(&"x".repeat(40))
            .into_iter()
            .map(|d| (d.kind, d.span.start, d.span.end))
            .collect()
    }

    #[test]
    fn overlap_rule_validated_first_then_score_then_length() {
        // Validated beats unvalidated even at a much lower score.
        assert_eq!(
            resolved(vec![
                fixed(EntityKind::Url, (0, 30), 0.99, None),
                fixed(EntityKind::DkCpr, (10, 20), 0.4, Some("dk-cpr-date")),
            ]),
            vec![(EntityKind::DkCpr, 10, 20)]
        );
        // Both validated: the higher score wins, even when shorter.
        assert_eq!(
            resolved(vec![
                fixed(
                    EntityKind::Phone,
                    (0, 12),
                    0.7,
                    Some("libphonenumber-metadata")
                ),
                fixed(EntityKind::DkCpr, (2, 12), 0.9, Some("dk-cpr-date")),
            ]),
            vec![(EntityKind::DkCpr, 2, 12)]
        );
        // Equal scores: the longer span wins.
        assert_eq!(
            resolved(vec![
                fixed(EntityKind::Phone, (5, 12), 0.8, Some("a")),
                fixed(EntityKind::NlBsn, (3, 12), 0.8, Some("b")),
            ]),
            vec![(EntityKind::NlBsn, 3, 12)]
        );
        // Neither validated: score, then length, as among validated ones.
        assert_eq!(
            resolved(vec![
                fixed(EntityKind::Url, (0, 20), 0.85, None),
                fixed(EntityKind::Email, (8, 20), 0.95, None),
            ]),
            vec![(EntityKind::Email, 8, 20)]
        );
        // Losers are dropped whole; what does not overlap is kept, in position order.
        assert_eq!(
            resolved(vec![
                fixed(EntityKind::Email, (20, 30), 0.95, None),
                fixed(EntityKind::Phone, (0, 10), 0.7, Some("a")),
                fixed(EntityKind::Url, (5, 25), 0.85, None),
            ]),
            vec![(EntityKind::Phone, 0, 10), (EntityKind::Email, 20, 30)]
        );
    }

    #[test]
    fn overlap_rule_does_not_depend_on_recogniser_order() {
        let a = || fixed(EntityKind::Phone, (0, 10), 0.7, Some("a"));
        let b = || fixed(EntityKind::NlBsn, (0, 10), 0.7, Some("b"));
        assert_eq!(resolved(vec![a(), b()]), resolved(vec![b(), a()]));
        assert_eq!(resolved(vec![a(), b()]), vec![(EntityKind::Phone, 0, 10)]);
    }

    #[test]
    fn a_validated_identifier_inside_a_url_beats_the_url() {
        // The URL scores higher (0.85) than the CPR number without a context word (0.8), but
        // only the CPR number is validated.
        let text = "Se https://borger.example.dk/sag/070761-4285 tak";
        let hits = found(text);
        assert_eq!(
            hits,
            vec![(EntityKind::DkCpr, "070761-4285", "0707614285".to_owned())]
        );
        assert_eq!(
            found("Se https://borger.example.dk/sag/ tak")[0].0,
            EntityKind::Url
        );
    }

    #[test]
    fn a_phone_number_read_from_a_cpr_number_loses_to_it() {
        // `0707614285` is also a valid Dutch number (070 is The Hague), so both recognisers
        // report the same digits, both validated: the score decides.
        let registry = Registry::default();
        let mut phone = Vec::new();
        PhoneRecognizer {
            config: PhoneConfig::default(),
        }
        .recognise("070761-4285", &mut phone);
        assert_eq!(
            phone.len(),
            1,
            "the phone recogniser reads these digits too"
        );
        for text in [
            "CPR-nr. 070761-4285",
            "070761-4285",
            "personnummer 0707614285",
        ] {
            let hits = registry.detect(text);
            assert_eq!(hits.len(), 1, "{text}: {hits:?}");
            assert_eq!(hits[0].kind, EntityKind::DkCpr, "{text}");
        }
        // Ten bare digits without a context word are scored below a national phone number.
        assert_eq!(registry.detect("0707614285")[0].kind, EntityKind::Phone);
    }

    #[test]
    fn a_bsn_beats_the_berlin_phone_number_made_of_its_digits() {
        // `030123458` passes the 11-proef and `030 123458` is a Berlin number: the phone
        // recogniser reads the BSN too, and the BSN (validated, higher score) must win.
        for text in [
            "BSN 030 123 458",
            "030.123.458",
            "Burgerservicenummer: 030-123-458.",
        ] {
            let mut phone = Vec::new();
            PhoneRecognizer {
                config: PhoneConfig::default(),
            }
            .recognise(text, &mut phone);
            assert_eq!(
                phone.len(),
                1,
                "{text}: the phone recogniser reads these digits too"
            );
            let hits = Registry::default().detect(text);
            assert_eq!(hits.len(), 1, "{text}: {hits:?}");
            assert_eq!(hits[0].kind, EntityKind::NlBsn, "{text}");
            assert_eq!(hits[0].canonical, "030123458");
        }
    }

    #[test]
    fn every_kind_is_found_in_one_message() {
        let text = "Hej, ole@example.dk, tlf +45 22 33 44 55, konto DK50 0040 0440 1162 43, \
            kort 4111 1111 1111 1111, IP 192.168.1.20, se https://example.dk/ordre, \
            CPR 070761-4285, BSN 1112.22.333, Steuer-ID 86 095 742 719, \
            SV-Nummer 65 170839 J 00 3, KVNR A123456780, Ausweis L01X00T471, moms DK13585628, \
            adresse Vesterbrogade 12, 1620 København V, født 3. marts 1985. Med venlig hilsen Mette. \
            PS: NI number AB 12 34 56 C, NHS number 943 476 5919, SSN 536-22-8726.";
        let kinds: Vec<EntityKind> = Registry::default()
            .detect(text)
            .into_iter()
            .map(|d| d.kind)
            .collect();
        // The message names the kinds in declaration order.
        assert_eq!(kinds, EntityKind::ALL);
    }

    #[test]
    fn a_value_found_once_is_masked_wherever_else_it_appears() {
        let text = "CPR 070761-4285, også skrevet x0707614285 og OLE@X.DKy";
        let hits = Registry::default().detect(text);
        let shown: Vec<_> = hits
            .iter()
            .map(|d| (d.kind, &text[d.span.start..d.span.end], d.recogniser))
            .collect();
        assert_eq!(
            shown,
            vec![
                (EntityKind::DkCpr, "070761-4285", "dk-cpr-pattern"),
                (EntityKind::DkCpr, "0707614285", REPEATED_VALUE),
                (EntityKind::Email, "OLE@X.DKy", "email-pattern"),
            ]
        );
        assert_eq!(hits[1].canonical, hits[0].canonical);
        assert_eq!(hits[1].validator, hits[0].validator);
    }

    #[test]
    fn a_name_written_in_full_once_is_masked_where_one_of_its_words_stands_alone() {
        let text = "My name is Jindřich Holinka. Holinka is my surname, and the key is lost.";
        let shown: Vec<_> = Registry::default()
            .detect(text)
            .into_iter()
            .filter(|d| d.kind == EntityKind::Person)
            .map(|d| (&text[d.span.start..d.span.end], d.recogniser))
            .collect();
        assert_eq!(shown[0].0, "Jindřich Holinka");
        // The tagger may find the lone surname itself; either way it is masked, and as a name.
        assert_eq!(shown[1].0, "Holinka", "{shown:?}");
        assert!(
            [REPEATED_VALUE, "person-model"].contains(&shown[1].1),
            "{shown:?}"
        );
        assert_eq!(shown.len(), 2, "{shown:?}");
        let lower = "Regards,\nAdam Key\n\nthe key to the door";
        let found: Vec<_> = Registry::default()
            .detect(lower)
            .into_iter()
            .map(|d| &lower[d.span.start..d.span.end])
            .collect();
        assert_eq!(
            found,
            ["Adam Key"],
            "a surname that is a word is masked only capitalised"
        );
    }

    #[test]
    fn a_repeated_value_is_not_masked_inside_a_longer_word_or_number() {
        let text = "My name is Ali. The quality is fine, ali said; order 14285 and 4285.";
        let found = Registry::default()
            .with(fixed_value(EntityKind::DkCpr, "4285"))
            .detect(text);
        let shown: Vec<&str> = found
            .iter()
            .map(|d| &text[d.span.start..d.span.end])
            .collect();
        assert_eq!(shown, ["Ali", "ali", "4285"], "{found:?}");
    }

    /// Reports `value` where it first occurs, so the repeat pass looks for the rest.
    fn fixed_value(kind: EntityKind, value: &'static str) -> Box<dyn Recognizer> {
        struct First(EntityKind, &'static str);
        impl Recognizer for First {
            fn name(&self) -> &'static str {
                "first"
            }
            fn kinds(&self) -> &'static [EntityKind] {
                &[]
            }
            fn recognise(&self, text: &str, out: &mut Vec<Detection>) {
                if let Some(at) = text.rfind(self.1) {
                    out.push(Detection {
                        kind: self.0,
                        span: Span::new(at, at + self.1.len()),
                        score: 0.9,
                        recogniser: "first",
                        validator: None,
                        canonical: self.1.to_owned(),
                    });
                }
            }
        }
        Box::new(First(kind, value))
    }

    #[test]
    fn added_recognisers_go_through_the_overlap_rule() {
        use crate::{CustomerProfile, ProfileRecognizer};
        let profile = CustomerProfile {
            name: Some("Søren Ørsted".into()),
            ..CustomerProfile::default()
        };
        // The context recogniser reads "Soren Orsted Hansen"; the profile's validated match
        // of the known name wins the overlap, and the name is masked again where repeated.
        let text = "Jeg hedder Soren Orsted Hansen. Hilsen SOREN ORSTED";
        let shown = |found: Vec<Detection>| -> Vec<(&str, &'static str)> {
            found
                .iter()
                .map(|d| (&text[d.span.start..d.span.end], d.recogniser))
                .collect()
        };
        let expected = [
            ("Soren Orsted", "customer-profile"),
            ("SOREN ORSTED", "customer-profile"),
        ];
        let added = Registry::default().with(Box::new(ProfileRecognizer::new(&profile)));
        let with_profile = shown(added.detect(text));
        assert_eq!(with_profile[..1], expected[..1]);
        assert!(with_profile.contains(&expected[1]), "{with_profile:?}");
        let recogniser = ProfileRecognizer::new(&profile);
        assert_eq!(
            shown(Registry::default().detect_with(text, &[&recogniser])),
            with_profile
        );
        assert!(added.names().contains(&"customer-profile"));
        assert_eq!(
            shown(Registry::default().detect(text))[0],
            ("Soren Orsted Hansen", "person-context")
        );
    }

    #[test]
    fn overlaps_prefer_the_validated_higher_score() {
        let hits = found("Konto: DK50 0040 0440 1162 43, tlf +45 22 33 44 55");
        let kinds: Vec<_> = hits.iter().map(|h| h.0).collect();
        assert_eq!(kinds, vec![EntityKind::Iban, EntityKind::Phone]);
    }
}
