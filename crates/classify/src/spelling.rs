//! Spelling: one misspelt word must not change what Candor understands.
//!
//! A word of four or more letters that is not in the language's word list is replaced by a
//! listed word one edit away (a letter dropped, added or changed, or two neighbours swapped:
//! Damerau's four single errors), before the intent, sentiment and frustration models read
//! the text. Among several such words the choice is, in order:
//!
//! 1. one that keeps the first letter: people rarely get the first letter of a word wrong
//!    (Yannakoudakis and Fawthrop 1983; Pollock and Zamora 1984), so "saat" is read as
//!    "staat" before the more frequent "gaat";
//! 2. one seen more often next to the neighbouring words (the word-pair lists), so "uge sden"
//!    is read as "uge siden";
//! 3. the most frequent.
//!
//! A listed word is replaced only when it is a *real-word error* the word pairs are sure of:
//! it was never seen before the next word (nor after the previous word, unless it starts the
//! sentence), and a listed word one edit away with the same first letter was seen at least
//! [`REAL_WORD_MIN_PAIRS`] times on both sides ("Were can I" is read as "Where can I").
//! Words with no such neighbour are left as they are; so are pseudonyms and anything with a
//! digit.
//!
//! The word lists (`spelling/<lang>.txt`, `word<TAB>count`) and word-pair lists
//! (`spelling/<lang>.pairs.txt`, `word word<TAB>count`, `<s>` for a sentence's start), most
//! frequent first, are data built by `examples/build_spelling.rs` from the intent training
//! data, the knowledge base and public corpora licensed for shipping (sources in each file's
//! header and in `NOTICE`).
//!
//! ```
//! use candor_classify::spelling::Speller;
//! use candor_core::Lang;
//! let s = Speller::builtin();
//! assert_eq!(s.correct("I want to cnacel my order", Some(Lang::EN)).text, "I want to cancel my order");
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::sync::{Arc, OnceLock};

use candor_core::Lang;
use sha2::{Digest, Sha256};

/// Shortest misspelt word that is corrected: shorter words have too many neighbours.
const MIN_LETTERS: usize = 4;

/// How often a real-word correction must have been seen with each neighbouring word.
pub const REAL_WORD_MIN_PAIRS: u32 = 5;

/// Fewest words (of two or more letters) [`Speller::language_by_words`] decides on. Short
/// function words count: they say most about a short message's language ("How do I reset my
/// password?" is three words of three letters or more, but five of two or more).
pub const VOTE_MIN_WORDS: usize = 3;
/// The share of words a language's list must hold for [`Speller::language_by_words`]: all
/// but one in four, so one misspelt word in a short message is allowed.
pub const VOTE_MIN_SHARE: f64 = 0.75;
/// How many times as frequent, on average (geometric mean), the words must be in the winning
/// language as in any other.
pub const VOTE_MIN_RATIO: f64 = 10.0;

/// The language a text's words belong to ([`Speller::language_by_words`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WordVote {
    /// The language.
    pub lang: Lang,
    /// The share of the words in its list.
    pub share: f64,
    /// How many times as frequent the words are there as in the runner-up's list (geometric
    /// mean over the words).
    pub ratio: f64,
}

/// The sentence start in the word-pair lists.
const START: &str = "<s>";

/// A word list that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SpellingError {
    /// A line that is not `word<TAB>count` (or `word word<TAB>count` in a pair list).
    #[error("{origin}: line {line}: expected `{expected}<TAB>count`")]
    BadLine {
        /// Which list.
        origin: String,
        /// 1-based line number.
        line: usize,
        /// What the line should hold before the count.
        expected: &'static str,
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
    /// The sum of `counts`.
    total: u64,
    /// `"first second"` -> count; `first` may be [`START`].
    pairs: HashMap<String, u32>,
    alphabet: Vec<char>,
}

