//! Candidate finding shared by the recognisers: numbers as people write them, word
//! boundaries, and context words.
//!
//! A number such as `1234.56.782`, `12 345 678 901` or `070761-4285` is read as a *digit run*:
//! groups of ASCII digits joined by single separators. Dots and dashes bind groups into one
//! *unit*; a single space separates units, and a candidate identifier is any sequence of whole
//! units with the right number of digits. So `BSN 1234.56.782 06 12345678` offers the BSN
//! `1234.56.782` without also offering `56.782 06 1234`, while `12 345 678 901` is still one
//! Steuer-ID. Everything here is linear in the length of the text.

use candor_core::Span;

/// Characters that join digit groups into one unit: `.`, `-` and the Unicode hyphens and
/// dashes people paste from word processors (U+2010 to U+2013).
fn is_joiner(c: char) -> bool {
    matches!(c, '.' | '-' | '\u{2010}'..='\u{2013}')
}

/// Characters that make a neighbouring match part of a larger token: letters, digits, `_`
/// (identifiers) and `@` (an e-mail address's local part).
fn is_glue(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '@'
}

/// Whether the text just before `start` continues the token that starts there: glue, or a
/// decimal separator or joiner after a digit (`1,123456782`).
pub(crate) fn glued_before(text: &str, start: usize) -> bool {
    let mut before = text[..start].chars().rev();
    match before.next() {
        Some(c) if is_glue(c) => true,
        Some(c) if c == ',' || is_joiner(c) => before.next().is_some_and(|d| d.is_ascii_digit()),
        _ => false,
    }
}

/// Whether the text just after `end` continues the token that ends there: glue, or a decimal
/// separator or joiner followed by a digit (`123456782,50`).
pub(crate) fn glued_after(text: &str, end: usize) -> bool {
    let mut after = text[end..].chars();
    match after.next() {
        Some(c) if is_glue(c) => true,
        Some(c) if c == ',' || is_joiner(c) => after.next().is_some_and(|d| d.is_ascii_digit()),
        _ => false,
    }
}

/// Whether the match at `span` stands alone: no letter, digit, `_` or `@` glued to either side.
pub(crate) fn stands_alone(text: &str, span: Span) -> bool {
    !glued_before(text, span.start) && !glued_after(text, span.end)
}

/// Digit groups joined by dots or dashes, e.g. `1234.56.782` or `070761-4285`: where it is,
/// and its share of the run's digits and groups.
#[derive(Debug)]
struct Unit {
    span: Span,
    digits_end: usize,
    groups_end: usize,
}

/// Units separated by single spaces.
#[derive(Debug, Default)]
struct DigitRun {
    /// Every digit of the run, so that a window's digits are one slice of it.
    digits: String,
    /// Every group length of the run, in order.
    groups: Vec<usize>,
    units: Vec<Unit>,
    /// A `+` stands before the first unit: it is the country code of a phone number.
    plus_prefixed: bool,
    /// A letter, digit, `_` or `@` follows the last unit, so the last unit belongs to a longer
    /// token.
    glued_right: bool,
}

/// A candidate number: whole units of one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Window<'a> {
    /// Where it is in the text.
    pub(crate) span: Span,
    /// The digits alone.
    pub(crate) digits: &'a str,
    /// The lengths of its digit groups, in order (`070761-4285` gives `[6, 4]`).
    pub(crate) groups: &'a [usize],
}

impl DigitRun {
    /// Reads the run that starts with the digit at `i`; returns it and where it ends.
    fn read(text: &str, mut i: usize) -> (DigitRun, usize) {
        let bytes = text.as_bytes();
        let mut run = DigitRun::default();
        let mut unit_start = i;
        loop {
            let group_start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            run.digits.push_str(&text[group_start..i]);
            run.groups.push(i - group_start);
            // A separator continues the run only if a digit follows it directly.
            let sep = text[i..].chars().next();
            let next = i + sep.map_or(0, char::len_utf8);
            let continues = bytes.get(next).is_some_and(u8::is_ascii_digit);
            match sep {
                Some(c) if continues && is_joiner(c) => {}
                Some(' ') if continues => {
                    run.end_unit(unit_start, i);
                    unit_start = next;
                }
                _ => {
                    run.end_unit(unit_start, i);
                    return (run, i);
                }
            }
            i = next;
        }
    }

