//! How frequent a word is in general text of each language (`crates/pii/data/wordfreq/`,
//! built by its `build.py` from the `wordfreq` package). German capitalises every noun, so a
//! lone capitalised word is ambiguous there; a frequent German word that the other languages
//! lack is likely a noun ("Regierung"), a rare one or one that every language shares is more
//! likely a name ("Pofalla", "Peter").

use std::collections::HashMap;
use std::sync::LazyLock;

use super::casing::LangHint;

static WORDS: LazyLock<HashMap<&'static str, [u8; 4]>> = LazyLock::new(|| {
    include_str!("../../data/wordfreq/words.txt")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .filter_map(|(w, b)| {
            let b = b.as_bytes();
            (b.len() == 4).then(|| (w, [b[0] - b'0', b[1] - b'0', b[2] - b'0', b[3] - b'0']))
        })
        .collect()
});

/// The frequency band (0 unseen, 1–7 Zipf) of `lower` (a lower-cased word) in Danish,
/// German, English and Dutch.
pub(crate) fn bands(lower: &str) -> [u8; 4] {
    let found = if lower.contains('ß') {
        // wordfreq folds "ß" to "ss".
        WORDS.get(lower.replace('ß', "ss").as_str()).copied()
    } else {
        WORDS.get(lower).copied()
    };
    found.unwrap_or([0; 4])
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
    fn the_language_hint_picks_the_band() {
        assert_eq!(in_language(b'e', [1, 5, 2, 0]), (5, 2));
        assert_eq!(in_language(b'a', [1, 5, 2, 0]), (1, 5));
        assert_eq!(in_language(b'?', [1, 5, 2, 0]), (5, b'?'));
    }
}