/// One language's shipped lists: words and word pairs.
const BUILTIN: &[(Lang, &str, &str)] = &[
    (
        Lang::DA,
        include_str!("../spelling/da.txt"),
        include_str!("../spelling/da.pairs.txt"),
    ),
    (
        Lang::DE,
        include_str!("../spelling/de.txt"),
        include_str!("../spelling/de.pairs.txt"),
    ),
    (
        Lang::EN,
        include_str!("../spelling/en.txt"),
        include_str!("../spelling/en.pairs.txt"),
    ),
    (
        Lang::NL,
        include_str!("../spelling/nl.txt"),
        include_str!("../spelling/nl.pairs.txt"),
    ),
];

/// Corrects one-edit misspellings against per-language word lists. See the module docs.
///
/// Cloning is cheap: the lists are shared.
#[derive(Clone)]
pub struct Speller {
    lists: Arc<BTreeMap<Lang, WordList>>,
    version: String,
}

/// The shipped lists, parsed once per process: every pipeline (and every test) uses them.
static SHIPPED: OnceLock<Speller> = OnceLock::new();

impl fmt::Debug for Speller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Speller")
            .field("languages", &self.lists.keys().collect::<Vec<_>>())
            .field("version", &self.version)
            .finish()
    }
}

/// Parses `key<TAB>count` lines (`#` comments) into summed counts; `words` is how many
/// space-separated words a key has.
fn parse_counts(
    origin: &str,
    text: &str,
    words: usize,
) -> Result<HashMap<String, u32>, SpellingError> {
    let expected = if words == 1 { "word" } else { "word word" };
    let mut counts = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = || SpellingError::BadLine {
            origin: origin.to_owned(),
            line: i + 1,
            expected,
        };
        let (key, count) = line.split_once('\t').ok_or_else(bad)?;
        let count: u32 = count.trim().parse().map_err(|_| bad())?;
        let parts: Vec<&str> = key.split(' ').collect();
        let word_ok = |w: &&str| !w.is_empty() && w.chars().all(char::is_alphabetic);
        let ok = parts.len() == words
            && parts
                .iter()
                .enumerate()
                .all(|(k, w)| word_ok(w) || (k == 0 && words == 2 && *w == START));
        if !ok {
            return Err(bad());
        }
        *counts.entry(key.to_lowercase()).or_insert(0) += count;
    }
    Ok(counts)
}

impl Speller {
    /// The shipped word lists for Danish, Dutch, German and English.
    ///
    /// # Panics
    ///
    /// Never for the shipped files: a test parses each of them.
    pub fn builtin() -> Speller {
        SHIPPED
            .get_or_init(|| {
                Speller::from_lists(BUILTIN.iter().map(|(l, w, p)| (*l, *w, *p)))
                    .unwrap_or_else(|e| panic!("shipped word list is invalid: {e}"))
            })
            .clone()
    }

