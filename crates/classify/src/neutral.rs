//! What the understanding models must not read: greetings, statements of tenure, signatures and
//! places.
//!
//! Candor promises to prioritise by need, never by name, place or tenure. Pseudonymisation
//! already hides the personal data it recognises; this stage goes further and takes out of the
//! text that the intent, sentiment and frustration models read every clause that says nothing
//! about the need:
//!
//! - a **phatic** clause, made only of greeting, politeness and sign-off words ("Hej! Kan du
//!   hjælpe mig?", "Sehr geehrte Damen und Herren", "Mvh <PERSON_1>"): its wording tells the
//!   models how formal the customer is, which follows age and origin, not what they need;
//! - a statement of **tenure**, a clause naming the customer relationship and a time ("I have
//!   been a customer for 20 years", "Ik heb me vorige week pas aangemeld"), unless it also asks
//!   for something;
//! - a **signature** fragment, a short clause of capitalised words, numbers and pseudonyms
//!   only ("Sabine Müller, Kassel"), which is a name or a place the recognisers did not catch;
//! - a **place** inside a clause: a capitalised word after a locative preposition ("Ich wohne in
//!   Kassel") or next to a postcode ("8000 Aarhus C").
//!
//! Reaching a person never depends on this: the pipeline looks for requests for a person,
//! opt-outs, complaints and urgency in the whole text. The clauses left out are listed with the
//! decision so that the explanation says what was not read, and why.
//!
//! The words are data, one TOML file per language (`neutral/<lang>.toml`, format in
//! `docs/specs/neutral.md`); adding a language is adding a file.
//!
//! ```
//! use candor_classify::neutral::Neutraliser;
//! use candor_core::Lang;
//! let n = Neutraliser::builtin();
//! let out = n.neutralise(
//!     "Hej! Kan du hjælpe mig? Hvor er min pakke? Jeg har været kunde i 20 år.",
//!     Some(Lang::DA),
//! );
//! assert_eq!(out.text.trim(), "Hvor er min pakke?");
//! assert_eq!(out.left_out.len(), 3);
//! ```

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::ops::Range;

use candor_core::Lang;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::cues::fold_into;

/// Why a part of the text was left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LeftOutKind {
    /// Greeting, politeness or sign-off words only.
    Phatic,
    /// A statement of how long the customer has been a customer.
    Tenure,
    /// A name or place fragment: capitalised words, numbers and pseudonyms only.
    Signature,
    /// A place name inside a clause.
    Place,
}

impl LeftOutKind {
    /// Stable code, e.g. `tenure`.
    pub fn as_str(self) -> &'static str {
        match self {
            LeftOutKind::Phatic => "phatic",
            LeftOutKind::Tenure => "tenure",
            LeftOutKind::Signature => "signature",
            LeftOutKind::Place => "place",
        }
    }
}

/// One part of the text the models did not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    /// Byte offsets into the text given to [`Neutraliser::neutralise`].
    pub span: Range<usize>,
    /// Why.
    pub kind: LeftOutKind,
}

/// The text the understanding models read, and what was taken out of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Neutral {
    /// The text with every left-out part replaced by one space; the whole text when nothing
    /// with a letter would remain (a message that is only a greeting is still read).
    pub text: String,
    /// What was left out, in text order; empty when the whole text is read.
    pub left_out: Vec<LeftOut>,
}

