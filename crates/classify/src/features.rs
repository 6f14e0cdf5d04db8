//! Text to hashed features: the same function at training and prediction time.
//!
//! A text is folded character by character (NFKC compatibility forms, lowercase, and optionally
//! every digit to `0`), keeping for each folded character the byte span of the character of the
//! original text it came from. It is then split into tokens: maximal runs of letters and digits
//! ("words"), and every other non-space character on its own (punctuation). From the tokens come
//! three kinds of features, each hashed into one of `2^bucket_bits` buckets:
//!
//! - word n-grams, `1..=word_ngrams` consecutive tokens;
//! - word pairs ("skip-bigrams"): two words `2..=skip_window` tokens apart, in order, so that
//!   "card … arrived" is evidence whatever stands between;
//! - character n-grams of `char_min..=char_max` characters inside each word, with `<` and `>`
//!   marking its start and end (so `<ca` is "a word starting with ca"), as in fastText; they make
//!   the model robust to typos, inflection and compounds in any language written with spaces.
//!
//! How occurrences become feature values is the [`Scaling`]: either every occurrence is worth
//! `1/sqrt(n)`, `n` the number of occurrences in the text (model format 1), or, as in TF-IDF, each
//! distinct feature the model knows is worth `(1 + ln k) · idf`, `k` its count in the text, and the
//! vector of those values is scaled to unit length. Either way long and short texts score on the
//! same scale.
//!
//! Hashing is FNV-1a over Unicode scalar values followed by a MurmurHash3 finaliser: fixed,
//! platform-independent, and free of any per-process randomness, so a model file means the same
//! thing everywhere. Extraction allocates nothing once its [`Scratch`] buffers have grown.

use std::ops::Range;

use unicode_normalization::UnicodeNormalization;

/// The widest character n-gram a model may use.
pub const MAX_CHAR_NGRAM: u8 = 8;
/// The longest word n-gram a model may use.
pub const MAX_WORD_NGRAM: u8 = 3;
/// The fewest bucket bits a model may use.
pub const MIN_BUCKET_BITS: u8 = 10;
/// The most bucket bits a model may use (the bucket index then takes 64 MiB in memory).
pub const MAX_BUCKET_BITS: u8 = 24;

/// How a text becomes features. Stored in the model file: a model is only valid with the
/// configuration it was trained with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeatureConfig {
    /// Features are hashed into `2^bucket_bits` buckets.
    pub bucket_bits: u8,
    /// Word n-grams from 1 up to this many tokens (1, 2 or 3).
    pub word_ngrams: u8,
    /// Word pairs up to this many tokens apart (from 2; 0 or 1 turns them off).
    pub skip_window: u8,
    /// Shortest character n-gram inside a word, counting the `<`/`>` word markers; 0 turns
    /// character n-grams off.
    pub char_min: u8,
    /// Longest character n-gram inside a word (at most [`MAX_CHAR_NGRAM`]).
    pub char_max: u8,
    /// Fold every digit to `0`, so that order numbers and amounts do not each become features.
    pub fold_digits: bool,
    /// How occurrences become feature values.
    pub scaling: Scaling,
}

/// How the occurrences of a text's features become feature values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scaling {
    /// Every occurrence is worth `1/sqrt(n)`, `n` the number of occurrences in the text, known
    /// to the model or not. The only scaling of model format 1.
    SqrtCount,
    /// Each distinct feature the model knows is worth `1 + ln k`, `k` its count in the text
    /// (sublinear term frequency); the vector is then scaled to unit length. Repeating a word
    /// adds less and less, and features the model never saw do not dilute the others.
    Sublinear,
    /// As [`Scaling::Sublinear`], with each feature's value also multiplied by its inverse
    /// document frequency in the training texts, `ln((1 + N) / (1 + df)) + 1`, as in TF-IDF:
    /// features that occur in every text ("the", `<t`) weigh little, rare ones much.
    TfIdf,
    /// As [`Scaling::Sublinear`], with the word features (n-grams and pairs) and the character
    /// n-grams each scaled to unit length on their own, as when TF-IDF vectors of words and of
    /// characters are concatenated: the few word features then weigh as much as the many
    /// character n-grams.
    SublinearByKind,
}

impl Scaling {
    /// Whether values are sublinear counts scaled to unit length.
    pub(crate) fn normalised(self) -> bool {
        !matches!(self, Scaling::SqrtCount)
    }

