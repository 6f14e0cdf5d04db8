//! Word valence with VADER's rules: a polarity lexicon read with negation, intensifiers, "but",
//! capitals and exclamation marks, for English.
//!
//! The lexicon is VADER's (`sentiment/vader_lexicon.tsv`: the word and mean valence columns of
//! `vader_lexicon.txt`, MIT, Hutto & Gilbert 2014, "VADER: A Parsimonious Rule-based Model for
//! Sentiment Analysis of Social Media Text"; licence in `sentiment/LICENSE-VADER.txt`). The rules
//! and constants are VADER's, implemented here so that every hit keeps its byte span and can be
//! shown as evidence. The sentiment model reads the result as extra evidence next to its learned
//! word features ([`crate::SentimentModel`]): a lexicon of 7,500 rated words generalises to
//! customer messages that the training texts (subtitles, tweets) never resemble.
//!
//! ```
//! use candor_classify::valence::ValenceLexicon;
//! let lexicon = ValenceLexicon::english();
//! assert!(lexicon.score("This is NOT good at all!").compound < -0.05);
//! assert!(lexicon.score("Thanks, that was really helpful").compound > 0.5);
//! assert_eq!(lexicon.score("Where is my parcel?").compound, 0.0);
//! ```

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

static VADER: &str = include_str!("../sentiment/vader_lexicon.tsv");

/// How much an intensifier ("very", "barely") moves the next words' valence.
const BOOST: f32 = 0.293;
/// How much an all-capitals word in mixed-case text adds.
const CAPS: f32 = 0.733;
/// A negated word's valence is multiplied by this.
const NEGATION: f32 = -0.74;
/// Each exclamation mark (up to four) adds this to the total's magnitude.
const EXCLAMATION: f32 = 0.292;
/// Each question mark, from the second, adds this (at most [`MAX_QUESTION`]).
const QUESTION: f32 = 0.18;
const MAX_QUESTION: f32 = 0.96;
/// The compound score is `sum / sqrt(sum² + ALPHA)`.
const ALPHA: f32 = 15.0;

const NEGATIONS: &[&str] = &[
    "aint",
    "arent",
    "cannot",
    "cant",
    "couldnt",
    "darent",
    "didnt",
    "doesnt",
    "ain't",
    "aren't",
    "can't",
    "couldn't",
    "daren't",
    "didn't",
    "doesn't",
    "dont",
    "hadnt",
    "hasnt",
    "havent",
    "isnt",
    "mightnt",
    "mustnt",
    "neither",
    "don't",
    "hadn't",
    "hasn't",
    "haven't",
    "isn't",
    "mightn't",
    "mustn't",
    "neednt",
    "needn't",
    "never",
    "none",
    "nope",
    "nor",
    "not",
    "nothing",
    "nowhere",
    "oughtnt",
    "shant",
    "shouldnt",
    "uhuh",
    "wasnt",
    "werent",
    "oughtn't",
    "shan't",
    "shouldn't",
    "uh-uh",
    "wasn't",
    "weren't",
    "without",
    "wont",
    "wouldnt",
    "won't",
    "wouldn't",
    "rarely",
    "seldom",
    "despite",
];

const INCREASE: &[&str] = &[
    "absolutely",
    "amazingly",
    "awfully",
    "completely",
    "considerable",
    "considerably",
    "decidedly",
    "deeply",
    "effing",
    "enormous",
    "enormously",
    "entirely",
    "especially",
    "exceptional",
    "exceptionally",
    "extreme",
    "extremely",
    "fabulously",
    "flipping",
    "flippin",
    "frackin",
    "fracking",
    "fricking",
    "frickin",
    "frigging",
    "friggin",
    "fully",
    "fuckin",
    "fucking",
    "fuggin",
    "fugging",
    "greatly",
    "hella",
    "highly",
    "hugely",
    "incredible",
    "incredibly",
    "intensely",
    "major",
    "majorly",
    "more",
    "most",
    "particularly",
    "purely",
    "quite",
    "really",
    "remarkably",
    "so",
    "substantially",
    "thoroughly",
    "total",
    "totally",
    "tremendous",
    "tremendously",
    "uber",
    "unbelievably",
    "unusually",
    "utter",
    "utterly",
    "very",
];

