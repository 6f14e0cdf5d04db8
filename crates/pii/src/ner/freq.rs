//! How frequent a word is in general text of each language (`crates/pii/data/wordfreq/`,
//! built by its `build.py` from the `wordfreq` package). German capitalises every noun, so a
//! lone capitalised word is ambiguous there; a frequent German word that the other languages
//! lack is likely a noun ("Regierung"), a rare one or one that every language shares is more
//! likely a name ("Pofalla", "Peter").

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

use super::casing::LangHint;

/// FNV-1a of a word: the table is keyed by this 64-bit hash rather than by the word, which
/// halves its memory (about 95,000 words; a collision among them, or with a word looked up,
/// is a one-in-billions event and would only change one feature's value).
fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The keys are hashes already; one multiply spreads them over the table's buckets.
#[derive(Default)]
struct Premixed(u64);

impl Hasher for Premixed {
    fn finish(&self) -> u64 {
        self.0.wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 = fnv(bytes);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Each word's four bands, four bits each (da in the lowest).
static WORDS: LazyLock<HashMap<u64, u16, BuildHasherDefault<Premixed>>> = LazyLock::new(|| {
    include_str!("../../data/wordfreq/words.txt")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .filter_map(|(w, b)| {
            let b = b.as_bytes();
            let packed = b.iter().rev().try_fold(0u16, |acc, &c| {
                c.is_ascii_digit().then(|| acc << 4 | u16::from(c - b'0'))
            })?;
            (b.len() == 4).then(|| (fnv(w.as_bytes()), packed))
        })
        .collect()
});

/// The frequency band (0 unseen, 1–7 Zipf) of `lower` (a lower-cased word) in Danish,
/// German, English and Dutch.
pub(crate) fn bands(lower: &str) -> [u8; 4] {
    let key = if lower.contains('ß') {
        // wordfreq folds "ß" to "ss".
        fnv(lower.replace('ß', "ss").as_bytes())
    } else {
        fnv(lower.as_bytes())
    };
    let packed = WORDS.get(&key).copied().unwrap_or(0);
    std::array::from_fn(|i| (packed >> (4 * i) & 0xf) as u8)
}

/// The band of a word in the text's probable language and the highest band among the other
/// languages; with no language, the highest band and `?`.
pub(crate) fn in_language(hint: LangHint, bands: [u8; 4]) -> (u8, u8) {
    let at = match hint {
        b'a' => 0,
        b'e' => 1,
        b'n' => 2,
        b'l' => 3,
        _ => return (bands.into_iter().max().unwrap_or(0), b'?'),
    };
    let others = (0..4)
        .filter(|&i| i != at)
        .map(|i| bands[i])
        .max()
        .unwrap_or(0);
    (bands[at], others)
}

/// The band from which a word counts as very frequent (Zipf 5: once in 100,000 words).
const VERY_FREQUENT: u8 = 5;
/// Letters tried in place of, or next to, a word's letters when looking for the word it may
/// be a slip of.
const LETTERS: &str = "abcdefghijklmnopqrstuvwxyzæøåäöüéß";

/// Whether `lower` (a lower-cased word) is in no language's frequency list but one slip of
/// the keyboard (a letter dropped, added, changed or two swapped) away from a very frequent
/// word: "Pease" for "Please", "Jeers" for "Jeres". At the start of a sentence such a word is
/// capitalised by position only, and its rarity would otherwise make it look like a surname.
pub(crate) fn looks_like_slip(lower: &str) -> bool {
    let chars: Vec<char> = lower.chars().collect();
    if chars.len() < 3 || !chars.iter().all(|c| c.is_alphabetic()) || bands(lower) != [0; 4] {
        return false;
    }
    let frequent = |w: &str| bands(w).iter().any(|&b| b >= VERY_FREQUENT);
    let mut candidate = String::with_capacity(lower.len() + 4);
    let mut try_word = |parts: &mut dyn Iterator<Item = char>| {
        candidate.clear();
        candidate.extend(parts);
        frequent(&candidate)
    };
    for i in 0..chars.len() {
        let (before, after) = (&chars[..i], &chars[i + 1..]);
        if try_word(&mut before.iter().chain(after).copied()) {
            return true;
        }
        if i + 1 < chars.len() {
            let swapped = [chars[i + 1], chars[i]];
            let rest = &chars[i + 2..];
            if try_word(&mut before.iter().chain(&swapped).chain(rest).copied()) {
                return true;
            }
        }
        for l in LETTERS.chars() {
            if l != chars[i]
                && try_word(
                    &mut before
                        .iter()
                        .copied()
                        .chain([l])
                        .chain(after.iter().copied()),
                )
            {
                return true;
            }
        }
    }
    for i in 0..=chars.len() {
        for l in LETTERS.chars() {
            let (before, after) = chars.split_at(i);
            if try_word(
                &mut before
                    .iter()
                    .copied()
                    .chain([l])
                    .chain(after.iter().copied()),
            ) {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_nouns_are_german_and_shared_names_are_everywhere() {
        let regierung = bands("regierung");
        assert!(regierung[1] >= 4 && regierung[0] <= 1 && regierung[2] <= 2);
        let peter = bands("peter");
        assert!(peter.iter().all(|&b| b >= 4), "{peter:?}");
        assert!(bands("straße")[1] >= 4, "ß is folded as wordfreq folds it");
        assert_eq!(bands("pofalla"), [0; 4]);
        assert!(bands("venligst")[0] >= 3 && bands("venligst")[1] == 0);
        assert!(bands("niet")[3] >= 5 && bands("the")[2] >= 6);
    }

    #[test]
    fn slips_of_frequent_words_are_told_from_rare_names() {
        // da, de, en, nl: a letter swapped, dropped, changed, added.
        assert!(looks_like_slip("jeers"));
        assert!(looks_like_slip("bitet"));
        assert!(looks_like_slip("pease"));
        assert!(looks_like_slip("maaar"));
        // Listed words, rare names and short words are no slips.
        assert!(!looks_like_slip("please"));
        assert!(!looks_like_slip("peter"));
        assert!(!looks_like_slip("pofalla"));
        assert!(!looks_like_slip("holinka"));
        assert!(!looks_like_slip("ab"));
    }

    #[test]
    fn the_language_hint_picks_the_band() {
        assert_eq!(in_language(b'e', [1, 5, 2, 0]), (5, 2));
        assert_eq!(in_language(b'a', [1, 5, 2, 0]), (1, 5));
        assert_eq!(in_language(b'?', [1, 5, 2, 0]), (5, b'?'));
    }
}