    /// The group an occurrence is scaled with: 1 for character n-grams when words and
    /// characters are scaled apart, 0 otherwise.
    #[inline]
    pub(crate) fn group(self, kind: Kind) -> u32 {
        u32::from(self == Scaling::SublinearByKind && matches!(kind, Kind::Chars { .. }))
    }
}

/// The bit that marks a row or bucket as being in group 1 (rows and buckets are below 2^24).
pub(crate) const GROUP_BIT: u32 = 1 << 31;

/// The sublinear term frequency of a feature that occurs `k >= 1` times.
#[inline]
pub(crate) fn sublinear(k: usize) -> f32 {
    1.0 + (k as f32).ln()
}

/// The smoothed inverse document frequency of a feature in `df` of `n` texts.
pub(crate) fn idf(df: u64, n: u64) -> f32 {
    (((1 + n) as f64 / (1 + df) as f64).ln() + 1.0) as f32
}

impl Default for FeatureConfig {
    fn default() -> Self {
        FeatureConfig {
            bucket_bits: 20,
            word_ngrams: 2,
            skip_window: 5,
            char_min: 2,
            char_max: 5,
            fold_digits: true,
            scaling: Scaling::Sublinear,
        }
    }
}

/// A feature configuration that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FeatureConfigError {
    /// Bucket bits outside [`MIN_BUCKET_BITS`]`..=`[`MAX_BUCKET_BITS`].
    #[error("bucket bits must be between {MIN_BUCKET_BITS} and {MAX_BUCKET_BITS}, got {0}")]
    BucketBits(u8),
    /// Word n-grams outside `1..=3`.
    #[error("word n-grams must be between 1 and {MAX_WORD_NGRAM}, got {0}")]
    WordNgrams(u8),
    /// Character n-gram lengths that are empty, reversed or too long.
    #[error(
        "character n-grams must satisfy 1 <= min <= max <= {MAX_CHAR_NGRAM} (or min = max = 0 for none), got {min}..={max}"
    )]
    CharNgrams {
        /// The shortest length asked for.
        min: u8,
        /// The longest length asked for.
        max: u8,
    },
}

impl FeatureConfig {
    /// Checks the configuration.
    ///
    /// # Errors
    ///
    /// When any field is out of range.
    pub fn validate(&self) -> Result<(), FeatureConfigError> {
        if !(MIN_BUCKET_BITS..=MAX_BUCKET_BITS).contains(&self.bucket_bits) {
            return Err(FeatureConfigError::BucketBits(self.bucket_bits));
        }
        if !(1..=MAX_WORD_NGRAM).contains(&self.word_ngrams) {
            return Err(FeatureConfigError::WordNgrams(self.word_ngrams));
        }
        let chars_off = self.char_min == 0 && self.char_max == 0;
        let chars_ok =
            self.char_min >= 1 && self.char_min <= self.char_max && self.char_max <= MAX_CHAR_NGRAM;
        if !chars_off && !chars_ok {
            return Err(FeatureConfigError::CharNgrams {
                min: self.char_min,
                max: self.char_max,
            });
        }
        Ok(())
    }

    /// The number of buckets, `2^bucket_bits`.
    pub fn buckets(&self) -> usize {
        1usize << self.bucket_bits
    }
}

/// What kind of feature an occurrence is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `n` consecutive tokens starting at token `first`.
    Words { first: u32, n: u8 },
    /// Word tokens `a` and `b`, `a < b - 1`.
    Pair { a: u32, b: u32 },
    /// Characters `start..end` of the padded word `token` (position 0 is the `<` marker).
    Chars { token: u32, start: u32, end: u32 },
}

/// One occurrence of a feature in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Occurrence {
    pub(crate) bucket: u32,
    pub(crate) kind: Kind,
}

#[derive(Debug, Clone, Copy)]
struct Token {
    /// Folded characters `start..end`.
    start: u32,
    end: u32,
    /// A run of letters and digits (char n-grams apply), not a punctuation mark.
    word: bool,
    hash: u64,
}