const DECREASE: &[&str] = &[
    "almost",
    "barely",
    "hardly",
    "kinda",
    "kindof",
    "kind-of",
    "less",
    "little",
    "marginal",
    "marginally",
    "occasional",
    "occasionally",
    "partly",
    "scarce",
    "scarcely",
    "slight",
    "slightly",
    "somewhat",
    "sorta",
    "sortof",
    "sort-of",
];

/// One lexicon word found in a text, with its valence after the rules.
#[derive(Debug, Clone, PartialEq)]
pub struct ValenceHit {
    /// Byte span of the word in the text.
    pub span: Range<usize>,
    /// Its valence, about −4..4, after negation, intensifiers, capitals and "but".
    pub valence: f32,
}

/// The valence of a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Valence {
    /// VADER's compound score in `[-1, 1]`; 0 when no lexicon word occurs.
    pub compound: f32,
    /// The lexicon words that carried it.
    pub hits: Vec<ValenceHit>,
}

/// A word-valence lexicon with VADER's rules.
#[derive(Debug)]
pub struct ValenceLexicon {
    words: HashMap<String, f32>,
    boosters: HashMap<&'static str, f32>,
}

impl ValenceLexicon {
    /// VADER's English lexicon, parsed once per process.
    pub fn english() -> &'static ValenceLexicon {
        static LEXICON: OnceLock<ValenceLexicon> = OnceLock::new();
        LEXICON.get_or_init(|| ValenceLexicon::parse(VADER))
    }

    /// Parses `word<TAB>valence` lines; lines that do not have that shape are skipped, so that
    /// the compiled-in file cannot fail at run time (a test checks that every line parses).
    fn parse(text: &str) -> ValenceLexicon {
        let words = text
            .lines()
            .filter_map(|line| {
                let (word, valence) = line.split_once('\t')?;
                // VADER looks words up without regard to case; of two spellings ("XD", "xD")
                // the later line wins, as in its dictionary.
                Some((word.to_lowercase(), valence.trim().parse().ok()?))
            })
            .collect();
        let boosters = INCREASE
            .iter()
            .map(|w| (*w, BOOST))
            .chain(DECREASE.iter().map(|w| (*w, -BOOST)))
            .collect();
        ValenceLexicon { words, boosters }
    }

    /// The number of words in the lexicon.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether the lexicon has no words.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The valence of `text`.
    pub fn score(&self, text: &str) -> Valence {
        let tokens = tokens(text);
        // Most words are already lower case; only the others are copied.
        let lower: Vec<Cow<'_, str>> = tokens
            .iter()
            .map(|t| {
                if t.text.chars().any(char::is_uppercase) {
                    Cow::Owned(t.text.to_lowercase())
                } else {
                    Cow::Borrowed(t.text)
                }
            })
            .collect();
        let has_caps = tokens.iter().any(|t| is_shouting(t.text));
        let has_lower = tokens.iter().any(|t| !is_shouting(t.text));
        let caps_differ = has_caps && has_lower;
        let known = |i: usize| self.words.get(lower[i].as_ref()).copied();

        let mut hits: Vec<(usize, ValenceHit)> = Vec::new();
        for i in 0..tokens.len() {
            let word: &str = &lower[i];
            // Intensifiers and "kind of" only modify; VADER gives them no valence of their own.
            if self.boosters.contains_key(word)
                || (word == "kind" && lower.get(i + 1).is_some_and(|n| n == "of"))
            {
                continue;
            }
            let Some(mut valence) = known(i) else {
                continue;
            };
            if caps_differ && is_shouting(tokens[i].text) {
                valence += CAPS * valence.signum();
            }
            for distance in 1..=3usize {
                let Some(j) = i.checked_sub(distance) else {
                    break;
                };
                if known(j).is_none() {
                    let mut boost = self.boost(&lower[j], tokens[j].text, valence, caps_differ);
                    boost *= match distance {
                        1 => 1.0,
                        2 => 0.95,
                        _ => 0.9,
                    };
                    valence += boost;
                    if is_negation(&lower[j]) {
                        valence *= NEGATION;
                    }
                }
            }
            hits.push((
                i,
                ValenceHit {
                    span: tokens[i].span.clone(),
                    valence,
                },
            ));
        }
        // "but" shifts the weight to what follows it.
        if let Some(but) = lower.iter().position(|w| w == "but") {
            for (i, hit) in &mut hits {
                hit.valence *= if *i < but { 0.5 } else { 1.5 };
            }
        }
        let mut sum: f32 = hits.iter().map(|(_, h)| h.valence).sum();
        if sum != 0.0 {
            let emphasis = punctuation_emphasis(text);
            sum += emphasis * sum.signum();
        }
        let compound = if sum == 0.0 {
            0.0
        } else {
            (sum / (sum * sum + ALPHA).sqrt()).clamp(-1.0, 1.0)
        };
        Valence {
            compound,
            hits: hits.into_iter().map(|(_, h)| h).collect(),
        }
    }

    fn boost(&self, lower: &str, original: &str, valence: f32, caps_differ: bool) -> f32 {
        let Some(&scalar) = self.boosters.get(lower) else {
            return 0.0;
        };
        let mut scalar = if valence < 0.0 { -scalar } else { scalar };
        if caps_differ && is_shouting(original) {
            scalar += CAPS * valence.signum();
        }
        scalar
    }
}

