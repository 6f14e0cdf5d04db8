//! Spelling: one misspelt word must not change what Candor understands.
//!
//! A word of four or more letters that is not in the language's word list is replaced by the
//! most frequent listed word one edit away (a letter dropped, added, changed, or two
//! neighbours swapped), before the intent, sentiment and frustration models read the text.
//! Words with no such neighbour, and words that are listed, are left as they are; so are
//! pseudonyms and anything with a digit.
//!
//! The word lists (`spelling/<lang>.txt`, `word<TAB>count`, most frequent first) are data built
//! by `examples/build_spelling.rs` from the intent training data, the knowledge base and
//! public corpora licensed for shipping (sources in each file's header and in `NOTICE`).
//!
//! ```
//! use candor_classify::spelling::Speller;
//! use candor_core::Lang;
//! let s = Speller::builtin();
//! assert_eq!(s.correct("I want to cnacel my order", Some(Lang::EN)).text, "I want to cancel my order");
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use candor_core::Lang;
use sha2::{Digest, Sha256};

/// Shortest misspelt word that is corrected: shorter words have too many neighbours.
const MIN_LETTERS: usize = 4;

/// A word list that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SpellingError {
    /// A line that is not `word<TAB>count`.
    #[error("{origin}: line {line}: expected `word<TAB>count`")]
    BadLine {
        /// Which list.
        origin: String,
        /// 1-based line number.
        line: usize,
    },
}

/// One corrected word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    /// As written.
    pub from: String,
    /// As read.
    pub to: String,
}

/// The text as the models read it, with the corrections made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corrected {
    /// The corrected text.
    pub text: String,
    /// What was changed, in text order.
    pub corrections: Vec<Correction>,
}

struct WordList {
    counts: HashMap<String, u32>,
    alphabet: Vec<char>,
}

const BUILTIN: &[(Lang, &str)] = &[
    (Lang::DA, include_str!("../spelling/da.txt")),
    (Lang::DE, include_str!("../spelling/de.txt")),
    (Lang::EN, include_str!("../spelling/en.txt")),
    (Lang::NL, include_str!("../spelling/nl.txt")),
];

/// Corrects one-edit misspellings against per-language word lists. See the module docs.
pub struct Speller {
    lists: BTreeMap<Lang, WordList>,
    version: String,
}

impl fmt::Debug for Speller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Speller")
            .field("languages", &self.lists.keys().collect::<Vec<_>>())
            .field("version", &self.version)
            .finish()
    }
}

impl Speller {
    /// The shipped word lists for Danish, Dutch, German and English.
    ///
    /// # Panics
    ///
    /// Never for the shipped files: a test parses each of them.
    pub fn builtin() -> Speller {
        Speller::from_lists(BUILTIN.iter().map(|(l, t)| (*l, *t)))
            .unwrap_or_else(|e| panic!("shipped word list is invalid: {e}"))
    }

    /// Word lists from `(language, text)` pairs: `word<TAB>count` lines, `#` comments.
    ///
    /// # Errors
    ///
    /// A line that is not a word and a count.
    pub fn from_lists<'a>(
        lists: impl IntoIterator<Item = (Lang, &'a str)>,
    ) -> Result<Speller, SpellingError> {
        let mut out = BTreeMap::new();
        let mut hash = Sha256::new();
        for (lang, text) in lists {
            hash.update(lang.code().as_bytes());
            hash.update(text.as_bytes());
            let origin = format!("spelling {lang}.txt");
            let mut counts = HashMap::new();
            let mut alphabet = BTreeSet::new();
            for (i, line) in text.lines().enumerate() {
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let bad = || SpellingError::BadLine {
                    origin: origin.clone(),
                    line: i + 1,
                };
                let (word, count) = line.split_once('\t').ok_or_else(bad)?;
                let count: u32 = count.trim().parse().map_err(|_| bad())?;
                if word.is_empty() || word.chars().any(|c| !c.is_alphabetic()) {
                    return Err(bad());
                }
                let word = word.to_lowercase();
                alphabet.extend(word.chars());
                *counts.entry(word).or_insert(0) += count;
            }
            out.insert(
                lang,
                WordList {
                    counts,
                    alphabet: alphabet.into_iter().collect(),
                },
            );
        }
        let digest = hash.finalize();
        let hex: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
        Ok(Speller {
            lists: out,
            version: format!("spelling-{hex}"),
        })
    }

    /// Version of the word lists (a hash of their text).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The text with one-edit misspellings corrected; unchanged with no language.
    pub fn correct(&self, text: &str, lang: Option<Lang>) -> Corrected {
        let unchanged = || Corrected {
            text: text.to_owned(),
            corrections: Vec::new(),
        };
        let Some(list) = lang.and_then(|l| self.lists.get(&l)) else {
            return unchanged();
        };
        let mut out = String::with_capacity(text.len());
        let mut corrections = Vec::new();
        let mut at = 0;
        for (start, word) in words(text) {
            out.push_str(&text[at..start]);
            at = start + word.len();
            // `<PERSON_1>`: the letters inside the brackets are a pseudonym, never corrected.
            let in_pseudonym = text[..start]
                .rfind(['<', '>'])
                .is_some_and(|i| text.as_bytes()[i] == b'<');
            match (!in_pseudonym).then(|| list.best(word)).flatten() {
                Some(fixed) => {
                    let fixed = same_case(word, &fixed);
                    corrections.push(Correction {
                        from: word.to_owned(),
                        to: fixed.clone(),
                    });
                    out.push_str(&fixed);
                }
                None => out.push_str(word),
            }
        }
        out.push_str(&text[at..]);
        if corrections.is_empty() {
            return unchanged();
        }
        Corrected {
            text: out,
            corrections,
        }
    }
}