/// Reusable buffers for extraction; grows to the longest text seen, then allocates no more.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    chars: Vec<char>,
    /// For each folded character, the byte span in the original text of the character it came
    /// from.
    origin: Vec<(u32, u32)>,
    tokens: Vec<Token>,
    pub(crate) acc: Vec<f32>,
    /// Rows of the known feature occurrences of a text, for the normalised scalings.
    pub(crate) rows: Vec<u32>,
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;
const SEED_WORD: u64 = 0x9e37_79b9_7f4a_7c15;
const SEED_CHARS: u64 = 0xc2b2_ae3d_27d4_eb4f;
const SEED_PAIR: u64 = 0x1656_67b1_9e37_79f9;
const START: char = '<';
const END: char = '>';

#[inline]
fn fnv(h: u64, c: char) -> u64 {
    (h ^ u64::from(c)).wrapping_mul(FNV_PRIME)
}

/// MurmurHash3's 64-bit finaliser: spreads FNV's low-entropy high bits.
#[inline]
fn fmix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    h
}

#[inline]
fn bucket(h: u64, bits: u8) -> u32 {
    // bits <= 24, so the shifted value fits in u32.
    (fmix(h) >> (64 - u32::from(bits))) as u32
}

/// Folds one character of the original text, passing each resulting character to `push`.
#[inline]
fn fold(c: char, fold_digits: bool, mut push: impl FnMut(char)) {
    if c.is_ascii() {
        if fold_digits && c.is_ascii_digit() {
            push('0');
        } else {
            push(c.to_ascii_lowercase());
        }
        return;
    }
    for d in std::iter::once(c).nfkc() {
        for l in d.to_lowercase() {
            if fold_digits && l.is_numeric() {
                push('0');
            } else {
                push(l);
            }
        }
    }
}

impl Scratch {
    /// Folds and tokenises `text` into the buffers.
    fn prepare(&mut self, text: &str, config: &FeatureConfig) {
        self.chars.clear();
        self.origin.clear();
        self.tokens.clear();
        for (at, c) in text.char_indices() {
            let span = (at as u32, (at + c.len_utf8()) as u32);
            let chars = &mut self.chars;
            let origin = &mut self.origin;
            fold(c, config.fold_digits, |f| {
                chars.push(f);
                origin.push(span);
            });
        }
        let mut i = 0;
        let n = self.chars.len();
        while i < n {
            let c = self.chars[i];
            if c.is_alphanumeric() {
                let start = i;
                let mut h = FNV_OFFSET;
                while i < n && self.chars[i].is_alphanumeric() {
                    h = fnv(h, self.chars[i]);
                    i += 1;
                }
                self.tokens.push(Token {
                    start: start as u32,
                    end: i as u32,
                    word: true,
                    hash: h,
                });
            } else {
                if !c.is_whitespace() && !c.is_control() {
                    self.tokens.push(Token {
                        start: i as u32,
                        end: i as u32 + 1,
                        word: false,
                        hash: fnv(FNV_OFFSET, c),
                    });
                }
                i += 1;
            }
        }
    }

    /// The padded word's character at position `p` (0 is `<`, `len + 1` is `>`).
    #[inline]
    fn padded(&self, token: &Token, p: usize) -> char {
        let len = (token.end - token.start) as usize;
        if p == 0 {
            START
        } else if p == len + 1 {
            END
        } else {
            self.chars[token.start as usize + p - 1]
        }
    }