/// A lexicon that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NeutralError {
    /// Not TOML of this format.
    #[error("{origin}: {message}")]
    Parse {
        /// Which lexicon.
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// The file names a language other than the one it was loaded for.
    #[error("{origin}: says lang = `{found}` but was loaded for `{expected}`")]
    WrongLanguage {
        /// Which lexicon.
        origin: String,
        /// The language it was loaded for.
        expected: Lang,
        /// The language it names.
        found: String,
    },
    /// An empty word, or a `*` anywhere but at the end.
    #[error("{origin}: list `{list}` has a bad entry `{entry}` (empty, or `*` not at the end)")]
    BadEntry {
        /// Which lexicon.
        origin: String,
        /// Which list.
        list: String,
        /// The entry.
        entry: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LexiconFile {
    lang: String,
    phatic: Vec<String>,
    relationship: Vec<String>,
    time: Vec<String>,
    request: Vec<String>,
    joins: Vec<String>,
    locative: Vec<String>,
    #[serde(default)]
    not_places: Vec<String>,
    #[serde(default)]
    name_particles: Vec<String>,
}

/// Folded words, exact or (`word*`) as a prefix.
#[derive(Debug, Default)]
struct WordSet {
    exact: HashSet<String>,
    prefixes: Vec<String>,
}

impl WordSet {
    fn parse(origin: &str, list: &str, entries: &[String]) -> Result<WordSet, NeutralError> {
        let mut set = WordSet::default();
        for entry in entries {
            let (stem, prefix) = match entry.strip_suffix('*') {
                Some(stem) => (stem, true),
                None => (entry.as_str(), false),
            };
            let mut folded = String::new();
            fold_into(stem, &mut folded);
            if folded.is_empty() || folded.contains('*') || folded.contains(char::is_whitespace) {
                return Err(NeutralError::BadEntry {
                    origin: origin.to_owned(),
                    list: list.to_owned(),
                    entry: entry.clone(),
                });
            }
            if prefix {
                set.prefixes.push(folded);
            } else {
                set.exact.insert(folded);
            }
        }
        Ok(set)
    }

    fn contains(&self, folded: &str) -> bool {
        self.exact.contains(folded) || self.prefixes.iter().any(|p| folded.starts_with(p.as_str()))
    }
}

#[derive(Debug)]
struct Lexicon {
    phatic: WordSet,
    relationship: WordSet,
    time: WordSet,
    request: WordSet,
    joins: WordSet,
    locative: WordSet,
    not_places: WordSet,
    name_particles: WordSet,
}

impl Lexicon {
    fn parse(lang: Lang, text: &str, origin: &str) -> Result<Lexicon, NeutralError> {
        let file: LexiconFile = toml::from_str(text).map_err(|e| NeutralError::Parse {
            origin: origin.to_owned(),
            message: e.to_string(),
        })?;
        if file.lang != lang.code() {
            return Err(NeutralError::WrongLanguage {
                origin: origin.to_owned(),
                expected: lang,
                found: file.lang,
            });
        }
        let set = |list: &str, entries: &[String]| WordSet::parse(origin, list, entries);
        Ok(Lexicon {
            phatic: set("phatic", &file.phatic)?,
            relationship: set("relationship", &file.relationship)?,
            time: set("time", &file.time)?,
            request: set("request", &file.request)?,
            joins: set("joins", &file.joins)?,
            locative: set("locative", &file.locative)?,
            not_places: set("not_places", &file.not_places)?,
            name_particles: set("name_particles", &file.name_particles)?,
        })
    }
}

const BUILTIN: &[(Lang, &str)] = &[
    (Lang::DA, include_str!("../neutral/da.toml")),
    (Lang::DE, include_str!("../neutral/de.toml")),
    (Lang::EN, include_str!("../neutral/en.toml")),
    (Lang::NL, include_str!("../neutral/nl.toml")),
];

/// Takes out of a message what the understanding models must not read. See the module docs.
pub struct Neutraliser {
    lexicons: BTreeMap<Lang, Lexicon>,
    version: String,
}

impl fmt::Debug for Neutraliser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Neutraliser")
            .field("languages", &self.lexicons.keys().collect::<Vec<_>>())
            .field("version", &self.version)
            .finish()
    }
}

impl Neutraliser {
    /// The shipped lexicons for Danish, Dutch, German and English (`neutral/*.toml`).
    ///
    /// # Panics
    ///
    /// Never for the shipped files: a test parses each of them.
    pub fn builtin() -> Neutraliser {
        Neutraliser::from_files(BUILTIN.iter().map(|(l, t)| (*l, *t)))
            .unwrap_or_else(|e| panic!("shipped neutral lexicon is invalid: {e}"))
    }

    /// Lexicons from `(language, TOML text)` pairs.
    ///
    /// # Errors
    ///
    /// A text that is not a lexicon of this format for its language.
    pub fn from_files<'a>(
        files: impl IntoIterator<Item = (Lang, &'a str)>,
    ) -> Result<Neutraliser, NeutralError> {
        let mut lexicons = BTreeMap::new();
        let mut hash = Sha256::new();
        for (lang, text) in files {
            let lexicon = Lexicon::parse(lang, text, &format!("neutral {lang}.toml"))?;
            hash.update(lang.code().as_bytes());
            hash.update(text.as_bytes());
            lexicons.insert(lang, lexicon);
        }
        let digest = hash.finalize();
        Ok(Neutraliser {
            lexicons,
            version: format!("neutral-{}", hex_prefix(&digest[..6])),
        })
    }

