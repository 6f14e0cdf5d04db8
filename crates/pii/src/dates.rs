//! Dates of birth: a calendar date written near a word that says it is one ("født 3. marts
//! 1985", "geboren am 7. Juli 1979", "DOB: 07/07/1979").
//!
//! A date alone is not personal data here: a delivery date must stay readable, so this
//! recogniser reads dates only next to a birth context word, and only the first date after it.
//!
//! This module also holds the per-language data files (`crates/pii/data/*.txt`) that the
//! address, date and person recognisers read, and the whole-word phrase matcher they share.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};
use candor_core::{EntityKind, Span};
use regex::Regex;

use crate::{Detection, Recognizer};

/// The language data files, by ISO 639-1 code. Adding a language is adding its file here.
pub(crate) const LANGUAGE_DATA: &[(&str, &str)] = &[
    ("da", include_str!("../data/da.txt")),
    ("nl", include_str!("../data/nl.txt")),
    ("de", include_str!("../data/de.txt")),
    ("en", include_str!("../data/en.txt")),
];

/// The entries of `section` in every language file, in file order.
pub(crate) fn entries(section: &str) -> Vec<&'static str> {
    LANGUAGE_DATA
        .iter()
        .flat_map(|(_, text)| section_of(text, section))
        .collect()
}

/// The entries of `section` in one data file.
fn section_of<'a>(text: &'a str, section: &str) -> Vec<&'a str> {
    let mut inside = false;
    let mut out = Vec::new();
    for line in text.lines().map(str::trim) {
        // A header is a bare lower-case name in brackets; a regular expression entry such as
        // `[A-Z]{2} \d{5}` never is one.
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']'))
            && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
        {
            inside = name == section;
            continue;
        }
        if inside && !line.is_empty() && !line.starts_with('#') {
            out.push(line);
        }
    }
    out
}

/// A set of phrases found as whole words, ignoring ASCII case; several words match with one
/// space between them.
pub(crate) struct Phrases {
    automaton: AhoCorasick,
}

impl Phrases {
    /// Builds the matcher; `phrases` are lower case, as in the data files.
    pub(crate) fn new<'a>(phrases: impl IntoIterator<Item = &'a str>) -> Phrases {
        let automaton = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(phrases)
            .expect("the data files' phrases build an automaton");
        Phrases { automaton }
    }

    /// Every whole-word occurrence: the phrase's index and its span. Linear in `text`.
    pub(crate) fn find<'a>(&'a self, text: &'a str) -> impl Iterator<Item = (usize, Span)> + 'a {
        self.automaton
            .find_iter(text)
            .filter(move |m| {
                let phrase = &text[m.start()..m.end()];
                let before = text[..m.start()].chars().next_back();
                let after = text[m.end()..].chars().next();
                // A phrase ending in a dot (`geb.`) ends the word itself.
                !before.is_some_and(char::is_alphanumeric)
                    && (phrase.ends_with('.') || !after.is_some_and(char::is_alphanumeric))
            })
            .map(|m| (m.pattern().as_usize(), Span::new(m.start(), m.end())))
    }
}

/// Whether the text between a context word and a date keeps them in one clause: no sentence
/// or clause punctuation and at most five words ("born to shop, order 12.03.2024" does not).
fn same_clause(between: &str) -> bool {
    !between.contains(['.', ',', ';', '!', '?', '\n']) && between.split_whitespace().count() <= 5
}

/// The largest char boundary at or below `i`.
pub(crate) fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The smallest char boundary at or above `i`.
pub(crate) fn ceil_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Dates of birth in Danish, Dutch, German and English, validated as calendar dates.
pub struct DateOfBirthRecognizer;

/// How far after a birth context word its date may start, in bytes.
const AFTER: usize = 48;
/// How far before a birth context word its date may end, in bytes.
const BEFORE: usize = 24;
/// The longest date this recogniser reads ("28. september 1985" and its spaces, with slack).
const LONGEST_DATE: usize = 40;

static BIRTH_CONTEXT: LazyLock<Phrases> = LazyLock::new(|| Phrases::new(entries("birth_context")));