    /// Calls `visit` with every feature occurrence of `text`, in a fixed order, and returns how
    /// many there were.
    #[inline]
    pub(crate) fn extract(
        &mut self,
        text: &str,
        config: &FeatureConfig,
        mut visit: impl FnMut(Occurrence),
    ) -> usize {
        self.prepare(text, config);
        let bits = config.bucket_bits;
        let mut count = 0;
        for (t, token) in self.tokens.iter().enumerate() {
            // Word n-grams ending at this token.
            let mut h = SEED_WORD;
            for n in 1..=config.word_ngrams as usize {
                if n > t + 1 {
                    break;
                }
                let first = t + 1 - n;
                h = (h ^ self.tokens[first].hash).wrapping_mul(FNV_PRIME);
                // Mixing in n keeps "a b" apart from "b" when hashes happen to align.
                let key = h ^ (n as u64).wrapping_mul(SEED_CHARS);
                visit(Occurrence {
                    bucket: bucket(key, bits),
                    kind: Kind::Words {
                        first: first as u32,
                        n: n as u8,
                    },
                });
                count += 1;
            }
            if !token.word {
                continue;
            }
            for d in 2..=config.skip_window as usize {
                if d > t {
                    break;
                }
                let a = &self.tokens[t - d];
                if !a.word {
                    continue;
                }
                let h = (SEED_PAIR ^ a.hash).wrapping_mul(FNV_PRIME);
                let h = (h ^ token.hash).wrapping_mul(FNV_PRIME);
                visit(Occurrence {
                    bucket: bucket(h, bits),
                    kind: Kind::Pair {
                        a: (t - d) as u32,
                        b: t as u32,
                    },
                });
                count += 1;
            }
            if config.char_min == 0 {
                continue;
            }
            let len = (token.end - token.start) as usize;
            let padded = len + 2;
            let (min, max) = (config.char_min as usize, config.char_max as usize);
            for s in 0..padded {
                let mut h = SEED_CHARS;
                for e in s + 1..=(s + max).min(padded) {
                    h = fnv(h, self.padded(token, e - 1));
                    if e - s < min {
                        continue;
                    }
                    // A lone marker says nothing.
                    if e - s == 1 && (s == 0 || s == len + 1) {
                        continue;
                    }
                    visit(Occurrence {
                        bucket: bucket(h, bits),
                        kind: Kind::Chars {
                            token: t as u32,
                            start: s as u32,
                            end: e as u32,
                        },
                    });
                    count += 1;
                }
            }
        }
        count
    }

    /// The byte span of the original text that an occurrence covers. Call after `extract` on
    /// the same text.
    pub(crate) fn span(&self, kind: Kind) -> Range<usize> {
        let (first, last) = match kind {
            Kind::Words { first, n } => {
                let a = self.tokens[first as usize];
                let b = self.tokens[first as usize + n as usize - 1];
                (a.start, b.end - 1)
            }
            Kind::Pair { a, b } => (
                self.tokens[a as usize].start,
                self.tokens[b as usize].end - 1,
            ),
            Kind::Chars { token, start, end } => {
                let t = self.tokens[token as usize];
                let len = t.end - t.start;
                // Padded positions 1..=len are the word's characters; clamp the markers away.
                let s = start.max(1);
                let e = end.min(len + 1);
                (t.start + s - 1, t.start + e - 2)
            }
        };
        let from = self.origin[first as usize].0 as usize;
        let to = self.origin[last as usize].1 as usize;
        from..to
    }

    /// A readable name for an occurrence: `word "card"`, `words "my card"`, `chars "<car"`.
    pub(crate) fn describe(&self, kind: Kind) -> String {
        match kind {
            Kind::Words { first, n } => {
                let mut out = String::from(if n == 1 { "word \"" } else { "words \"" });
                for (i, token) in self.tokens[first as usize..first as usize + n as usize]
                    .iter()
                    .enumerate()
                {
                    if i > 0 {
                        out.push(' ');
                    }
                    out.extend(&self.chars[token.start as usize..token.end as usize]);
                }
                out.push('"');
                out
            }
            Kind::Pair { a, b } => {
                let a = self.tokens[a as usize];
                let b = self.tokens[b as usize];
                let mut out = String::from("pair \"");
                out.extend(&self.chars[a.start as usize..a.end as usize]);
                out.push_str(" … ");
                out.extend(&self.chars[b.start as usize..b.end as usize]);
                out.push('"');
                out
            }
            Kind::Chars { token, start, end } => {
                let t = self.tokens[token as usize];
                let mut out = String::from("chars \"");
                for p in start as usize..end as usize {
                    out.push(self.padded(&t, p));
                }
                out.push('"');
                out
            }
        }
    }
}

