//! Street addresses: a street name and house number, with the postcode and city where given,
//! in Danish, Dutch and German order ("Vesterbrogade 12, 1620 København V",
//! "Keizersgracht 123, 1015 CJ Amsterdam", "Hauptstraße 5, 10115 Berlin") and in British and
//! American order ("221B Baker Street, London NW1 6XE", "1600 Pennsylvania Avenue NW,
//! Washington, DC 20500").
//!
//! Every address holds a house number, so the recogniser looks only around numbers: the words
//! next to a number decide whether it is a house number (a street-type suffix from the
//! language data, capitalised), and the text after it may add a floor, a postcode and a city.
//! Each number is looked at once, and each look reads a bounded number of bounded words, so
//! the time is linear in the text.

use std::collections::HashSet;
use std::sync::LazyLock;

use candor_core::{EntityKind, Span};
use regex::Regex;

use crate::dates::{Phrases, ceil_boundary, entries};
use crate::{Detection, Recognizer};

/// Street addresses in Danish, Dutch, German, British and American conventions.
pub struct StreetAddressRecognizer;

/// The words the recogniser reads, from the language data files.
struct Lexicon {
    /// Suffixes that end a street name, glued or as their own word (`gade`, `straße`, `str.`).
    suffixes: Vec<String>,
    /// Preposition-led starts of German street names (`am`, `unter den`), as word lists.
    prefixes: Vec<Vec<String>>,
    /// Capitalised words that may open a street name (`Gammel`, `Oude`, `Neue`).
    adjectives: HashSet<String>,
    /// English street types after the name (`street`, `rd`).
    types: HashSet<String>,
    /// Compass points after an English street type (`NW`).
    directions: HashSet<String>,
    /// Floor, door and flat words (`st`, `tv`, `apt`, `suite`).
    units: HashSet<String>,
    /// Capitalised words that are no part of a street name (`Der`, `The`).
    not_names: HashSet<String>,
    /// A postcode before the city, followed by a space.
    postcode_before: Regex,
    /// A postcode (with a US state) after the city.
    postcode_after: Regex,
    context: Phrases,
}

fn lower_set(section: &str) -> HashSet<String> {
    entries(section)
        .into_iter()
        .map(str::to_lowercase)
        .collect()
}

fn anchored_alternation(section: &str, then: &str) -> Regex {
    let alternatives = entries(section).join("|");
    Regex::new(&format!("^(?:{alternatives}){then}")).expect("the data files' postcodes are valid")
}

static LEXICON: LazyLock<Lexicon> = LazyLock::new(|| {
    let mut suffixes: Vec<String> = entries("street_suffixes")
        .into_iter()
        .map(str::to_lowercase)
        .collect();
    suffixes.sort_by_key(|s| std::cmp::Reverse(s.len()));
    suffixes.dedup();
    Lexicon {
        suffixes,
        prefixes: entries("street_prefixes")
            .into_iter()
            .map(|p| p.split(' ').map(str::to_lowercase).collect())
            .collect(),
        adjectives: lower_set("street_adjectives"),
        types: lower_set("street_types"),
        directions: lower_set("street_directions"),
        units: lower_set("unit_words"),
        not_names: lower_set("not_names"),
        postcode_before: anchored_alternation("postcode_before_city", " "),
        postcode_after: anchored_alternation("postcode_after_city", r"(?-u:\b)"),
        context: Phrases::new(entries("address_context")),
    }
});

/// Longer words are never part of an address; the bound keeps every look short.
const MAX_WORD: usize = 64;

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '\'' | '’' | '.')
}