/// Month names and abbreviations of every language, lower case, with their numbers.
static MONTHS: LazyLock<Vec<(String, u32)>> = LazyLock::new(|| {
    let mut months: Vec<(String, u32)> = entries("months")
        .into_iter()
        .filter_map(|line| {
            let (name, number) = line.rsplit_once(' ')?;
            Some((name.to_lowercase(), number.parse().ok()?))
        })
        .collect();
    // Longest first, so that the alternation prefers `marts` to `mar`.
    months.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
    months.dedup();
    months
});

static DATE: LazyLock<Regex> = LazyLock::new(|| {
    let names: Vec<String> = MONTHS.iter().map(|(n, _)| regex::escape(n)).collect();
    let month = names.join("|");
    Regex::new(&format!(
        r"(?i)(?-u:\b)(?:(?P<iy>\d{{4}})-(?P<im>\d{{1,2}})-(?P<id>\d{{1,2}})|(?P<na>\d{{1,2}})[./-](?P<nb>\d{{1,2}})[./-](?P<ny>\d{{4}}|\d{{2}})|(?P<dd>\d{{1,2}})(?:\.|st|nd|rd|th)?\s(?:of\s)?(?P<dm>{month})\.?,?\s(?P<dy>\d{{4}})|(?P<mm>{month})\.?\s(?P<md>\d{{1,2}})(?:st|nd|rd|th)?,?\s(?P<my>\d{{4}}))(?-u:\b)"
    ))
    .expect("valid date pattern")
});

/// Whether `year-month-day` is a day of the Gregorian calendar within a lifetime's reach.
fn is_calendar_date(year: u32, month: u32, day: u32) -> bool {
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1880..=2100).contains(&year) && (1..=days).contains(&day)
}

/// A two-digit year read as the latest year of that name not far in the future.
fn full_year(digits: &str) -> Option<u32> {
    let year: u32 = digits.parse().ok()?;
    Some(match digits.len() {
        2 if year <= 30 => 2000 + year,
        2 => 1900 + year,
        _ => year,
    })
}

fn month_number(name: &str) -> Option<u32> {
    let name = name.to_lowercase();
    MONTHS.iter().find(|(n, _)| *n == name).map(|(_, m)| *m)
}

/// The date a match of [`DATE`] names, as `(year, month, day)`, if it is a calendar day.
/// A numeric date is read day first, and month first only when that is the sole valid reading.
fn parse_date(c: &regex::Captures<'_>) -> Option<(u32, u32, u32)> {
    let num = |name: &str| c.name(name)?.as_str().parse::<u32>().ok();
    let candidates: Vec<(u32, u32, u32)> = if let Some(y) = num("iy") {
        vec![(y, num("im")?, num("id")?)]
    } else if let Some(y) = c.name("ny") {
        let y = full_year(y.as_str())?;
        let (a, b) = (num("na")?, num("nb")?);
        vec![(y, b, a), (y, a, b)]
    } else if let Some(y) = num("dy") {
        vec![(y, month_number(c.name("dm")?.as_str())?, num("dd")?)]
    } else {
        vec![(
            num("my")?,
            month_number(c.name("mm")?.as_str())?,
            num("md")?,
        )]
    };
    candidates
        .into_iter()
        .find(|&(y, m, d)| is_calendar_date(y, m, d))
}

impl DateOfBirthRecognizer {
    /// The first valid date starting within [`AFTER`] bytes after `at`.
    fn date_after(text: &str, at: usize) -> Option<(Span, (u32, u32, u32))> {
        let end = ceil_boundary(text, at + AFTER + LONGEST_DATE);
        DATE.captures_iter(&text[at..end])
            .take_while(|c| c.get(0).is_some_and(|m| m.start() <= AFTER))
            .find_map(|c| {
                let m = c.get(0)?;
                if !same_clause(&text[at..at + m.start()]) {
                    return None;
                }
                Some((Span::new(at + m.start(), at + m.end()), parse_date(&c)?))
            })
    }