impl WordList {
    /// The listed word one edit from `word`, when `word` is long enough and not listed.
    fn best(&self, word: &str) -> Option<String> {
        let lower = word.to_lowercase();
        let chars: Vec<char> = lower.chars().collect();
        if chars.len() < MIN_LETTERS || self.counts.contains_key(&lower) {
            return None;
        }
        let mut best: Option<(u32, String)> = None;
        // Candidates are built in one buffer and looked up by reference: a misspelt word has
        // hundreds of neighbours, and only a better match is worth an allocation.
        let mut consider = |candidate: &str| {
            if let Some(&count) = self.counts.get(candidate) {
                let better = match &best {
                    None => true,
                    Some((c, w)) => count > *c || (count == *c && candidate < w.as_str()),
                };
                if better {
                    best = Some((count, candidate.to_owned()));
                }
            }
        };
        let mut buf = String::with_capacity(lower.len() + 4);
        let build = |buf: &mut String, head: &[char], middle: &[char], tail: &[char]| {
            buf.clear();
            buf.extend(head);
            buf.extend(middle);
            buf.extend(tail);
        };
        for i in 0..=chars.len() {
            // A letter dropped from the word as meant: add one back (also at the end).
            for &c in &self.alphabet {
                build(&mut buf, &chars[..i], &[c], &chars[i..]);
                consider(&buf);
            }
            if i == chars.len() {
                break;
            }
            // A letter too many.
            build(&mut buf, &chars[..i], &[], &chars[i + 1..]);
            consider(&buf);
            // A wrong letter.
            for &c in &self.alphabet {
                if c != chars[i] {
                    build(&mut buf, &chars[..i], &[c], &chars[i + 1..]);
                    consider(&buf);
                }
            }
            // Two neighbours swapped.
            if i + 1 < chars.len() && chars[i] != chars[i + 1] {
                build(
                    &mut buf,
                    &chars[..i],
                    &[chars[i + 1], chars[i]],
                    &chars[i + 2..],
                );
                consider(&buf);
            }
        }
        best.map(|(_, w)| w)
    }
}

/// Runs of letters (with their byte offsets) that are whole words: not touching a digit.
fn words(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut has_digit = false;
    for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
        if c.is_alphanumeric() || c == '_' {
            if start.is_none() {
                start = Some(i);
                has_digit = false;
            }
            has_digit |= !c.is_alphabetic();
        } else if let Some(s) = start.take()
            && !has_digit
        {
            out.push((s, &text[s..i]));
        }
    }
    out
}

/// `fixed` with the capitalisation of `word`: all capitals, first capital, or as listed.
fn same_case(word: &str, fixed: &str) -> String {
    if word.chars().count() > 1 && word.chars().all(|c| !c.is_lowercase()) {
        return fixed.to_uppercase();
    }
    if word.chars().next().is_some_and(char::is_uppercase) {
        let mut chars = fixed.chars();
        return match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => String::new(),
        };
    }
    fixed.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(text: &str, lang: Lang) -> String {
        Speller::builtin().correct(text, Some(lang)).text
    }

    #[test]
    fn shipped_lists_parse_and_have_a_version() {
        let s = Speller::builtin();
        assert_eq!(s.lists.len(), 4);
        assert!(s.version().starts_with("spelling-"));
        for list in s.lists.values() {
            assert!(list.counts.len() > 500);
        }
    }

    #[test]
    fn one_edit_misspellings_are_corrected_in_each_language() {
        // Misspellings written for this test, not taken from the fairness probes.
        assert_eq!(fix("Where is my pakage?", Lang::EN), "Where is my package?");
        assert_eq!(fix("Hvor er min fakura?", Lang::DA), "Hvor er min faktura?");
        assert_eq!(
            fix("Wo ist meine Rechnnug?", Lang::DE),
            "Wo ist meine Rechnung?"
        );
        assert_eq!(
            fix(
                "Ik wil mijn bestelling annuleren, mijn bestleling is fout",
                Lang::NL
            ),
            "Ik wil mijn bestelling annuleren, mijn bestelling is fout"
        );
    }

    #[test]
    fn listed_words_short_words_numbers_and_pseudonyms_are_kept() {
        let s = Speller::builtin();
        for text in [
            "My order is late",
            "teh cat",
            "order 12345abc",
            "<PERSON_1> wrote <EMAIL_2>",
        ] {
            let out = s.correct(text, Some(Lang::EN));
            assert_eq!(out.text, text);
            assert!(out.corrections.is_empty(), "{text}: {:?}", out.corrections);
        }
        assert_eq!(s.correct("I want to cnacel", None).text, "I want to cnacel");
    }

    #[test]
    fn capitals_are_kept() {
        assert_eq!(fix("CNACEL my order", Lang::EN), "CANCEL my order");
        assert_eq!(fix("Cnacel my order", Lang::EN), "Cancel my order");
    }

    #[test]
    fn corrections_are_listed() {
        let out = Speller::builtin().correct("please cnacel", Some(Lang::EN));
        assert_eq!(
            out.corrections,
            [Correction {
                from: "cnacel".into(),
                to: "cancel".into()
            }]
        );
    }

    #[test]
    fn a_bad_list_is_refused_with_its_line() {
        let e = Speller::from_lists([(Lang::EN, "# c\nword\t3\nnocount\n")]).unwrap_err();
        assert!(e.to_string().contains("line 3"), "{e}");
        assert!(Speller::from_lists([(Lang::EN, "w0rd\t3\n")]).is_err());
    }
}