fn is_capitalised(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

/// The word that ends one or two spaces before `end`, without leading punctuation.
fn word_before(text: &str, end: usize) -> Option<Span> {
    let trimmed = text[..end].trim_end_matches(' ');
    if !(1..=2).contains(&(end - trimmed.len())) {
        return None;
    }
    let stop = trimmed.len();
    let mut start = stop;
    for c in trimmed.chars().rev().take(MAX_WORD + 1) {
        if !is_word_char(c) {
            break;
        }
        start -= c.len_utf8();
    }
    if stop - start > MAX_WORD {
        return None;
    }
    let word = text[start..stop].trim_start_matches(['-', '\'', '’', '.']);
    let start = stop - word.len();
    (start < stop).then_some(Span::new(start, stop))
}

/// The word that starts one or two spaces (`gap` allows commas and one line break too) after
/// `start`.
fn word_after(text: &str, start: usize, gap: Gap) -> Option<Span> {
    let begin = gap.skip(text, start)?;
    let mut end = begin;
    for c in text[begin..].chars().take(MAX_WORD + 1) {
        if !is_word_char(c) {
            break;
        }
        end += c.len_utf8();
    }
    (begin < end && end - begin <= MAX_WORD).then_some(Span::new(begin, end))
}

/// What may stand between two words of an address.
#[derive(Clone, Copy, PartialEq)]
enum Gap {
    /// One or two spaces.
    Spaces,
    /// An optional comma, then spaces or one line break (with spaces around it).
    Separator,
}

impl Gap {
    /// Where the next word starts, if the gap at `at` is of this kind.
    fn skip(self, text: &str, at: usize) -> Option<usize> {
        let rest = &text[at..];
        let after_comma = match self {
            Gap::Separator => rest.strip_prefix(',').unwrap_or(rest),
            Gap::Spaces => rest,
        };
        let body = after_comma.trim_start_matches([' ', '\t', '\n', '\r']);
        let gap = &after_comma[..after_comma.len() - body.len()];
        let newlines = gap.matches('\n').count();
        let fits = match self {
            Gap::Spaces => (1..=2).contains(&gap.len()) && newlines == 0,
            Gap::Separator => {
                (gap.len() <= 4 && newlines <= 1)
                    && (!gap.is_empty() || after_comma.len() < rest.len())
            }
        };
        fits.then_some(text.len() - body.len())
    }
}

/// Whether `word` (without a trailing dot) is a house number: 1 to `max_digits` digits, not
/// starting with 0, at most one letter (`12`, `3a`, `221B`), and a Dutch floor or second
/// number after a hyphen (`263-II`, `12-14`).
fn is_house_number(word: &str, max_digits: usize) -> bool {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    let rest = &word[digits..];
    let rest = match rest.split_once('-') {
        Some((letter, extra))
            if (1..=4).contains(&extra.len())
                && extra.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            letter
        }
        _ => rest,
    };
    (1..=max_digits).contains(&digits)
        && !word.starts_with('0')
        && (rest.is_empty() || (rest.len() == 1 && rest.bytes().all(|b| b.is_ascii_alphabetic())))
}

/// Whether `word` lower-cased is `lower`, without allocating.
fn same_lower(lower: &str, word: &str) -> bool {
    let mut expected = lower.chars();
    for c in word.chars().flat_map(char::to_lowercase) {
        if expected.next() != Some(c) {
            return false;
        }
    }
    expected.next().is_none()
}

fn lower(text: &str, span: Span) -> String {
    text[span.start..span.end].to_lowercase()
}