    /// The last valid date ending within [`BEFORE`] bytes before `at`.
    fn date_before(text: &str, at: usize) -> Option<(Span, (u32, u32, u32))> {
        let start = floor_boundary(text, at.saturating_sub(BEFORE + LONGEST_DATE));
        DATE.captures_iter(&text[start..at])
            .filter_map(|c| {
                let m = c.get(0)?;
                (at - (start + m.end()) <= BEFORE && same_clause(&text[start + m.end()..at]))
                    .then_some((
                        Span::new(start + m.start(), start + m.end()),
                        parse_date(&c)?,
                    ))
            })
            .last()
    }
}

impl Recognizer for DateOfBirthRecognizer {
    fn name(&self) -> &'static str {
        "date-of-birth-context"
    }
    fn kinds(&self) -> &'static [EntityKind] {
        &[EntityKind::DateOfBirth]
    }
    fn recognise(&self, text: &str, out: &mut Vec<Detection>) {
        let mut last: Option<Span> = None;
        for (_, cue) in BIRTH_CONTEXT.find(text) {
            let Some((span, (y, m, d))) =
                Self::date_after(text, cue.end).or_else(|| Self::date_before(text, cue.start))
            else {
                continue;
            };
            // "Date of birth (DOB): …" names one date twice.
            if last == Some(span) {
                continue;
            }
            last = Some(span);
            out.push(Detection {
                kind: EntityKind::DateOfBirth,
                span,
                score: 0.9,
                recogniser: self.name(),
                validator: Some("calendar-date"),
                canonical: format!("{y:04}-{m:02}-{d:02}"),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::hits;

    fn dates(text: &str) -> Vec<(String, String)> {
        hits(&DateOfBirthRecognizer, text)
            .into_iter()
            .map(|(found, canonical, _, _)| (found, canonical))
            .collect()
    }

    #[test]
    fn every_language_file_has_the_shared_sections() {
        for (code, text) in LANGUAGE_DATA {
            for section in ["birth_context", "months", "given_names", "not_names"] {
                assert!(!section_of(text, section).is_empty(), "{code}: {section}");
            }
        }
        // A regular expression entry that starts with a bracket is not a header.
        assert!(entries("postcode_after_city").contains(&r"[A-Z]{2} \d{5}(?:-\d{4})?"));
    }

    #[test]
    fn months_are_read_longest_first() {
        assert_eq!(month_number("Marts"), Some(3));
        assert_eq!(month_number("mrz"), Some(3));
        assert_eq!(month_number("Mei"), Some(5));
        assert_eq!(month_number("smarch"), None);
    }

    #[test]
    fn calendar_rules() {
        assert!(is_calendar_date(2000, 2, 29));
        assert!(!is_calendar_date(1900, 2, 29));
        assert!(!is_calendar_date(1985, 4, 31));
        assert!(!is_calendar_date(1985, 13, 1));
        assert!(!is_calendar_date(1985, 1, 0));
        assert_eq!(full_year("85"), Some(1985));
        assert_eq!(full_year("07"), Some(2007));
    }

    #[test]
    fn finds_the_date_after_the_context_word() {
        assert_eq!(
            dates("Jeg er født 3. marts 1985 i Odense"),
            vec![("3. marts 1985".to_owned(), "1985-03-03".to_owned())]
        );
        assert_eq!(
            dates("DOB: 07/23/1979"),
            vec![("07/23/1979".to_owned(), "1979-07-23".to_owned())],
            "month first only when day first is no date"
        );
        assert_eq!(dates("geb. 1.2.85")[0].1, "1985-02-01");
    }

    #[test]
    fn takes_a_date_before_the_word_only_when_none_follows() {
        assert_eq!(
            dates("1985-03-03 is my birthday")[0].0,
            "1985-03-03".to_owned()
        );
        assert_eq!(
            dates("02.01.2024 born 1.1.1990")[0].0,
            "1.1.1990".to_owned()
        );
    }

    #[test]
    fn rejects_dates_that_are_not_calendar_days_or_too_far() {
        assert!(dates("født 31.02.1985").is_empty());
        assert!(dates("born 1985-13-01").is_empty());
        let far = format!("born {} 1.1.1990", "x".repeat(60));
        assert!(dates(&far).is_empty());
        assert!(dates("unborn 1.1.1990").is_empty(), "whole words only");
    }
}