    /// Version of the lexicons in force (a hash of their text), for the decision's versions.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The text the models should read. `lang` picks the lexicon; with no language (or one
    /// without a lexicon) nothing is left out, because the words would be guesses.
    pub fn neutralise(&self, text: &str, lang: Option<Lang>) -> Neutral {
        let whole = || Neutral {
            text: text.to_owned(),
            left_out: Vec::new(),
        };
        let Some(lexicon) = lang.and_then(|l| self.lexicons.get(&l)) else {
            return whole();
        };
        let tokens = tokenise(text);
        let mut left_out = Vec::new();
        for clause in clauses(text, &tokens, lexicon) {
            let words = &tokens[clause.tokens.clone()];
            match judge(words, &clause, lexicon) {
                Some(kind) => left_out.push(LeftOut {
                    span: clause.span.clone(),
                    kind,
                }),
                None => places(words, lexicon, &mut left_out),
            }
        }
        if left_out.is_empty() {
            return whole();
        }
        left_out.sort_by_key(|l| l.span.start);
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for l in &left_out {
            out.push_str(&text[at..l.span.start]);
            out.push(' ');
            at = l.span.end;
        }
        out.push_str(&text[at..]);
        if !out.chars().any(char::is_alphabetic) {
            return whole();
        }
        Neutral {
            text: out,
            left_out,
        }
    }
}

fn hex_prefix(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenKind {
    Word,
    Number,
    /// A pseudonym such as `<PERSON_1>`.
    Pseudonym,
}

#[derive(Debug)]
struct Token {
    span: Range<usize>,
    kind: TokenKind,
    folded: String,
    /// Starts with a capital and has no further capitals, or is one or two capitals ("C",
    /// "CJ" in a Dutch postcode).
    capitalised: bool,
}

fn tokenise(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c == '<'
            && let Some(end) = pseudonym_end(bytes, start)
        {
            while chars.peek().is_some_and(|(i, _)| *i < end) {
                chars.next();
            }
            tokens.push(Token {
                span: start..end,
                kind: TokenKind::Pseudonym,
                folded: String::new(),
                capitalised: false,
            });
            continue;
        }
        if !c.is_alphanumeric() {
            continue;
        }
        let mut end = start + c.len_utf8();
        while let Some(&(i, next)) = chars.peek() {
            // Inner apostrophes and hyphens belong to the word ("I've", "Baden-Baden").
            let joiner = (next == '\'' || next == '-' || next == '’')
                && text[i + next.len_utf8()..]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphanumeric);
            if next.is_alphanumeric() || joiner {
                end = i + next.len_utf8();
                chars.next();
            } else {
                break;
            }
        }
        let word = &text[start..end];
        // A token with a digit is a number, a code or a postcode ("8000", "HU9", "A12").
        let kind = if word.chars().any(|c| c.is_ascii_digit()) {
            TokenKind::Number
        } else {
            TokenKind::Word
        };
        let mut folded = String::with_capacity(word.len());
        fold_into(word, &mut folded);
        let upper = word.chars().filter(|c| c.is_uppercase()).count();
        let first_upper = word.chars().next().is_some_and(char::is_uppercase);
        let capitalised = kind == TokenKind::Word
            && first_upper
            && (upper == 1 || (word.chars().count() <= 2 && upper == word.chars().count()));
        tokens.push(Token {
            span: start..end,
            kind,
            folded,
            capitalised,
        });
    }
    tokens
}

/// The end of a pseudonym `<KIND_n>` starting at `pos`.
fn pseudonym_end(bytes: &[u8], pos: usize) -> Option<usize> {
    let mut i = pos + 1;
    if !bytes.get(i)?.is_ascii_uppercase() {
        return None;
    }
    while i < bytes.len()
        && (bytes[i].is_ascii_uppercase() || bytes[i].is_ascii_digit() || bytes[i] == b'_')
    {
        i += 1;
    }
    (bytes.get(i) == Some(&b'>')).then_some(i + 1)
}