    fn end_unit(&mut self, start: usize, end: usize) {
        self.units.push(Unit {
            span: Span::new(start, end),
            digits_end: self.digits.len(),
            groups_end: self.groups.len(),
        });
    }

    /// Calls `f` with every sequence of whole units with `min..=max` digits, except those
    /// that include a unit glued to a longer token or the country code after a `+`.
    fn windows(&self, min: usize, max: usize, f: &mut impl FnMut(Window<'_>)) {
        let last = self.units.len() - 1;
        for i in usize::from(self.plus_prefixed)..self.units.len() {
            let (digits_start, groups_start) = match i {
                0 => (0, 0),
                _ => (self.units[i - 1].digits_end, self.units[i - 1].groups_end),
            };
            for j in i..self.units.len() {
                let unit = &self.units[j];
                let count = unit.digits_end - digits_start;
                if count > max || (j == last && self.glued_right) {
                    break;
                }
                if count >= min {
                    f(Window {
                        span: Span::new(self.units[i].span.start, unit.span.end),
                        digits: &self.digits[digits_start..unit.digits_end],
                        groups: &self.groups[groups_start..unit.groups_end],
                    });
                }
            }
        }
    }
}

/// Calls `f` with every candidate number in `text` with `min..=max` digits.
///
/// A run glued to a letter on its left (the digits of `DK50 0040 0440 …`) offers no
/// candidates: it is the tail of a longer token.
pub(crate) fn numbers(text: &str, min: usize, max: usize, mut f: impl FnMut(Window<'_>)) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        let (mut run, end) = DigitRun::read(text, start);
        i = end;
        if glued_before(text, start) {
            continue;
        }
        run.plus_prefixed = text[..start].ends_with('+');
        run.glued_right = glued_after(text, end);
        run.windows(min, max, &mut f);
    }
}

/// How far before a match context words are looked for, in bytes, before widening to the
/// start of the word cut in half.
const CONTEXT_BEFORE: usize = 48;
/// How far after a match context words are looked for, in bytes.
const CONTEXT_AFTER: usize = 24;
/// How far a window is widened to reach a whole word.
const WORD_SLACK: usize = 32;

/// Whether one of `words` appears near `span`: up to 48 bytes before it or 24 after it, as
/// whole words, ignoring case. An entry of several words (`"tax id"`) matches those words in
/// a row, whatever separates them (`Tax-ID`, `tax ID:`).
pub(crate) fn has_context(text: &str, span: Span, words: &[&str]) -> bool {
    let mut start = floor_boundary(text, span.start.saturating_sub(CONTEXT_BEFORE));
    let limit = floor_boundary(text, start.saturating_sub(WORD_SLACK));
    while start > limit {
        match text[..start].chars().next_back() {
            Some(c) if c.is_alphanumeric() => start -= c.len_utf8(),
            _ => break,
        }
    }
    let mut end = ceil_boundary(text, (span.end + CONTEXT_AFTER).min(text.len()));
    let limit = ceil_boundary(text, (end + WORD_SLACK).min(text.len()));
    while end < limit {
        match text[end..].chars().next() {
            Some(c) if c.is_alphanumeric() => end += c.len_utf8(),
            _ => break,
        }
    }
    let before = words_of(&text[start..span.start]);
    let after = words_of(&text[span.end..end]);
    words.iter().any(|entry| {
        let entry: Vec<&str> = entry.split(' ').collect();
        contains_run(&before, &entry) || contains_run(&after, &entry)
    })
}

fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn contains_run(words: &[String], entry: &[&str]) -> bool {
    !entry.is_empty()
        && words
            .windows(entry.len())
            .any(|w| w.iter().zip(entry).all(|(a, b)| a == b))
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// The base score, or the higher score when a context word is near.
pub(crate) fn scored(text: &str, span: Span, words: &[&str], base: f32, with_context: f32) -> f32 {
    if has_context(text, span, words) {
        with_context
    } else {
        base
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn windows(text: &str, min: usize, max: usize) -> Vec<(Span, String, Vec<usize>)> {
        let mut out = Vec::new();
        numbers(text, min, max, |w| {
            out.push((w.span, w.digits.to_owned(), w.groups.to_vec()));
        });
        out
    }

    fn shown(text: &str, min: usize, max: usize) -> Vec<(&str, Vec<usize>)> {
        windows(text, min, max)
            .into_iter()
            .map(|(span, digits, groups)| {
                assert_eq!(
                    digits,
                    text[span.start..span.end].replace(|c: char| !c.is_ascii_digit(), "")
                );
                (&text[span.start..span.end], groups)
            })
            .collect()
    }

    #[test]
    fn units_split_at_spaces_and_join_at_dots_and_dashes() {
        assert_eq!(
            shown("BSN 1234.56.782 06 12345678", 9, 9),
            vec![("1234.56.782", vec![4, 2, 3])]
        );
        assert_eq!(
            shown("Steuer-ID 12 345 678 901.", 11, 11),
            vec![("12 345 678 901", vec![2, 3, 3, 3])]
        );
        assert_eq!(
            shown("cpr 070761–4285", 10, 10),
            vec![("070761–4285", vec![6, 4])],
            "an en dash joins like a hyphen"
        );
    }

    #[test]
    fn runs_glued_to_words_or_decimals_are_skipped() {
        assert!(shown("DK50 0040 0440 1162 43", 9, 10).is_empty());
        assert!(shown("x111222333", 9, 9).is_empty());
        assert!(shown("111222333@example.nl", 9, 9).is_empty());
        assert!(shown("1,111222333", 9, 9).is_empty());
        assert!(shown("111222333,50 EUR", 9, 9).is_empty());
        assert_eq!(shown("Nr.111222333 ok", 9, 9)[0].0, "111222333");
        // Only the unit touching the glue is lost.
        assert_eq!(shown("111222333 12kg", 9, 9)[0].0, "111222333");
        // The country code after a `+` never starts a window.
        assert!(shown("+31 111222333", 11, 12).is_empty());
        assert_eq!(shown("+31 111222333", 9, 9)[0].0, "111222333");
    }

    #[test]
    fn context_words_match_whole_words_near_the_match_in_any_case() {
        let text = "Mein Steuer-ID lautet 12 345 678 901, danke";
        let span = windows(text, 11, 11)[0].0;
        assert!(has_context(text, span, &["steuer id"]));
        assert!(has_context(text, span, &["danke"]));
        assert!(!has_context(text, span, &["steuerid"]));
        assert!(!has_context(text, span, &["teuer"]));
        let far = format!("CPR {} 0707614285", "x".repeat(60));
        let span = windows(&far, 10, 10)[0].0;
        assert!(!has_context(&far, span, &["cpr"]));
        // A word cut by the window is read whole.
        let cut = format!("Steueridentifikationsnummer{} 36574261809", " ".repeat(30));
        let span = windows(&cut, 11, 11)[0].0;
        assert!(has_context(&cut, span, &["steueridentifikationsnummer"]));
    }

    #[test]
    fn context_windows_never_split_characters() {
        let text = "ææææææææææææææææææææææææææææææææææææææææ 111222333 øøøøøøøøøøøøøøøøøøøøøøøøøø";
        let span = windows(text, 9, 9)[0].0;
        assert!(!has_context(text, span, &["bsn"]));
    }
}