    /// Word lists from `(language, words, word pairs)`: `word<TAB>count` and
    /// `word word<TAB>count` lines (`<s>` for a sentence's start), `#` comments.
    ///
    /// # Errors
    ///
    /// A line that is not a word (or two) and a count.
    pub fn from_lists<'a>(
        lists: impl IntoIterator<Item = (Lang, &'a str, &'a str)>,
    ) -> Result<Speller, SpellingError> {
        let mut out = BTreeMap::new();
        let mut hash = Sha256::new();
        for (lang, words, pairs) in lists {
            hash.update(lang.code().as_bytes());
            hash.update(words.as_bytes());
            hash.update(pairs.as_bytes());
            let counts = parse_counts(&format!("spelling {lang}.txt"), words, 1)?;
            let pairs = parse_counts(&format!("spelling {lang}.pairs.txt"), pairs, 2)?;
            let alphabet: BTreeSet<char> = counts.keys().flat_map(|w| w.chars()).collect();
            out.insert(
                lang,
                WordList {
                    total: counts.values().map(|c| u64::from(*c)).sum(),
                    counts,
                    pairs,
                    alphabet: alphabet.into_iter().collect(),
                },
            );
        }
        let digest = hash.finalize();
        let hex: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
        Ok(Speller {
            lists: Arc::new(out),
            version: format!("spelling-{hex}"),
        })
    }

    /// Version of the word lists (a hash of their text).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The one language among `candidates` that the text's words clearly belong to, if any.
    ///
    /// A second opinion for when language identification is unsure: a short message with one
    /// misspelt word can fall below the confidence floor although its other words are plainly
    /// of one language. The words (of two or more letters; at least [`VOTE_MIN_WORDS`]) are
    /// read as a unigram model of each language: a language wins when at least
    /// [`VOTE_MIN_SHARE`] of them are in its list and its words are, on average, at least
    /// [`VOTE_MIN_RATIO`] times as frequent there as in any other candidate's list. Word lists
    /// of news and subtitle text hold some words of every language ("what", "weekend" are in
    /// the Danish list), so a listed word alone is no evidence; how often it is used is.
    pub fn language_by_words(&self, text: &str, candidates: &[Lang]) -> Option<WordVote> {
        let found: Vec<String> = words(text)
            .iter()
            .filter(|(_, w)| w.chars().count() >= 2)
            .map(|(_, w)| w.to_lowercase())
            .collect();
        if found.len() < VOTE_MIN_WORDS {
            return None;
        }
        // Mean log-frequency of the words; an unlisted word counts as half an occurrence.
        let mut scores: Vec<(Lang, f64, f64)> = candidates
            .iter()
            .filter_map(|l| {
                let list = self.lists.get(l)?;
                let total = list.total.max(1) as f64;
                let (mut log, mut listed) = (0.0, 0_u32);
                for w in &found {
                    let count = list.counts.get(w).copied().unwrap_or(0);
                    listed += u32::from(count > 0);
                    log += (f64::from(count).max(0.5) / total).ln();
                }
                Some((
                    *l,
                    log / found.len() as f64,
                    f64::from(listed) / found.len() as f64,
                ))
            })
            .collect();
        scores.sort_by(|a, b| b.1.total_cmp(&a.1));
        let &(lang, best, share) = scores.first()?;
        let ratio = scores.get(1).map_or(f64::INFINITY, |s| (best - s.1).exp());
        (share >= VOTE_MIN_SHARE && ratio >= VOTE_MIN_RATIO).then_some(WordVote {
            lang,
            share,
            ratio,
        })
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
        let found = words(text);
        let mut out = String::with_capacity(text.len());
        let mut corrections = Vec::new();
        let mut at = 0;
        for (k, &(start, word)) in found.iter().enumerate() {
            out.push_str(&text[at..start]);
            at = start + word.len();
            // `<PERSON_1>`: the letters inside the brackets are a pseudonym, never corrected.
            let in_pseudonym = text[..start]
                .rfind(['<', '>'])
                .is_some_and(|i| text.as_bytes()[i] == b'<');
            let before = k.checked_sub(1).map(|j| found[j]);
            let gap_start = before.map_or(0, |(s, w)| s + w.len());
            let context = Context {
                previous: match (gap(&text[gap_start..start]), before) {
                    (Gap::Neighbours, Some((_, w))) => Some(w.to_lowercase()),
                    (Gap::Break, _) | (Gap::Neighbours, None) => Some(START.to_owned()),
                    (Gap::Other, _) => None,
                },
                next: found.get(k + 1).and_then(|&(s, w)| {
                    (gap(&text[at..s]) == Gap::Neighbours).then(|| w.to_lowercase())
                }),
            };
            match (!in_pseudonym).then(|| list.best(word, &context)).flatten() {
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

/// The neighbouring words of a word, lower case; [`START`] before a sentence's first word;
/// `None` when something other than a word or a sentence break is in between.
struct Context {
    previous: Option<String>,
    next: Option<String>,
}

/// What lies between two words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gap {
    /// Only spaces, commas, hyphens or quotes: the words are neighbours.
    Neighbours,
    /// The end of a sentence (and spaces, quotes): the second word starts a sentence.
    Break,
    /// Anything else (a number, a pseudonym, a bracket): no context.
    Other,
}

fn gap(text: &str) -> Gap {
    let light = |c: char| c.is_whitespace() || matches!(c, ',' | '-' | '"' | '\'');
    let end = |c: char| matches!(c, '.' | '!' | '?' | ';' | ':');
    if text.chars().all(light) {
        Gap::Neighbours
    } else if text.chars().all(|c| light(c) || end(c)) {
        Gap::Break
    } else {
        Gap::Other
    }
}

impl WordList {
    fn pair(&self, first: &str, second: &str) -> u32 {
        self.pairs
            .get(&format!("{first} {second}"))
            .copied()
            .unwrap_or(0)
    }

    /// How often `word` was seen with the neighbouring words.
    fn support(&self, word: &str, context: &Context) -> (u32, u32) {
        (
            context
                .previous
                .as_deref()
                .map_or(0, |p| self.pair(p, word)),
            context.next.as_deref().map_or(0, |n| self.pair(word, n)),
        )
    }

    /// The listed words one edit from `lower` (Damerau: drop, add, change, swap neighbours).
    fn neighbours(&self, chars: &[char]) -> Vec<String> {
        let mut found = BTreeSet::new();
        let mut buf = String::with_capacity(chars.len() * 4 + 4);
        // Candidates are built in one buffer and looked up by reference: a word has hundreds
        // of neighbours, and only a listed one is worth an allocation.
        let mut consider = |head: &[char], middle: &[char], tail: &[char]| {
            buf.clear();
            buf.extend(head);
            buf.extend(middle);
            buf.extend(tail);
            if self.counts.contains_key(buf.as_str()) && !found.contains(buf.as_str()) {
                found.insert(buf.clone());
            }
        };
        for i in 0..=chars.len() {
            // A letter dropped from the word as meant: add one back (also at the end).
            for &c in &self.alphabet {
                consider(&chars[..i], &[c], &chars[i..]);
            }
            if i == chars.len() {
                break;
            }
            // A letter too many.
            consider(&chars[..i], &[], &chars[i + 1..]);
            // A wrong letter.
            for &c in &self.alphabet {
                if c != chars[i] {
                    consider(&chars[..i], &[c], &chars[i + 1..]);
                }
            }
            // Two neighbours swapped.
            if i + 1 < chars.len() && chars[i] != chars[i + 1] {
                consider(&chars[..i], &[chars[i + 1], chars[i]], &chars[i + 2..]);
            }
        }
        found.remove(&chars.iter().collect::<String>());
        found.into_iter().collect()
    }

    /// The word to read instead of `word`, if any (see the module docs).
    fn best(&self, word: &str, context: &Context) -> Option<String> {
        let lower = word.to_lowercase();
        let chars: Vec<char> = lower.chars().collect();
        if chars.len() < MIN_LETTERS {
            return None;
        }
        let first = chars[0];
        if self.counts.contains_key(&lower) {
            return self.real_word(&lower, &chars, context);
        }
        self.neighbours(&chars).into_iter().max_by(|a, b| {
            let key = |w: &str| {
                let (p, n) = self.support(w, context);
                (
                    w.starts_with(first),
                    p.saturating_add(n),
                    self.counts.get(w).copied().unwrap_or(0),
                )
            };
            // Ties go to the alphabetically first word, so the answer is reproducible.
            key(a).cmp(&key(b)).then_with(|| b.cmp(a))
        })
    }

    /// A real-word error's correction, when the word pairs are sure of it.
    fn real_word(&self, lower: &str, chars: &[char], context: &Context) -> Option<String> {
        let (previous, next) = (context.previous.as_deref()?, context.next.as_deref()?);
        let (seen_after, seen_before) = self.support(lower, context);
        if seen_before > 0 || (previous != START && seen_after > 0) {
            return None;
        }
        self.neighbours(chars)
            .into_iter()
            .filter(|c| c.starts_with(chars[0]))
            .map(|c| {
                let support = self.pair(previous, &c).min(self.pair(&c, next));
                (support, c)
            })
            .filter(|(support, _)| *support >= REAL_WORD_MIN_PAIRS)
            .max_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.cmp(&a.1)))
            .map(|(_, c)| c)
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
        let e = Speller::from_lists([(Lang::EN, "# c\nword\t3\nnocount\n", "")]).unwrap_err();
        assert!(e.to_string().contains("line 3"), "{e}");
        assert!(Speller::from_lists([(Lang::EN, "w0rd\t3\n", "")]).is_err());
        let e = Speller::from_lists([(Lang::EN, "word\t3\n", "word\t3\n")]).unwrap_err();
        assert!(e.to_string().contains("pairs.txt: line 1"), "{e}");
        assert!(Speller::from_lists([(Lang::EN, "", "<s> <s>\t3\n")]).is_err());
        assert!(Speller::from_lists([(Lang::EN, "", "<s> word\t3\n")]).is_ok());
    }

    /// A speller over small made-up lists, so the rules are tested apart from the shipped data.
    fn made_up(words: &str, pairs: &str) -> Speller {
        Speller::from_lists([(Lang::EN, words, pairs)]).unwrap()
    }

    #[test]
    fn a_correction_keeping_the_first_letter_beats_a_more_frequent_one() {
        let s = made_up("gaat\t100\nlaat\t90\nstaat\t10\n", "");
        assert_eq!(s.correct("het saat", Some(Lang::EN)).text, "het staat");
        // Without a candidate that keeps it, the first letter may change.
        let s = made_up("gaat\t100\n", "");
        assert_eq!(s.correct("het saat", Some(Lang::EN)).text, "het gaat");
    }

    #[test]
    fn neighbouring_words_choose_between_candidates() {
        let s = made_up("back\t100\nblock\t10\nmy\t100\ncard\t50\n", "block my\t4\n");
        assert_eq!(
            s.correct("Please blck my card", Some(Lang::EN)).text,
            "Please block my card"
        );
        // Without context the more frequent word wins.
        assert_eq!(s.correct("blck.", Some(Lang::EN)).text, "back.");
    }

    #[test]
    fn a_real_word_error_is_corrected_only_when_the_pairs_are_sure() {
        let words = "where\t80\nwere\t60\ncan\t90\nyou\t90\nthere\t70\n";
        let pairs = "<s> where\t30\nwhere can\t20\n<s> were\t10\nwere you\t8\n";
        let s = made_up(words, pairs);
        let out = s.correct("Were can I see it?", Some(Lang::EN));
        assert_eq!(out.text, "Where can I see it?");
        assert_eq!(out.corrections[0].from, "Were");
        // Seen before the next word: a real word, kept.
        assert_eq!(
            s.correct("Were you there?", Some(Lang::EN)).text,
            "Were you there?"
        );
        // Evidence below the minimum: kept.
        let weak = made_up(words, "<s> where\t30\nwhere can\t4\n");
        assert_eq!(
            weak.correct("Were can I", Some(Lang::EN)).text,
            "Were can I"
        );
        // No next word to judge by: kept.
        assert_eq!(s.correct("Were", Some(Lang::EN)).text, "Were");
    }

    #[test]
    fn the_words_vote_for_a_language_only_when_clear() {
        let s = Speller::from_lists([
            (
                Lang::EN,
                "can\t90\npay\t90\nbill\t90\nthe\t90\nin\t90\nplan\t90\n",
                "",
            ),
            // English words turn up in Danish text too, rarely.
            (
                Lang::DA,
                "can\t1\npay\t1\nbill\t1\nin\t1\nplan\t90\nregning\t90\nbetale\t90\n",
                "",
            ),
        ])
        .unwrap();
        let both = [Lang::EN, Lang::DA];
        let vote = s
            .language_by_words("Can I pay the bill in instalmetns?", &both)
            .unwrap();
        assert_eq!(vote.lang, Lang::EN);
        // Six words of two letters or more ("I" is too short), five of them listed.
        assert!((vote.share - 5.0 / 6.0).abs() < 1e-9, "{vote:?}");
        assert!(vote.ratio >= VOTE_MIN_RATIO, "{vote:?}");
        // Too few words, too many unknown words, or words as common in both, decide nothing.
        assert_eq!(s.language_by_words("pay bill", &both), None);
        assert_eq!(s.language_by_words("can pay xyzzy plugh", &both), None);
        assert_eq!(s.language_by_words("plan plan plan plan", &both), None);
    }
}