/// The value of each feature occurrence in a text with `count` occurrences.
#[inline]
pub(crate) fn occurrence_value(count: usize) -> f32 {
    if count == 0 {
        0.0
    } else {
        1.0 / (count as f32).sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn occurrences(text: &str, config: &FeatureConfig) -> (Scratch, Vec<Occurrence>) {
        let mut scratch = Scratch::default();
        let mut out = Vec::new();
        let n = scratch.extract(text, config, |o| out.push(o));
        assert_eq!(n, out.len());
        (scratch, out)
    }

    #[test]
    fn default_config_is_valid_and_bad_ones_are_named() {
        FeatureConfig::default().validate().unwrap();
        let bad = |f: fn(&mut FeatureConfig)| {
            let mut c = FeatureConfig::default();
            f(&mut c);
            c.validate().unwrap_err()
        };
        assert_eq!(
            bad(|c| c.bucket_bits = 9),
            FeatureConfigError::BucketBits(9)
        );
        assert_eq!(
            bad(|c| c.bucket_bits = 25),
            FeatureConfigError::BucketBits(25)
        );
        assert_eq!(
            bad(|c| c.word_ngrams = 0),
            FeatureConfigError::WordNgrams(0)
        );
        assert!(matches!(
            bad(|c| c.char_min = 6),
            FeatureConfigError::CharNgrams { min: 6, max: 5 }
        ));
        assert!(matches!(
            bad(|c| c.char_max = 9),
            FeatureConfigError::CharNgrams { .. }
        ));
        let none = FeatureConfig {
            char_min: 0,
            char_max: 0,
            ..FeatureConfig::default()
        };
        none.validate().unwrap();
    }

    #[test]
    fn folding_ignores_case_width_and_digits() {
        let config = FeatureConfig::default();
        let a = occurrences("My CARD 1234 ﬁne", &config).1;
        let b = occurrences("my card 9876 fine", &config).1;
        let buckets = |o: &[Occurrence]| o.iter().map(|o| o.bucket).collect::<Vec<_>>();
        assert_eq!(buckets(&a), buckets(&b));
        let c = occurrences("my cart 9876 fine", &config).1;
        assert_ne!(buckets(&a), buckets(&c));
    }

    #[test]
    fn counts_match_the_definition() {
        // "ab ?" -> tokens "ab" (word) and "?" (punctuation).
        let config = FeatureConfig {
            bucket_bits: 16,
            word_ngrams: 2,
            skip_window: 0,
            char_min: 2,
            char_max: 3,
            fold_digits: true,
            scaling: Scaling::SqrtCount,
        };
        let (_, occ) = occurrences("ab ?", &config);
        // words: "ab", "?", "ab ?" = 3; chars of "<ab>": 2-grams <a ab b> (3), 3-grams <ab ab> (2).
        assert_eq!(occ.len(), 3 + 5);
        let (_, none) = occurrences("   \t", &config);
        assert!(none.is_empty());
    }

    #[test]
    fn spans_and_names_point_into_the_original_text() {
        let config = FeatureConfig::default();
        let text = "Wo ist MEINE Kärte?? ＡＢ";
        let (scratch, occ) = occurrences(text, &config);
        let mut names = Vec::new();
        for o in &occ {
            let span = scratch.span(o.kind);
            assert!(span.start < span.end && span.end <= text.len(), "{span:?}");
            assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
            names.push((scratch.describe(o.kind), &text[span]));
        }
        assert!(names.contains(&("word \"meine\"".to_owned(), "MEINE")));
        assert!(names.contains(&("words \"meine kärte\"".to_owned(), "MEINE Kärte")));
        assert!(names.contains(&("chars \"<kä\"".to_owned(), "Kä")));
        assert!(names.contains(&("chars \"te>\"".to_owned(), "te")));
        assert!(names.contains(&("word \"?\"".to_owned(), "?")));
        assert!(names.contains(&("word \"ab\"".to_owned(), "ＡＢ")));
    }

    #[test]
    fn hashing_is_fixed_across_runs_and_platforms() {
        // Known answers: a change here changes the meaning of every model file, so it needs a
        // new format version.
        let config = FeatureConfig::default();
        let (_, occ) = occurrences("My card", &config);
        let buckets: Vec<u32> = occ.iter().map(|o| o.bucket).collect();
        // "my": word, chars <m my y> <my my> <my>; "card": word, words "my card", chars.
        assert_eq!(buckets.len(), 1 + (3 + 2 + 1) + 2 + (5 + 4 + 3 + 2));
        assert_eq!(
            buckets,
            [
                700106, 153302, 329928, 1009461, 956009, 232819, 479481, 1691, 933593, 225901,
                442709, 872994, 370521, 735105, 761983, 657357, 807161, 806295, 349643, 393407,
                594485, 159074, 438746
            ]
        );
        assert_eq!(buckets[0], bucket_of_word("my", 20));
    }

    fn bucket_of_word(word: &str, bits: u8) -> u32 {
        let mut h = FNV_OFFSET;
        for c in word.chars() {
            h = fnv(h, c);
        }
        let h = (SEED_WORD ^ h).wrapping_mul(FNV_PRIME);
        bucket(h ^ SEED_CHARS, bits)
    }
}