struct Token<'a> {
    text: &'a str,
    span: Range<usize>,
}

/// Whitespace-separated tokens with the punctuation around them removed, as VADER reads them,
/// except that a token of at most two characters once stripped is kept whole (so `:(` and
/// `<3` stay emoticons).
fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut offset = 0;
    for piece in text.split_whitespace() {
        let start = offset + text[offset..].find(piece).unwrap_or(0);
        offset = start + piece.len();
        let trimmed = piece.trim_matches(|c: char| c.is_ascii_punctuation());
        let (word, at) = if trimmed.chars().count() <= 2 {
            (piece, start)
        } else {
            let lead = piece.len()
                - piece
                    .trim_start_matches(|c: char| c.is_ascii_punctuation())
                    .len();
            (trimmed, start + lead)
        };
        if !word.is_empty() {
            out.push(Token {
                text: word,
                span: at..at + word.len(),
            });
        }
    }
    out
}

/// A word written in capitals (with at least one letter), as when shouting.
fn is_shouting(word: &str) -> bool {
    word.chars().any(char::is_alphabetic) && !word.chars().any(char::is_lowercase)
}

fn is_negation(word: &str) -> bool {
    NEGATIONS.contains(&word) || word.ends_with("n't")
}

fn punctuation_emphasis(text: &str) -> f32 {
    let exclamations = text.matches('!').count().min(4) as f32;
    let questions = text.matches('?').count();
    let question = if questions > 1 {
        (questions as f32 * QUESTION).min(MAX_QUESTION)
    } else {
        0.0
    };
    exclamations * EXCLAMATION + question
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_of_the_lexicon_parses() {
        let words: std::collections::HashSet<String> = VADER
            .lines()
            .filter(|l| !l.is_empty())
            .map(|l| {
                let (word, valence) = l.split_once('\t').expect("word<TAB>valence");
                valence.parse::<f32>().expect("a number");
                word.to_lowercase()
            })
            .collect();
        assert_eq!(ValenceLexicon::english().len(), words.len());
        assert!(words.len() > 7_000);
    }

    // The expected values are those of the reference implementation (vaderSentiment 3.3).
    #[test]
    fn rules_match_vader() {
        let l = ValenceLexicon::english();
        let close = |text: &str, want: f32| {
            let got = l.score(text).compound;
            assert!((got - want).abs() < 0.01, "{text}: {got} vs {want}");
        };
        close("VADER is smart, handsome, and funny.", 0.8316);
        close("VADER is smart, handsome, and funny!", 0.8439);
        close("VADER is very smart, handsome, and funny.", 0.8545);
        close("VADER is VERY SMART, handsome, and FUNNY.", 0.9227);
        close("VADER is not smart, handsome, nor funny.", -0.7424);
        close("The book was good.", 0.4404);
        close("A really bad, horrible book.", -0.8211);
        close("Today SUX!", -0.5461);
        close("Today only kinda sux! But I'll get by, lol", 0.5249);
    }

    #[test]
    fn hits_carry_the_span_of_the_word() {
        let text = "the delivery was TERRIBLE, again";
        let v = ValenceLexicon::english().score(text);
        assert_eq!(v.hits.len(), 1);
        assert_eq!(&text[v.hits[0].span.clone()], "TERRIBLE");
        assert!(v.hits[0].valence < 0.0);
    }

    #[test]
    fn text_without_lexicon_words_has_no_valence() {
        let v = ValenceLexicon::english().score("Can I change my delivery address?");
        assert_eq!(v.compound, 0.0);
        assert!(v.hits.is_empty());
    }
}