#[derive(Debug)]
struct Clause {
    /// From its first token to its closing punctuation (or its last token).
    span: Range<usize>,
    tokens: Range<usize>,
    question: bool,
}

/// Whether the character at `i` ends a clause: `!?;` and a line break always, `.,:` only when
/// followed by a space or the end, so that "1.620" and "12,50" stay whole.
fn ends_clause(text: &str, i: usize, c: char) -> bool {
    match c {
        '!' | '?' | ';' | '\n' => true,
        '.' | ',' | ':' => text[i + 1..].chars().next().is_none_or(char::is_whitespace),
        _ => false,
    }
}

fn clauses(text: &str, tokens: &[Token], lexicon: &Lexicon) -> Vec<Clause> {
    let mut out = Vec::new();
    let mut first = 0;
    let close = |first: usize, last: usize, out: &mut Vec<Clause>| {
        if first >= last {
            return;
        }
        let start = tokens[first].span.start;
        let tail = tokens[last - 1].span.end;
        let mut end = tail;
        let limit = tokens.get(last).map_or(text.len(), |t| t.span.start);
        let mut question = false;
        // Take the closing punctuation (and the spaces between) into the clause.
        for (i, c) in text[tail..limit].char_indices() {
            if matches!(c, '!' | '?' | '.' | ',' | ';' | ':') {
                question |= c == '?';
                end = tail + i + c.len_utf8();
            } else if !c.is_whitespace() {
                break;
            }
        }
        out.push(Clause {
            span: start..end,
            tokens: first..last,
            question,
        });
    };
    for (i, token) in tokens.iter().enumerate() {
        // A capitalised word right after a pseudonym starts a new sentence that lost its full
        // stop ("… i <PERSON_1> Jeg har været kunde …"): a sign-off or place the recogniser
        // took, then the next sentence.
        let after_pseudonym =
            i > first && token.capitalised && tokens[i - 1].kind == TokenKind::Pseudonym;
        if i > first
            && token.kind == TokenKind::Word
            && (lexicon.joins.contains(&token.folded) || after_pseudonym)
        {
            close(first, i, &mut out);
            first = i;
        }
        let next_start = tokens.get(i + 1).map_or(text.len(), |t| t.span.start);
        let between = &text[token.span.end..next_start];
        let boundary = between
            .char_indices()
            .any(|(j, c)| ends_clause(text, token.span.end + j, c));
        if boundary {
            close(first, i + 1, &mut out);
            first = i + 1;
        }
    }
    close(first, tokens.len(), &mut out);
    out
}

/// Longest clause that can be a signature fragment.
const MAX_SIGNATURE_TOKENS: usize = 6;

fn judge(words: &[Token], clause: &Clause, lexicon: &Lexicon) -> Option<LeftOutKind> {
    let all = |f: &dyn Fn(&Token) -> bool| words.iter().all(f);
    let any = |f: &dyn Fn(&Token) -> bool| words.iter().any(f);
    let pseudonym = |t: &Token| t.kind == TokenKind::Pseudonym;
    if all(&|t| pseudonym(t) || (t.kind == TokenKind::Word && lexicon.phatic.contains(&t.folded))) {
        return Some(if all(&pseudonym) {
            LeftOutKind::Signature
        } else {
            LeftOutKind::Phatic
        });
    }
    if clause.question {
        return None;
    }
    // Lower-case particles belong to names ("Daan van den Berg", "<PERSON_1> van den
    // <PERSON_2>" when a recogniser took the two capitalised parts apart).
    let particle =
        |t: &Token| t.kind == TokenKind::Word && lexicon.name_particles.contains(&t.folded);
    if words.len() <= MAX_SIGNATURE_TOKENS
        && all(&|t| pseudonym(t) || t.kind == TokenKind::Number || t.capitalised || particle(t))
        && any(&|t| t.capitalised || pseudonym(t))
    {
        return Some(LeftOutKind::Signature);
    }
    let word = |set: &WordSet| any(&|t| t.kind == TokenKind::Word && set.contains(&t.folded));
    let year = any(&|t| {
        t.kind == TokenKind::Number
            && t.folded.len() == 4
            && t.folded.chars().all(|c| c.is_ascii_digit())
    });
    if word(&lexicon.relationship) && (word(&lexicon.time) || year) && !word(&lexicon.request) {
        return Some(LeftOutKind::Tenure);
    }
    None
}

