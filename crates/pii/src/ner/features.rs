//! Words and their features: the tokeniser shared by training and tagging, and hashed
//! features of word form, affixes, shape, capitalisation, position and neighbouring words.
//!
//! Features are hashed into `2^bits` buckets (the "hashing trick"), so the model holds no
//! vocabulary and its size is fixed whatever the training data.

use candor_core::Span;
use unicode_normalization::char::is_combining_mark;

/// The version of the feature templates below. A model records the version it was trained
/// with; a change to any template must bump it, so that an old model is refused rather than
/// read with features it never saw.
pub(crate) const FEATURES_VERSION: u8 = 6;

/// Features per token: every template yields exactly one.
pub(crate) const PER_TOKEN: usize = 35;

/// The tokens of `text`: runs of letters and digits (with inner hyphens and apostrophes, as
/// in `Hans-Peter` and `O'Brien`), and every other non-space character alone.
pub(crate) fn tokens(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let wordish = c.is_alphanumeric() || (start.is_some() && is_combining_mark(c));
        let inner = matches!(c, '-' | '\'' | '’')
            && start.is_some()
            && chars.peek().is_some_and(|(_, n)| n.is_alphanumeric());
        if wordish || inner {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            out.push(Span::new(s, i));
        }
        if !c.is_whitespace() {
            out.push(Span::new(i, i + c.len_utf8()));
        }
    }
    if let Some(s) = start {
        out.push(Span::new(s, text.len()));
    }
    out
}

/// Lower-cased forms and shapes of a text's tokens, kept in two shared buffers so that a
/// message costs two allocations, not two per token.
struct Forms {
    lower: String,
    lower_at: Vec<(usize, usize)>,
    shape: String,
    shape_at: Vec<(usize, usize)>,
    capitalised: Vec<bool>,
    /// Gazetteer class of each capitalised token: `-` none, `g` given name, `s` surname,
    /// `b` both (see `names.rs`); lower-case tokens are always `-`.
    known: Vec<u8>,
}

/// The longest shape kept: `Xxxxx` and `Xxxxxxxxx` are both "a capitalised word".
const MAX_SHAPE: usize = 5;

impl Forms {
    fn new(text: &str, tokens: &[Span]) -> Forms {
        let mut f = Forms {
            lower: String::with_capacity(text.len()),
            lower_at: Vec::with_capacity(tokens.len()),
            shape: String::with_capacity(tokens.len() * 4),
            shape_at: Vec::with_capacity(tokens.len()),
            capitalised: Vec::with_capacity(tokens.len()),
            known: Vec::with_capacity(tokens.len()),
        };
        for t in tokens {
            let word = &text[t.start..t.end];
            let start = f.lower.len();
            f.lower.extend(word.chars().flat_map(char::to_lowercase));
            f.lower_at.push((start, f.lower.len()));
            let start = f.shape.len();
            let mut last = None;
            let mut n = 0;
            for c in word.chars() {
                let class = if c.is_uppercase() {
                    'X'
                } else if c.is_lowercase() {
                    'x'
                } else if c.is_numeric() {
                    'd'
                } else {
                    c
                };
                if last != Some(class) && n < MAX_SHAPE {
                    f.shape.push(class);
                    n += 1;
                }
                last = Some(class);
            }
            f.shape_at.push((start, f.shape.len()));
            let capitalised = word.chars().next().is_some_and(char::is_uppercase);
            f.capitalised.push(capitalised);
            let lower = &f.lower[f.lower_at.last().map_or(0, |r| r.0)..];
            // Names are stored folded; an ASCII word folds to its lower case, so only other
            // words pay for folding.
            let known = if !capitalised {
                b'-'
            } else if lower.is_ascii() {
                known_class(lower)
            } else {
                known_class(&crate::person::fold(word))
            };
            f.known.push(known);
        }
        f
    }

    fn known(&self, i: isize) -> u8 {
        usize::try_from(i)
            .ok()
            .and_then(|i| self.known.get(i).copied())
            .unwrap_or(b'.')
    }

    fn lower(&self, i: usize) -> &str {
        let (a, b) = self.lower_at[i];
        &self.lower[a..b]
    }

    fn shape(&self, i: usize) -> &str {
        let (a, b) = self.shape_at[i];
        &self.shape[a..b]
    }
}

