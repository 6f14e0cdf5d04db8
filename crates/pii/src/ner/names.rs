//! The name gazetteer behind two tagger features: is this word a known given name, a known
//! surname? The lists (`crates/pii/data/names/`) come from Faker's Danish, German, Dutch and
//! English person providers, its Latin-script providers of the countries customers come from
//! (Turkish, Polish, Romanian, Maghrebi, South Asian, West African, Vietnamese, pinyin, …),
//! and the US Census frequency lists (see their headers and `build.py`); given names that are
//! first of all lower-case words of the four languages ("han", "vi", "will") are left out. The
//! hand-written given names of the language data count too.
//!
//! A gazetteer hit is only a feature: the tagger learns from the training data how much it
//! is worth next to the word's shape and context, so a surname that is also a noun ("Koch",
//! "White") is not a name by itself.

use std::collections::HashSet;
use std::sync::LazyLock;

static GIVEN: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| list(include_str!("../../data/names/given.txt")));
static SURNAMES: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| list(include_str!("../../data/names/surnames.txt")));

fn list(text: &'static str) -> HashSet<&'static str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// Whether `folded` (see [`crate::person::fold`]) is a known given name.
pub(crate) fn is_given(folded: &str) -> bool {
    GIVEN.contains(folded) || crate::person::is_given_name(folded)
}

/// Whether `folded` (see [`crate::person::fold`]) is a known surname.
pub(crate) fn is_surname(folded: &str) -> bool {
    SURNAMES.contains(folded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_hold_folded_names_of_each_language() {
        for given in ["mette", "soren", "jurgen", "sanne", "john"] {
            assert!(is_given(given), "{given}");
        }
        for surname in ["jensen", "muller", "jansen", "smith"] {
            assert!(is_surname(surname), "{surname}");
        }
        // Names of the origin locales, and no function words of the four languages.
        for (given, surname) in [
            ("ayse", "yilmaz"),
            ("agnieszka", "kowalski"),
            ("chinedu", "okonkwo"),
        ] {
            assert!(is_given(given) && is_surname(surname), "{given} {surname}");
        }
        for word in ["han", "vi", "til", "ja", "nu"] {
            assert!(!GIVEN.contains(word), "{word}");
        }
        assert!(
            !is_given("Mette"),
            "entries are folded, lookups must be too"
        );
        assert!(!is_surname("und") && !is_given("the"));
        let lines = include_str!("../../data/names/given.txt")
            .lines()
            .chain(include_str!("../../data/names/surnames.txt").lines())
            .filter(|l| !l.starts_with('#'));
        for line in lines {
            assert_eq!(crate::person::fold(line), line, "not folded: {line}");
        }
    }
}