impl Lexicon {
    /// The start of the street name that ends with `word`, if `word` ends one.
    fn continental_street(&self, text: &str, word: Span) -> Option<usize> {
        let w = &text[word.start..word.end];
        if !is_capitalised(w) {
            return None;
        }
        let lw = w.to_lowercase();
        // `str.` matches only with its dot, which `word_before` keeps as part of the word.
        let suffix = self.suffixes.iter().find(|s| lw.ends_with(s.as_str()));
        let mut start = word.start;
        match suffix {
            // Glued to the name: `Vesterbrogade`, `Hauptstr.`.
            Some(s) if lw.len() > s.len() => {}
            Some(_) => {
                // A suffix standing alone (`Allee`, `Straße`) needs a name before it.
                let name = word_before(text, word.start)?;
                let n = &text[name.start..name.end];
                if !is_capitalised(n) || self.not_names.contains(&n.to_lowercase()) {
                    return None;
                }
                start = name.start;
            }
            None => {
                // `Am Markt`, `Unter den Linden`: a preposition-led name.
                let first = self.prefix_before(text, word.start)?;
                return Some(first);
            }
        }
        // `Gammel Kongevej`, `Oude Gracht`: capitalised adjectives may open the name.
        for _ in 0..2 {
            match word_before(text, start) {
                Some(a)
                    if is_capitalised(&text[a.start..a.end])
                        && self.adjectives.contains(&lower(text, a)) =>
                {
                    start = a.start;
                }
                _ => break,
            }
        }
        Some(start)
    }

    /// Where a street prefix (`Am`, `Unter den`) written capitalised ends just before `at`.
    fn prefix_before(&self, text: &str, at: usize) -> Option<usize> {
        let w1 = word_before(text, at)?;
        let w2 = word_before(text, w1.start);
        let (t1, t2) = (&text[w1.start..w1.end], w2.map(|w| &text[w.start..w.end]));
        // The prefixes are lower case; comparing without lower-cased copies keeps the look
        // around each number free of allocations.
        self.prefixes.iter().find_map(|p| match p.as_slice() {
            [one] if same_lower(one, t1) && is_capitalised(t1) => Some(w1.start),
            [one, two] => {
                let t2 = t2?;
                (same_lower(one, t2) && same_lower(two, t1) && is_capitalised(t2))
                    .then_some(w2?.start)
            }
            _ => None,
        })
    }

    /// The end of floor, door or flat words after `at` (`st. th.`, `, 2. tv.`, `Apt. 117`).
    fn units_after(&self, text: &str, at: usize) -> usize {
        let mut end = at;
        let mut pos = at;
        let mut saw_unit = false;
        for _ in 0..4 {
            let Some(w) = word_after(text, pos, Gap::Separator) else {
                break;
            };
            let lw = lower(text, w);
            let bare = lw.trim_end_matches('.');
            if self.units.contains(bare) {
                saw_unit = true;
                end = w.end;
            } else if is_house_number(bare, 4) {
                if saw_unit {
                    end = w.end;
                }
            } else {
                break;
            }
            pos = w.end;
        }
        end
    }

    /// The end of a city name starting at `at`: capitalised words, a district letter
    /// (`København V`), or short particles between them (`Frankfurt am Main`).
    fn city_at(&self, text: &str, at: usize) -> Option<usize> {
        let first = word_after_here(text, at)?;
        let word = &text[first.start..first.end];
        if !is_capitalised(word) || !word.chars().all(|c| c.is_alphabetic() || c == '-') {
            return None;
        }
        let mut end = first.end;
        let mut pos = first.end;
        for _ in 0..3 {
            let Some(w) = word_after(text, pos, Gap::Spaces) else {
                break;
            };
            let s = text[w.start..w.end].trim_end_matches('.');
            let alphabetic = !s.is_empty() && s.chars().all(|c| c.is_alphabetic() || c == '-');
            if alphabetic && is_capitalised(s) {
                end = w.start + s.len();
                // `København V. Tak`: a dot after the district letter ends the sentence.
                if s.len() < w.len() {
                    break;
                }
            } else if !(alphabetic
                && matches!(
                    s,
                    "am" | "an" | "der" | "im" | "aan" | "den" | "upon" | "on" | "ob"
                ))
            {
                break;
            }
            pos = w.end;
        }
        Some(end)
    }

    /// The end of `, 1620 København V` after `at`, if a postcode and a city follow.
    fn postcode_city_after(&self, text: &str, at: usize) -> Option<usize> {
        let begin = Gap::Separator.skip(text, at)?;
        let slice = &text[begin..ceil_boundary(text, begin + 16)];
        let m = self.postcode_before.find(slice)?;
        self.city_at(text, begin + m.end())
    }