fn known_class(folded: &str) -> u8 {
    match (
        super::names::is_given(folded),
        super::names::is_surname(folded),
    ) {
        (true, true) => b'b',
        (true, false) => b'g',
        (false, true) => b's',
        (false, false) => b'-',
    }
}

/// FNV-1a of a feature part: each word and shape is hashed once per text, and templates
/// combine the hashes of their parts (see [`bucket`]).
fn hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The bucket of a template number and the hashes of its parts, with a final mix so that every
/// bit of the bucket depends on every part and their order.
fn bucket(bits: u8, template: u8, parts: &[u64]) -> u32 {
    let mut h: u64 = 0x9e37_79b9_7f4a_7c15 ^ u64::from(template);
    for &p in parts {
        h = (h.rotate_left(23) ^ p).wrapping_mul(0x0000_0100_0000_01b3);
    }
    // The splitmix64 finaliser.
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^= h >> 31;
    (h >> (64 - u32::from(bits))) as u32
}

/// The last `n` characters of `s`, or all of it.
fn suffix(s: &str, n: usize) -> &str {
    match s.char_indices().rev().nth(n - 1) {
        Some((i, _)) => &s[i..],
        None => s,
    }
}

/// The first `n` characters of `s`, or all of it.
fn prefix(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Whether token `i` opens a sentence: the first token, one after `.`, `!`, `?` or `:`, or
/// the first on a line (messages start greetings, sign-offs and list items on new lines
/// without a full stop). Capitalisation there says nothing about names.
pub(crate) fn opens_sentence(text: &str, tokens: &[Span], i: usize) -> bool {
    i == 0
        || matches!(
            &text[tokens[i - 1].start..tokens[i - 1].end],
            "." | "!" | "?" | ":"
        )
        || text[tokens[i - 1].end..tokens[i].start].contains('\n')
}

/// The hashed features of every token of `text`, [`PER_TOKEN`] per token, in token order.
pub(crate) fn features(text: &str, tokens: &[Span], bits: u8) -> Vec<u32> {
    let forms = Forms::new(text, tokens);
    let n = tokens.len();
    let mut out = Vec::with_capacity(n * PER_TOKEN);
    let words: Vec<u64> = (0..n).map(|i| hash(forms.lower(i).as_bytes())).collect();
    let shapes: Vec<u64> = (0..n).map(|i| hash(forms.shape(i).as_bytes())).collect();
    let (before, after, outside) = (hash(b"<s>"), hash(b"</s>"), hash(b"-"));
    let word = |i: isize| -> u64 {
        match usize::try_from(i) {
            Ok(i) if i < n => words[i],
            Ok(_) => after,
            Err(_) => before,
        }
    };
    let shape = |i: isize| -> u64 {
        match usize::try_from(i) {
            Ok(i) if i < n => shapes[i],
            _ => outside,
        }
    };
    let flag = |b: bool| -> u64 { u64::from(b) + 1 };
    // A capital means "noun" in German and mostly "name" elsewhere, so capitalisation
    // features also come paired with the text's probable language and with how the word is
    // written in that language's running text (see `casing.rs`).
    let mut hint = super::casing::language_hint((0..n).map(|i| forms.lower(i)));
    if hint == b'?' {
        hint = super::casing::language_from_casing(
            (0..n)
                .filter(|&i| !forms.capitalised[i])
                .map(|i| forms.lower(i)),
        );
    }
    let lang = u64::from(hint);
    for i in 0..n {
        let j = i as isize;
        let lw = forms.lower(i);
        let affix = |s: &str| hash(s.as_bytes());
        let cap = flag(forms.capitalised[i]);
        let first = flag(opens_sentence(text, tokens, i));
        let casing = u64::from(super::casing::casing(hint, lw));
        let known = |d: isize| u64::from(forms.known(j + d));
        let f = [
            bucket(bits, 0, &[]),
            bucket(bits, 1, &[word(j)]),
            bucket(bits, 2, &[affix(suffix(lw, 2))]),
            bucket(bits, 3, &[affix(suffix(lw, 3))]),
            bucket(bits, 4, &[affix(suffix(lw, 4))]),
            bucket(bits, 5, &[affix(prefix(lw, 3))]),
            bucket(bits, 6, &[shape(j)]),
            bucket(bits, 7, &[word(j - 1)]),
            bucket(bits, 8, &[word(j + 1)]),
            bucket(bits, 9, &[word(j - 2)]),
            bucket(bits, 10, &[word(j + 2)]),
            bucket(bits, 11, &[shape(j - 1), shape(j)]),
            bucket(bits, 12, &[shape(j), shape(j + 1)]),
            bucket(bits, 13, &[first, shape(j)]),
            bucket(bits, 14, &[known(0), cap]),
            bucket(bits, 15, &[word(j - 1), cap]),
            bucket(bits, 16, &[affix(suffix(lw, 1))]),
            bucket(bits, 17, &[affix(prefix(lw, 2))]),
            bucket(bits, 18, &[affix(prefix(lw, 4))]),
            bucket(bits, 19, &[known(-1), known(0), known(1), first]),
            bucket(bits, 20, &[word(j + 1), cap]),
            bucket(bits, 21, &[word(j - 1), word(j)]),
            bucket(bits, 22, &[word(j), word(j + 1)]),
            bucket(bits, 23, &[shape(j - 1), shape(j), shape(j + 1)]),
            bucket(bits, 24, &[word(j), first]),
            bucket(bits, 25, &[word(j - 1), shape(j + 1), cap]),
            bucket(bits, 26, &[shape(j - 1), word(j - 2), cap]),
        ];
        out.extend_from_slice(&f);
        let len_bucket = match lw.chars().count() {
            0..=3 => 1u64,
            4..=5 => 2,
            6..=7 => 3,
            8..=10 => 4,
            _ => 5,
        };
        out.extend_from_slice(&[
            bucket(bits, 27, &[lang, shape(j), first]),
            bucket(bits, 28, &[lang, cap, known(0)]),
            bucket(bits, 29, &[casing, cap, first]),
            bucket(bits, 30, &[lang, casing, cap, first]),
            // German compounds are long; names rarely are.
            bucket(bits, 31, &[lang, len_bucket, cap]),
        ]);
        // How frequent the word is in general text of the text's language and of the others
        // (see `freq.rs`): a German noun is frequent in German only, a name often everywhere.
        let (band, others) = super::freq::in_language(hint, super::freq::bands(lw));
        let (band, others) = (u64::from(band), u64::from(others));
        out.extend_from_slice(&[
            bucket(bits, 32, &[lang, band, cap, first]),
            bucket(bits, 33, &[lang, band, others, cap]),
            bucket(bits, 34, &[known(0), band, cap]),
        ]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        tokens(text).iter().map(|s| &text[s.start..s.end]).collect()
    }

    #[test]
    fn tokens_keep_inner_hyphens_and_split_punctuation() {
        assert_eq!(
            words("Hej, jeg er Hans-Peter O'Brien (Søren's ven)."),
            [
                "Hej",
                ",",
                "jeg",
                "er",
                "Hans-Peter",
                "O'Brien",
                "(",
                "Søren's",
                "ven",
                ")",
                "."
            ]
        );
        assert_eq!(words("  "), Vec::<&str>::new());
        assert_eq!(words("-a- e\u{301}"), ["-", "a", "-", "e\u{301}"]);
    }

    #[test]
    fn every_token_gets_the_same_number_of_features_in_range() {
        let text = "Mette bor i Århus. ring 22";
        let t = tokens(text);
        let f = features(text, &t, 12);
        assert_eq!(f.len(), t.len() * PER_TOKEN);
        assert!(f.iter().all(|b| *b < 1 << 12));
        // The same word in the same place gets the same features; another word, others.
        assert_eq!(
            f[..PER_TOKEN],
            features("Mette bor i", &tokens("Mette bor i"), 12)[..PER_TOKEN]
        );
        assert_ne!(f[1], features("Jonas bor", &tokens("Jonas bor"), 12)[1]);
    }

    #[test]
    fn lines_open_sentences() {
        let text = "Thanks for the help\nBest regards\nJohn. Anna";
        let t = tokens(text);
        let opens: Vec<&str> = (0..t.len())
            .filter(|&i| opens_sentence(text, &t, i))
            .map(|i| &text[t[i].start..t[i].end])
            .collect();
        assert_eq!(opens, ["Thanks", "Best", "John", "Anna"]);
    }

    #[test]
    fn affixes_count_characters_not_bytes() {
        assert_eq!(suffix("jørgen", 4), "rgen");
        assert_eq!(suffix("æø", 3), "æø");
        assert_eq!(prefix("øster", 3), "øst");
    }
}
