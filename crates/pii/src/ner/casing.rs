//! What the words around a capitalised word say about it: which language the text is
//! probably in (from its function words), and how a word is written in that language's
//! running text (`crates/pii/data/casing/`, built by its `build.py` from unlabelled
//! "train, ship" texts). A German capital marks every noun, a Danish or English one mostly a
//! name, so the tagger weighs capitals per language.

use std::collections::HashMap;
use std::sync::LazyLock;

/// The probable language of a text, as a feature value: `?` unknown, else its ISO code's
/// first letter (`a` for Danish, whose `d` German has).
pub(crate) type LangHint = u8;

/// The hint for German.
pub(crate) const GERMAN: LangHint = b'e';

/// Function words that are frequent in one of the four languages and rare as names.
fn vote(word: &str) -> [u8; 4] {
    // da, de, en, nl
    match word {
        "og" | "er" | "det" | "at" | "på" | "til" | "ikke" | "jeg" | "som" | "har" | "af"
        | "var" | "vi" | "med" | "fra" | "skal" | "kan" | "blev" | "også" | "eller" | "hvor"
        | "min" | "jeres" | "efter" | "være" => [1, 0, 0, 0],
        "der" | "die" | "das" | "und" | "ist" | "nicht" | "ich" | "sie" | "es" | "ein" | "eine"
        | "zu" | "mit" | "den" | "von" | "auf" | "für" | "im" | "dem" | "des" | "sich" | "auch"
        | "wir" | "wurde" | "nach" | "bei" | "aus" | "sind" | "war" | "hat" | "zum" | "zur"
        | "einen" | "einer" | "nur" | "noch" | "wie" | "über" | "oder" => [0, 1, 0, 0],
        "the" | "and" | "is" | "to" | "of" | "a" | "that" | "it" | "for" | "was" | "with"
        | "you" | "this" | "are" | "on" | "be" | "have" | "my" | "i" | "not" | "but" | "they"
        | "from" | "by" | "his" | "her" | "has" | "will" | "would" => [0, 0, 1, 0],
        "het" | "een" | "ik" | "niet" | "dat" | "op" | "te" | "zijn" | "voor" | "maar"
        | "wordt" | "werd" | "bij" | "naar" | "ook" | "mijn" | "heb" | "hebben" | "uit" => {
            [0, 0, 0, 1]
        }
        _ => [0; 4],
    }
}

/// The language whose function words outnumber the others' in `words`, or `?`.
pub(crate) fn language_hint<'a>(words: impl Iterator<Item = &'a str>) -> LangHint {
    let mut counts = [0u32; 4];
    for w in words {
        for (c, v) in counts.iter_mut().zip(vote(w)) {
            *c += u32::from(v);
        }
    }
    winner(counts)
}

/// The language whose casing lexicon lists most of `lower_case_words` (words written in lower
/// case in the text) as lower-case words, or `?` on a tie or none. Short lines (signatures,
/// lists, "Follow up with …") often have no function words, yet their lower-case words still
/// belong to one language more than another.
pub(crate) fn language_from_casing<'a>(
    lower_case_words: impl Iterator<Item = &'a str>,
) -> LangHint {
    let mut counts = [0u32; 4];
    for w in lower_case_words {
        for (c, hint) in counts.iter_mut().zip([b'a', b'e', b'n', b'l']) {
            *c += u32::from(matches!(casing(hint, w), b'l' | b'm'));
        }
    }
    winner(counts)
}

/// The language with the most votes in `counts` (da, de, en, nl order), or `?` on a tie or none.
fn winner(counts: [u32; 4]) -> LangHint {
    let best = (0..4).max_by_key(|&i| counts[i]).expect("four languages");
    let tied = counts.iter().filter(|&&c| c == counts[best]).count() > 1;
    if counts[best] == 0 || tied {
        b'?'
    } else {
        [b'a', b'e', b'n', b'l'][best]
    }
}

fn lexicon(text: &'static str) -> HashMap<&'static str, u8> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .filter_map(|(w, c)| Some((w, *c.as_bytes().first()?)))
        .collect()
}

static DA: LazyLock<HashMap<&str, u8>> =
    LazyLock::new(|| lexicon(include_str!("../../data/casing/da.txt")));
static DE: LazyLock<HashMap<&str, u8>> =
    LazyLock::new(|| lexicon(include_str!("../../data/casing/de.txt")));
static EN: LazyLock<HashMap<&str, u8>> =
    LazyLock::new(|| lexicon(include_str!("../../data/casing/en.txt")));
static NL: LazyLock<HashMap<&str, u8>> =
    LazyLock::new(|| lexicon(include_str!("../../data/casing/nl.txt")));

/// How `lower` (a lower-cased word) is written in running text of language `hint`: `l` mostly
/// in lower case, `c` capitalised, `m` capitalised more often but common in lower case too, `C` capitalised and frequent, `-` unseen, `?` no language.
pub(crate) fn casing(hint: LangHint, lower: &str) -> u8 {
    let lexicon: &HashMap<&str, u8> = match hint {
        b'a' => &DA,
        b'e' => &DE,
        b'n' => &EN,
        b'l' => &NL,
        _ => return b'?',
    };
    lexicon.get(lower).copied().unwrap_or(b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_words_name_the_language() {
        let hint = |t: &str| language_hint(t.split(' '));
        assert_eq!(hint("Gestern hat die Kundin und ich telefoniert"), b'e');
        assert_eq!(hint("Jeg har ringet til jer og det virker ikke"), b'a');
        assert_eq!(hint("I called you and the parcel is lost"), b'n');
        assert_eq!(hint("Ik heb het pakket niet ontvangen"), b'l');
        assert_eq!(hint("Anna Berg"), b'?');
    }

    #[test]
    fn lines_without_function_words_get_the_language_of_their_lower_case_words() {
        let hint = |t: &str| {
            // The tagger passes the words written in lower case.
            let words: Vec<String> = t
                .split(' ')
                .filter(|w| w.chars().next().is_some_and(char::is_lowercase))
                .map(str::to_lowercase)
                .collect();
            language_from_casing(words.iter().map(String::as_str))
        };
        assert_eq!(language_hint("Mange tak Anna".split(' ')), b'?');
        assert_eq!(hint("Mange tak, venligst Anna Berg"), b'a');
        assert_eq!(hint("Vielen Dank, bitte Anna Berg"), b'e');
        assert_eq!(hint("Many thanks, please Anna Berg"), b'n');
        assert_eq!(hint("Alvast bedankt, graag Anna Berg"), b'l');
        // Names and unknown words alone decide nothing.
        assert_eq!(hint("Anna Berg"), b'?');
        assert_eq!(hint("Anna xqzt"), b'?');
    }

    #[test]
    fn german_nouns_are_capitalised_and_function_words_not() {
        assert_eq!(casing(b'e', "und"), b'l');
        assert!(matches!(casing(b'e', "regierung"), b'c' | b'C'));
        assert_eq!(casing(b'n', "the"), b'l');
        assert_eq!(casing(b'?', "the"), b'?');
    }
}