    /// The end of `, Washington, DC 20500` or `, London NW1 6XE` after `at`.
    fn city_postcode_after(&self, text: &str, at: usize) -> Option<usize> {
        let begin = Gap::Separator.skip(text, at)?;
        let city_end = self.city_at(text, begin)?;
        let code = Gap::Separator.skip(text, city_end)?;
        let slice = &text[code..ceil_boundary(text, code + 16)];
        let m = self.postcode_after.find(slice)?;
        Some(code + m.end())
    }

    /// An address in Danish, Dutch or German order around the house number `number`.
    fn continental(&self, text: &str, number: Span) -> Option<(Span, bool)> {
        let street = word_before(text, number.start)?;
        let start = self.continental_street(text, street)?;
        let mut end = number.end;
        end = self.units_after(text, end);
        let full = self.postcode_city_after(text, end);
        Some((Span::new(start, full.unwrap_or(end)), full.is_some()))
    }

    /// An address in British or American order starting with the house number `number`.
    fn english(&self, text: &str, number: Span) -> Option<(Span, bool)> {
        let mut pos = number.end;
        let mut street_end = None;
        for i in 0..4 {
            let Some(w) = word_after(text, pos, Gap::Spaces) else {
                break;
            };
            let s = text[w.start..w.end].trim_end_matches(['.', '\'', '’']);
            let ordinal =
                s.ends_with(['h', 't', 'd']) && s.starts_with(|c: char| c.is_ascii_digit());
            if !(is_capitalised(s) || ordinal) {
                break;
            }
            if i > 0 && self.types.contains(&s.to_lowercase()) {
                street_end = Some(w.start + s.len());
                break;
            }
            if self.not_names.contains(&s.to_lowercase()) {
                break;
            }
            pos = w.start + s.len();
        }
        let mut end = street_end?;
        if let Some(d) = word_after(text, end, Gap::Spaces)
            && self.directions.contains(&lower(text, d))
            && text[d.start..d.end].chars().all(|c| c.is_ascii_uppercase())
        {
            end = d.end;
        }
        end = self.units_after(text, end);
        let full = self.city_postcode_after(text, end);
        Some((Span::new(number.start, full.unwrap_or(end)), full.is_some()))
    }
}

/// The word starting exactly at `at`.
fn word_after_here(text: &str, at: usize) -> Option<Span> {
    let mut end = at;
    for c in text[at..].chars().take(MAX_WORD + 1) {
        if !is_word_char(c) {
            break;
        }
        end += c.len_utf8();
    }
    let word = text[at..end].trim_end_matches(['.', '\'', '’']);
    (!word.is_empty() && word.len() <= MAX_WORD).then_some(Span::new(at, at + word.len()))
}