/// Marks place names inside a clause that is read: capitalised words after a locative
/// preposition, and a postcode with the capitalised words next to it.
fn places(words: &[Token], lexicon: &Lexicon, left_out: &mut Vec<LeftOut>) {
    let is_place_word = |t: &Token| t.capitalised && !lexicon.not_places.contains(&t.folded);
    let postcode = |t: &Token| {
        t.kind == TokenKind::Number
            && (4..=5).contains(&t.folded.len())
            && t.folded.chars().all(|c| c.is_ascii_digit())
    };
    let mut i = 0;
    while i < words.len() {
        let t = &words[i];
        let after_locative = i > 0
            && words[i - 1].kind == TokenKind::Word
            && lexicon.locative.contains(&words[i - 1].folded)
            && (is_place_word(t) || postcode(t) || t.kind == TokenKind::Pseudonym);
        let postcode_next_to_place = postcode(t)
            && (words.get(i + 1).is_some_and(is_place_word)
                || (i > 0 && is_place_word(&words[i - 1])));
        if !(after_locative || postcode_next_to_place) {
            i += 1;
            continue;
        }
        let mut start = i;
        // A place before its postcode ("Leeds LS1"), as English writes it.
        while start > 0 && is_place_word(&words[start - 1]) && postcode(t) {
            start -= 1;
        }
        let mut end = i + 1;
        // A place the privacy stage took for a name ("i Aarhus C. Mette Nielsen" becomes
        // "i <PERSON_1> <PERSON_2>") runs on like the place itself.
        let runs_on = |t: &Token| is_place_word(t) || postcode(t) || t.kind == TokenKind::Pseudonym;
        while end < words.len() && runs_on(&words[end]) {
            end += 1;
        }
        left_out.push(LeftOut {
            span: words[start].span.start..words[end - 1].span.end,
            kind: LeftOutKind::Place,
        });
        i = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, lang: Lang) -> String {
        let out = Neutraliser::builtin().neutralise(text, Some(lang));
        out.text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn kinds(text: &str, lang: Lang) -> Vec<LeftOutKind> {
        Neutraliser::builtin()
            .neutralise(text, Some(lang))
            .left_out
            .iter()
            .map(|l| l.kind)
            .collect()
    }

    #[test]
    fn shipped_lexicons_parse_and_have_a_version() {
        let n = Neutraliser::builtin();
        assert!(n.version().starts_with("neutral-"));
        assert_eq!(n.lexicons.len(), 4);
    }

    #[test]
    fn greetings_and_general_pleas_for_help_are_not_read() {
        // Phrasings written for this test, not taken from the fairness probe lists.
        assert_eq!(
            read(
                "Hallo zusammen, ich hoffe ihr könnt mir helfen. Meine Rechnung ist falsch.",
                Lang::DE
            ),
            "Meine Rechnung ist falsch."
        );
        assert_eq!(
            read(
                "Good morning! Could you please help me? My parcel never arrived.",
                Lang::EN
            ),
            "My parcel never arrived."
        );
        assert_eq!(
            read(
                "Goedemorgen, ik heb een vraag. Mijn pakket is niet aangekomen.",
                Lang::NL
            ),
            "Mijn pakket is niet aangekomen."
        );
        assert_eq!(
            read(
                "Hej med dig! Min faktura er forkert. Tak på forhånd.",
                Lang::DA
            ),
            "Min faktura er forkert."
        );
    }

    #[test]
    fn statements_of_tenure_are_not_read_unless_they_ask_for_something() {
        assert_eq!(
            read(
                "I've been with you as a customer since 1998. My bill is wrong.",
                Lang::EN
            ),
            "My bill is wrong."
        );
        assert_eq!(
            read(
                "Ich bin schon zehn Jahre Kundin und meine Rechnung ist falsch.",
                Lang::DE
            ),
            "und meine Rechnung ist falsch."
        );
        assert_eq!(
            kinds(
                "Jeg blev kunde for to måneder siden. Min regning er for høj.",
                Lang::DA
            ),
            [LeftOutKind::Tenure]
        );
        // Asking to become a customer is a need, not tenure.
        assert!(kinds("I want to become a new customer.", Lang::EN).is_empty());
        assert!(kinds("Kan jeg blive kunde i år?", Lang::DA).is_empty());
    }

    #[test]
    fn signatures_and_places_are_not_read() {
        assert_eq!(
            read("Mein Paket fehlt. Grüße <PERSON_1>, Bielefeld", Lang::DE),
            "Mein Paket fehlt."
        );
        assert_eq!(
            read(
                "Mijn pakket is zoek! <PERSON_1> van der <PERSON_2>",
                Lang::NL
            ),
            "Mijn pakket is zoek!"
        );
        // A pseudonym where a place should be is a place the recognisers took for a name.
        assert_eq!(
            read(
                "Mein Paket fehlt, ich wohne in <PERSON_1> und warte.",
                Lang::DE
            ),
            "Mein Paket fehlt, ich wohne in und warte."
        );
        assert_eq!(
            read(
                "Pakken er ikke kommet. Jeg bor i <PERSON_1> <PERSON_2>",
                Lang::DA
            ),
            "Pakken er ikke kommet. Jeg bor i"
        );
        assert_eq!(
            read(
                "The heating is broken in Sheffield and it is cold.",
                Lang::EN
            ),
            "The heating is broken in and it is cold."
        );
        assert_eq!(
            read(
                "Ik ben verhuisd naar 9711 AB Groningen. Hoe wijzig ik mijn adres?",
                Lang::NL
            ),
            "Ik ben verhuisd naar . Hoe wijzig ik mijn adres?"
        );
        assert_eq!(
            read("My parcel is lost. Sarah Smith, Hull HU9", Lang::EN),
            "My parcel is lost."
        );
        // Common nouns after a German preposition are words, not places.
        assert_eq!(
            read("Mir wurde das doppelt in Rechnung gestellt.", Lang::DE),
            "Mir wurde das doppelt in Rechnung gestellt."
        );
    }

    #[test]
    fn a_sentence_after_a_pseudonym_is_its_own_clause() {
        assert_eq!(
            read(
                "Min pakke er væk. Jeg bor i <PERSON_1> Jeg har været kunde i 20 år.",
                Lang::DA
            ),
            "Min pakke er væk. Jeg bor i"
        );
    }

    #[test]
    fn shouting_and_questions_are_read() {
        assert!(kinds("MY ORDER NEVER CAME", Lang::EN).is_empty());
        assert!(kinds("Rechnung?", Lang::DE).is_empty());
    }

    #[test]
    fn a_message_that_is_only_a_greeting_is_read_whole() {
        let n = Neutraliser::builtin();
        let out = n.neutralise("Hej! Kan du hjælpe mig?", Some(Lang::DA));
        assert_eq!(out.text, "Hej! Kan du hjælpe mig?");
        assert!(out.left_out.is_empty());
        let out = n.neutralise("Hello, I have been a customer for years.", None);
        assert!(out.left_out.is_empty(), "no language, no guesses");
    }

    #[test]
    fn spans_point_into_the_original_text() {
        let text = "Hi there! Where is my order? Kind regards, <PERSON_1>";
        let out = Neutraliser::builtin().neutralise(text, Some(Lang::EN));
        let parts: Vec<&str> = out.left_out.iter().map(|l| &text[l.span.clone()]).collect();
        assert_eq!(parts, ["Hi there!", "Kind regards,", "<PERSON_1>"]);
    }

    #[test]
    fn bad_lexicons_are_refused_with_the_entry_named() {
        let bad = "lang = \"en\"\nphatic = [\"he*llo\"]\nrelationship = []\ntime = []\nrequest = []\njoins = []\nlocative = []\n";
        let e = Neutraliser::from_files([(Lang::EN, bad)]).unwrap_err();
        assert!(e.to_string().contains("he*llo"), "{e}");
        let e = Neutraliser::from_files([(Lang::DA, bad)]).unwrap_err();
        assert!(matches!(e, NeutralError::WrongLanguage { .. }));
        let e = Neutraliser::from_files([(Lang::EN, "lang = 1")]).unwrap_err();
        assert!(matches!(e, NeutralError::Parse { .. }));
    }
}