impl Recognizer for StreetAddressRecognizer {
    fn name(&self) -> &'static str {
        "street-address-pattern"
    }
    fn kinds(&self) -> &'static [EntityKind] {
        &[EntityKind::StreetAddress]
    }
    fn recognise(&self, text: &str, out: &mut Vec<Detection>) {
        let lex = &*LEXICON;
        let bytes = text.as_bytes();
        let mut i = 0;
        let mut last_end = 0;
        while i < bytes.len() {
            if !bytes[i].is_ascii_digit() {
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            if start < last_end || text[..start].chars().next_back().is_some_and(is_word_char) {
                continue;
            }
            // The number with its letter (`3a`, `221B`), not glued to anything after.
            let Some(number) = word_after_here(text, start) else {
                continue;
            };
            let found = if is_house_number(&text[number.start..number.end], 4) {
                lex.continental(text, number)
            } else {
                None
            };
            let found = found.or_else(|| {
                is_house_number(&text[number.start..number.end], 5)
                    .then(|| lex.english(text, number))
                    .flatten()
            });
            let Some((span, full)) = found else { continue };
            if span.start < last_end {
                continue;
            }
            let context = lex
                .context
                .find(
                    &text[crate::dates::floor_boundary(text, span.start.saturating_sub(32))
                        ..span.start],
                )
                .next()
                .is_some();
            let score = match (full, context) {
                (true, true) => 0.95,
                (true, false) => 0.85,
                (false, true) => 0.75,
                (false, false) => 0.6,
            };
            out.push(Detection {
                kind: EntityKind::StreetAddress,
                span,
                score,
                recogniser: self.name(),
                validator: None,
                canonical: text[span.start..span.end]
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" "),
            });
            last_end = span.end;
            i = i.max(span.end);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::hits;

    fn found(text: &str) -> Vec<(String, f32)> {
        hits(&StreetAddressRecognizer, text)
            .into_iter()
            .map(|(s, _, _, score)| (s, score))
            .collect()
    }

    fn one(text: &str) -> String {
        let f = found(text);
        assert_eq!(f.len(), 1, "{text}: {f:?}");
        f[0].0.clone()
    }

    #[test]
    fn house_numbers() {
        assert!(is_house_number("12", 4));
        assert!(is_house_number("221B", 5));
        assert!(!is_house_number("012", 4));
        assert!(!is_house_number("3rd", 4));
        assert!(!is_house_number("12345", 4));
        assert!(is_house_number("263-II", 4));
        assert!(!is_house_number("12-", 4));
    }

    #[test]
    fn continental_addresses_with_postcode_and_city() {
        assert_eq!(
            one("Send it to Vesterbrogade 12, 1620 København V please"),
            "Vesterbrogade 12, 1620 København V"
        );
        assert_eq!(
            one("Keizersgracht 123, 1015 CJ Amsterdam."),
            "Keizersgracht 123, 1015 CJ Amsterdam"
        );
        assert_eq!(
            one("Hauptstraße 5, 10115 Berlin"),
            "Hauptstraße 5, 10115 Berlin"
        );
        assert!(found("Hauptstraße 5, 10115 Berlin")[0].1 > found("Hauptstraße 5")[0].1);
    }

    #[test]
    fn floors_prefixes_and_standalone_suffixes() {
        assert_eq!(one("Nørregade 7 st. th. er min"), "Nørregade 7 st. th.");
        assert_eq!(
            one("bor på Gammel Kongevej 4, 2. tv."),
            "Gammel Kongevej 4, 2. tv."
        );
        assert_eq!(one("Am Markt 3a, bitte"), "Am Markt 3a");
        assert_eq!(one("Unter den Linden 77"), "Unter den Linden 77");
        assert_eq!(one("in der Frankfurter Allee 5"), "Frankfurter Allee 5");
        assert_eq!(one("Berliner Str. 20"), "Berliner Str. 20");
    }

    #[test]
    fn english_addresses() {
        assert_eq!(
            one("221B Baker Street, London NW1 6XE"),
            "221B Baker Street, London NW1 6XE"
        );
        assert_eq!(
            one("at 1600 Pennsylvania Avenue NW, Washington, DC 20500."),
            "1600 Pennsylvania Avenue NW, Washington, DC 20500"
        );
        assert_eq!(
            one("24 Clarke Avenue, Apt. 117 is"),
            "24 Clarke Avenue, Apt. 117"
        );
        assert_eq!(one("2450 Crown St."), "2450 Crown St");
    }

    #[test]
    fn ordinary_text_is_no_address() {
        for text in [
            "I live on the 3rd floor",
            "order 12 items",
            "Der Weg 5 Minuten",
            "Ich bestelle 3 Stück",
            "bestil 2 stk. til Vesterbro",
            "The 12 Days of Christmas",
            "I bought 2 Samsung Galaxy",
            "version 1.2 road map",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }
}
