//! Cue lexicons per language: asking for a person, frustration, opting out of AI, complaints.
//!
//! These detectors keep Candor's promise that a person is always reachable, so they favour
//! recall: a customer who asks for a person in any of the configured languages, with typos, in
//! lower case or in the middle of a complaint, must be heard.
//! The words live in data, one TOML file per language (`lexicons/<lang>.toml`); adding a language
//! is adding a file. The format and the matching method are in `docs/specs/cues.md`.
//!
//! ```
//! use candor_classify::cues::{CueLexicons, FrustrationInput};
//! use candor_core::Lang;
//! let cues = CueLexicons::builtin();
//! let m = cues.human_request("kan jeg ikke nok få lov at snakke med et rigtigt menneske", None);
//! assert!(m.detected);
//! assert_eq!(m.evidence[0].lang, Lang::DA);
//! assert!(!cues.human_request("the delivery person left it at the door", None).detected);
//! let f = cues.frustration("THIS IS THE THIRD TIME!!!", Some(Lang::EN), &FrustrationInput::default());
//! assert!(f.score > 0.5);
//! ```

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::Path;

use aho_corasick::AhoCorasick;
use candor_core::{Lang, Span};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// Whether a cue was found, how sure, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct CueMatch {
    /// Whether any lexicon entry fired.
    pub detected: bool,
    /// Confidence in `[0, 1]`: `1 - prod(1 - c)` over the evidence; 0 when nothing fired.
    pub confidence: f32,
    /// What fired, the hinted language first, then in text order.
    pub evidence: Vec<CueEvidence>,
}

/// One lexicon entry that fired.
#[derive(Debug, Clone, PartialEq)]
pub struct CueEvidence {
    /// Which entry fired: `<lang>:<category>:<id>`, e.g. `en:human_request:speak_to_person`.
    pub cue: String,
    /// The language whose lexicon fired.
    pub lang: Lang,
    /// Byte offsets into the text that was checked.
    pub span: Span,
}

/// What the pipeline knows about the conversation beyond the message text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrustrationInput {
    /// Negative sentiment in `[0, 1]` from a sentiment model; 0 if there is none.
    pub negative_sentiment: f32,
    /// Customer turns so far that did not resolve the customer's issue.
    pub unresolved_customer_turns: u32,
    /// Whether the customer repeats an intent they already expressed.
    pub repeated_intent: bool,
    /// Earlier frustration scores in this conversation, oldest first.
    pub previous_scores: Vec<f32>,
}

/// A frustration score with the reasons that make it up.
#[derive(Debug, Clone, PartialEq)]
pub struct Frustration {
    /// Score in `[0, 1]`: `1 - prod(1 - weight)` over the reasons.
    pub score: f32,
    /// Why, one reason per code, in a stable order.
    pub reasons: Vec<FrustrationReason>,
}

/// One contribution to a frustration score.
#[derive(Debug, Clone, PartialEq)]
pub struct FrustrationReason {
    /// One of `repeat_contact`, `still_not`, `shouting`, `exclamation_run`, `insult`,
    /// `churn_threat`, `negative_sentiment`, `unresolved_turns`, `repeated_intent`, `rising`.
    pub code: &'static str,
    /// A plain English sentence saying what was seen.
    pub detail: String,
    /// Its weight `w` in `score = 1 - prod(1 - w)`.
    pub weight: f32,
    /// Where in the text, for reasons that come from the text.
    pub span: Option<Span>,
}

/// A lexicon that cannot be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CueError {
    /// A file or directory that cannot be read.
    #[error("{origin}: cannot read: {source}")]
    Io {
        /// The path.
        origin: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Text that is not TOML, or not this format.
    #[error("{origin}: bad lexicon TOML: {message}")]
    Toml {
        /// The file or language.
        origin: String,
        /// What the TOML parser said.
        message: String,
    },
    /// A language code that is not two lowercase letters, or that does not match its file.
    #[error("{origin}: bad language code `{code}`: {problem}")]
    BadLang {
        /// The file or language.
        origin: String,
        /// The code as written.
        code: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A phrase with no words in it.
    #[error("{origin}: {place}: empty phrase")]
    EmptyPhrase {
        /// The file or language.
        origin: String,
        /// Which section and entry.
        place: String,
    },
    /// Anything else that is wrong with an entry: an unknown group or reason, a bad wildcard.
    #[error("{origin}: {place}: {problem}")]
    Invalid {
        /// The file or language.
        origin: String,
        /// Which section and entry.
        place: String,
        /// What is wrong.
        problem: String,
    },
    /// A directory without any `<lang>.toml`.
    #[error("{origin}: no <lang>.toml lexicon files")]
    NoLexicons {
        /// The directory.
        origin: String,
    },
}

/// The cue lexicons of one or more languages, compiled for matching.
#[derive(Clone)]
pub struct CueLexicons {
    // Invariant: sorted by language, one entry per language; `index` and `version` are built
    // from exactly these.
    lexicons: Vec<Lexicon>,
    index: Index,
    version: String,
}

impl fmt::Debug for CueLexicons {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CueLexicons")
            .field("languages", &self.languages())
            .field("version", &self.version)
            .field("words", &self.index.words.len())
            .finish()
    }
}

const BUILTIN: &[(Lang, &str)] = &[
    (Lang::DA, include_str!("../lexicons/da.toml")),
    (Lang::DE, include_str!("../lexicons/de.toml")),
    (Lang::EN, include_str!("../lexicons/en.toml")),
    (Lang::NL, include_str!("../lexicons/nl.toml")),
];

impl CueLexicons {
    /// The shipped lexicons for Danish, Dutch, German and English (`lexicons/*.toml`).
    ///
    /// # Panics
    ///
    /// Never for the shipped files: a test parses each of them.
    pub fn builtin() -> CueLexicons {
        let lexicons = BUILTIN
            .iter()
            .map(|(lang, text)| {
                Lexicon::parse(*lang, text, &format!("builtin {lang}.toml"))
                    .unwrap_or_else(|e| panic!("shipped lexicon is invalid: {e}"))
            })
            .collect();
        CueLexicons::from_lexicons(lexicons)
    }

    /// Parses the lexicon of one language.
    ///
    /// # Errors
    ///
    /// When the text is not valid TOML in this format, names another language, has an empty
    /// phrase, an unknown group or frustration reason, or a misplaced `*`.
    pub fn parse(lang: Lang, toml_text: &str) -> Result<CueLexicons, CueError> {
        let lexicon = Lexicon::parse(lang, toml_text, &format!("{lang} lexicon"))?;
        Ok(CueLexicons::from_lexicons(vec![lexicon]))
    }

    /// Adds the languages of `other`; a language present in both takes `other`'s lexicon.
    pub fn merge(&mut self, other: CueLexicons) {
        let mut lexicons = std::mem::take(&mut self.lexicons);
        for lexicon in other.lexicons {
            lexicons.retain(|l| l.lang != lexicon.lang);
            lexicons.push(lexicon);
        }
        *self = CueLexicons::from_lexicons(lexicons);
    }

    /// Loads every `<lang>.toml` in `dir` (other files are ignored).
    ///
    /// # Errors
    ///
    /// When the directory or a file cannot be read, a file stem is not a language code, a file
    /// does not parse (see [`CueLexicons::parse`]), or there is no lexicon file at all.
    pub fn load_dir(dir: &Path) -> Result<CueLexicons, CueError> {
        let io = |origin: &Path| {
            let origin = origin.display().to_string();
            move |source| CueError::Io { origin, source }
        };
        let mut paths = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io(dir))? {
            let path = entry.map_err(io(dir))?.path();
            if path.extension().is_some_and(|e| e == "toml") && path.is_file() {
                paths.push(path);
            }
        }
        paths.sort();
        let mut lexicons: Vec<Lexicon> = Vec::new();
        for path in &paths {
            let origin = path.display().to_string();
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            let lang: Lang = stem.parse().map_err(|_| CueError::BadLang {
                origin: origin.clone(),
                code: stem.to_owned(),
                problem: "a lexicon file is named <lang>.toml with an ISO 639-1 code".into(),
            })?;
            let text = std::fs::read_to_string(path).map_err(io(path))?;
            lexicons.push(Lexicon::parse(lang, &text, &origin)?);
        }
        if lexicons.is_empty() {
            return Err(CueError::NoLexicons {
                origin: dir.display().to_string(),
            });
        }
        Ok(CueLexicons::from_lexicons(lexicons))
    }

    /// The languages that have a lexicon, sorted by code.
    pub fn languages(&self) -> Vec<Lang> {
        self.lexicons.iter().map(|l| l.lang).collect()
    }

    /// `"sha256:"` and 16 hex digits of a SHA-256 over each language's code and the SHA-256 of
    /// its lexicon text, so a decision record names exactly the words that were used.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Whether the customer asks for a person. Also fires on opting out of AI ("stop the
    /// bot"), which leaves a person as the only way on.
    pub fn human_request(&self, text: &str, lang: Option<Lang>) -> CueMatch {
        let tokens = self.index.tokenize(text);
        let mut hits = self.index.hits(Category::HumanRequest, &tokens);
        hits.extend(self.index.hits(Category::OptOut, &tokens));
        self.cue_match(hits, &tokens, lang)
    }

    /// Whether the customer says they do not want AI: "no AI", "ingen robot", "keine KI".
    pub fn opt_out(&self, text: &str, lang: Option<Lang>) -> CueMatch {
        self.detect(Category::OptOut, text, lang)
    }

    /// Whether the customer complains about a decision or files a complaint.
    pub fn complaint(&self, text: &str, lang: Option<Lang>) -> CueMatch {
        self.detect(Category::Complaint, text, lang)
    }

    /// Whether the customer says it is urgent: "urgent", "haster", "dringend", "spoed".
    pub fn urgency(&self, text: &str, lang: Option<Lang>) -> CueMatch {
        self.detect(Category::Urgency, text, lang)
    }

    /// How frustrated the customer seems, from cues in the text and the conversation so far.
    ///
    /// `score = 1 - prod(1 - w)` over the reasons found, so that each reason can only raise the
    /// score; the weights are listed in `docs/specs/cues.md`.
    pub fn frustration(
        &self,
        text: &str,
        lang: Option<Lang>,
        input: &FrustrationInput,
    ) -> Frustration {
        let tokens = self.index.tokenize(text);
        let hits = self.index.hits(Category::Frustration, &tokens);
        let evidence = self.evidence(hits, &tokens, lang);
        let mut reasons = Vec::new();
        for &(code, weight, detail) in TEXT_REASONS {
            if let Some((ev, _)) = evidence
                .iter()
                .find(|(ev, _)| ev.cue.rsplit(':').next() == Some(code))
            {
                reasons.push(FrustrationReason {
                    code,
                    detail: format!("{detail} (lexicon entry {}).", ev.cue),
                    weight,
                    span: Some(ev.span),
                });
            }
        }
        if let Some((share, span)) = shouting(text) {
            reasons.push(FrustrationReason {
                code: "shouting",
                detail: format!(
                    "The message is mostly in capitals ({:.0}% of letters in longer words).",
                    share * 100.0
                ),
                weight: 0.2 + 0.2 * share,
                span: Some(span),
            });
        }
        if let Some(span) = exclamation_run(text) {
            let long = span.len() >= 5;
            reasons.push(FrustrationReason {
                code: "exclamation_run",
                detail: format!(
                    "The message has a run of {} exclamation or question marks.",
                    span.len()
                ),
                weight: if long { 0.3 } else { 0.2 },
                span: Some(span),
            });
        }
        let sentiment = input.negative_sentiment;
        if sentiment.is_finite() && sentiment > 0.0 {
            let s = sentiment.min(1.0);
            reasons.push(FrustrationReason {
                code: "negative_sentiment",
                detail: format!("The sentiment model rates the message negative ({s:.2})."),
                weight: 0.5 * s,
                span: None,
            });
        }
        let turns = input.unresolved_customer_turns;
        if turns >= 2 {
            reasons.push(FrustrationReason {
                code: "unresolved_turns",
                detail: format!("The customer has written {turns} times without a resolution."),
                weight: (0.08 * turns as f32).min(0.4),
                span: None,
            });
        }
        if input.repeated_intent {
            reasons.push(FrustrationReason {
                code: "repeated_intent",
                detail: "The customer repeats a request they already made.".into(),
                weight: 0.25,
                span: None,
            });
        }
        if let Some(rise) = rising(&input.previous_scores) {
            reasons.push(FrustrationReason {
                code: "rising",
                detail: format!("Frustration has risen by {rise:.2} over the last turns."),
                weight: rise.min(0.3),
                span: None,
            });
        }
        let keep = 1.0 - reasons.iter().map(|r| 1.0 - r.weight).product::<f32>();
        Frustration {
            score: keep.clamp(0.0, 1.0),
            reasons,
        }
    }

    fn from_lexicons(mut lexicons: Vec<Lexicon>) -> CueLexicons {
        lexicons.sort_by_key(|l| l.lang);
        let mut hasher = Sha256::new();
        for l in &lexicons {
            hasher.update(format!("{}:{}\n", l.lang, hex(&l.digest)));
        }
        let version = format!("sha256:{}", &hex(&hasher.finalize())[..16]);
        CueLexicons {
            index: Index::build(&lexicons),
            lexicons,
            version,
        }
    }

    fn detect(&self, category: Category, text: &str, lang: Option<Lang>) -> CueMatch {
        let tokens = self.index.tokenize(text);
        let hits = self.index.hits(category, &tokens);
        self.cue_match(hits, &tokens, lang)
    }

    fn cue_match(&self, hits: Vec<Hit>, tokens: &Tokens, lang: Option<Lang>) -> CueMatch {
        let evidence = self.evidence(hits, tokens, lang);
        let miss = evidence.iter().map(|(_, c)| 1.0 - c).product::<f32>();
        CueMatch {
            detected: !evidence.is_empty(),
            confidence: if evidence.is_empty() { 0.0 } else { 1.0 - miss },
            evidence: evidence.into_iter().map(|(e, _)| e).collect(),
        }
    }

    /// Turns hits into evidence with a confidence each: the hinted language first, one
    /// evidence per cue and place.
    fn evidence(
        &self,
        mut hits: Vec<Hit>,
        tokens: &Tokens,
        lang: Option<Lang>,
    ) -> Vec<(CueEvidence, f32)> {
        let rules = &self.index.rules;
        hits.sort_by_key(|h| {
            (
                lang.is_some_and(|l| rules[h.rule].lang != l),
                h.start,
                h.rule,
            )
        });
        let mut out: Vec<(CueEvidence, f32, usize)> = Vec::with_capacity(hits.len());
        for hit in hits {
            let rule = &rules[hit.rule];
            let span = Span::new(tokens.toks[hit.start].start, tokens.toks[hit.end].end);
            // One entry, or two entries naming the same cue (`rigtig person` written two
            // ways), at one place are one piece of evidence: counted twice they would
            // inflate the confidence and repeat themselves in the explanation.
            if out
                .iter()
                .any(|(e, _, r)| (*r == hit.rule || e.cue == rule.cue) && e.span.overlaps(&span))
            {
                continue;
            }
            let mut confidence = rule.confidence() * FUZZY_FACTOR.powi(hit.fuzzy as i32);
            if lang.is_some_and(|l| l != rule.lang) {
                confidence *= OTHER_LANGUAGE_FACTOR;
            }
            out.push((
                CueEvidence {
                    cue: rule.cue.clone(),
                    lang: rule.lang,
                    span,
                },
                confidence,
                hit.rule,
            ));
        }
        out.into_iter().map(|(e, c, _)| (e, c)).collect()
    }
}

/// Frustration reasons found by lexicon entries: code, weight and what it means.
const TEXT_REASONS: &[(&str, f32, &str)] = &[
    (
        "repeat_contact",
        0.35,
        "The customer says they have contacted us several times",
    ),
    (
        "still_not",
        0.3,
        "The customer says something is still not done",
    ),
    (
        "insult",
        0.45,
        "The message contains an insult or profanity",
    ),
    (
        "churn_threat",
        0.4,
        "The customer threatens to cancel or leave",
    ),
];

const PHRASE_CONFIDENCE: f32 = 0.95;
const STANDALONE_CONFIDENCE: f32 = 0.9;
const PAIR_CONFIDENCE: f32 = 0.85;
/// Each word matched as a typo makes a hit less certain.
const FUZZY_FACTOR: f32 = 0.85;
/// A hit in another language than the hinted one is still a hit, a little less certain.
const OTHER_LANGUAGE_FACTOR: f32 = 0.9;
/// Typos are tolerated only in words at least this long: shorter ones are too often other words.
const FUZZY_MIN_WORD: usize = 5;
const FUZZY_MIN_TOKEN: usize = 4;

/// The share of upper-case letters among the letters of words of three or more letters, when
/// it is at least one half and there are at least six such letters. Pseudonym tokens are not
/// words. The span runs from the first to the last all-capital word.
fn shouting(text: &str) -> Option<(f32, Span)> {
    let (mut letters, mut upper) = (0usize, 0usize);
    let mut caps_span: Option<Span> = None;
    let mut rest = text.char_indices().peekable();
    while let Some((pos, c)) = rest.next() {
        if c == '<'
            && let Some(end) = placeholder_end(text, pos)
        {
            while rest.next_if(|(p, _)| *p < end).is_some() {}
            continue;
        }
        if !c.is_alphabetic() {
            continue;
        }
        let (mut n, mut u, mut end) = (1, usize::from(c.is_uppercase()), pos + c.len_utf8());
        while let Some((p, d)) = rest.next_if(|(_, d)| d.is_alphabetic()) {
            n += 1;
            u += usize::from(d.is_uppercase());
            end = p + d.len_utf8();
        }
        if n >= 3 {
            letters += n;
            upper += u;
            if u == n {
                let start = caps_span.map_or(pos, |s| s.start);
                caps_span = Some(Span::new(start, end));
            }
        }
    }
    let share = upper as f32 / letters.max(1) as f32;
    (letters >= 6 && share >= 0.5).then(|| (share, caps_span.unwrap_or(Span::new(0, text.len()))))
}

/// The first run of three or more `!` and `?` (spaces between them allowed, as in "! ! !").
fn exclamation_run(text: &str) -> Option<Span> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if matches!(bytes[i], b'!' | b'?') {
            let (start, mut end, mut count) = (i, i + 1, 1);
            let mut j = i + 1;
            while j < bytes.len() && matches!(bytes[j], b'!' | b'?' | b' ') {
                if bytes[j] != b' ' {
                    count += 1;
                    end = j + 1;
                }
                j += 1;
            }
            if count >= 3 {
                return Some(Span::new(start, end));
            }
            i = j;
        } else {
            i += 1;
        }
    }
    None
}

/// How much the last (up to three) earlier scores rose, when they never fell and rose by at
/// least 0.15.
fn rising(previous: &[f32]) -> Option<f32> {
    let recent = &previous[previous.len().saturating_sub(3)..];
    if recent.len() < 2 || recent.iter().any(|s| !s.is_finite()) {
        return None;
    }
    let never_fell = recent.windows(2).all(|w| w[1] >= w[0]);
    let rise = recent[recent.len() - 1] - recent[0];
    (never_fell && rise >= 0.15).then_some(rise)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// ---------------------------------------------------------------------------------------------
// The lexicon file format.

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct LexiconFile {
    lang: String,
    #[serde(default)]
    not_typos: Vec<String>,
    #[serde(default)]
    human_request: SectionFile,
    #[serde(default)]
    opt_out: SectionFile,
    #[serde(default)]
    complaint: SectionFile,
    #[serde(default)]
    urgency: SectionFile,
    #[serde(default)]
    frustration: SectionFile,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct SectionFile {
    #[serde(default)]
    gap: usize,
    #[serde(default = "typos_by_default")]
    typos: bool,
    #[serde(default)]
    standalone_max_words: usize,
    #[serde(default)]
    phrases: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    standalone: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    groups: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pairs: Vec<PairFile>,
}

impl Default for SectionFile {
    fn default() -> Self {
        SectionFile {
            gap: 0,
            typos: true,
            standalone_max_words: 0,
            phrases: BTreeMap::new(),
            standalone: BTreeMap::new(),
            groups: BTreeMap::new(),
            pairs: Vec::new(),
        }
    }
}

fn typos_by_default() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct PairFile {
    id: String,
    first: String,
    second: String,
    window: usize,
    #[serde(default)]
    any_order: bool,
    #[serde(default)]
    not_after: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Category {
    HumanRequest,
    OptOut,
    Complaint,
    Urgency,
    Frustration,
}

impl Category {
    const ALL: [Category; 5] = [
        Category::HumanRequest,
        Category::OptOut,
        Category::Complaint,
        Category::Urgency,
        Category::Frustration,
    ];

    fn name(self) -> &'static str {
        match self {
            Category::HumanRequest => "human_request",
            Category::OptOut => "opt_out",
            Category::Complaint => "complaint",
            Category::Urgency => "urgency",
            Category::Frustration => "frustration",
        }
    }
}

/// A word as written in a lexicon, normalised, with where it may sit in a token.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Word {
    text: String,
    kind: WordKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum WordKind {
    /// The whole token (typos tolerated in long words).
    Exact,
    /// `word*`: the token starts with it (inflections: "complain*").
    Prefix,
    /// `*word`: the token ends with it (compounds: "*mitarbeiter").
    Suffix,
    /// `*word*`: anywhere in the token.
    Infix,
}

type Phrase = Vec<Word>;

/// One language's lexicon, validated and normalised.
#[derive(Debug, Clone)]
struct Lexicon {
    lang: Lang,
    digest: [u8; 32],
    not_typos: Vec<String>,
    sections: Vec<(Category, Section)>,
}

#[derive(Debug, Clone)]
struct Section {
    gap: usize,
    typos: bool,
    standalone_max_words: usize,
    phrases: Vec<(String, Vec<Phrase>)>,
    standalone: Vec<(String, Vec<Phrase>)>,
    groups: Vec<Vec<Phrase>>,
    pairs: Vec<Pair>,
}

#[derive(Debug, Clone)]
struct Pair {
    id: String,
    first: usize,
    second: usize,
    window: usize,
    any_order: bool,
    not_after: Option<usize>,
}

impl Lexicon {
    fn parse(lang: Lang, text: &str, origin: &str) -> Result<Lexicon, CueError> {
        let file: LexiconFile = toml::from_str(text).map_err(|e| CueError::Toml {
            origin: origin.to_owned(),
            message: e.to_string(),
        })?;
        if file.lang != lang.code() {
            return Err(CueError::BadLang {
                origin: origin.to_owned(),
                code: file.lang,
                problem: format!("the lexicon is loaded as `{lang}`"),
            });
        }
        let mut sections = Vec::new();
        for category in Category::ALL {
            let raw = match category {
                Category::HumanRequest => &file.human_request,
                Category::OptOut => &file.opt_out,
                Category::Complaint => &file.complaint,
                Category::Urgency => &file.urgency,
                Category::Frustration => &file.frustration,
            };
            sections.push((category, Section::parse(category, raw, origin)?));
        }
        let not_typos = file
            .not_typos
            .iter()
            .map(|w| {
                let mut out = String::new();
                for c in w.chars() {
                    fold_char(c, &mut out);
                }
                out
            })
            .collect();
        Ok(Lexicon {
            lang,
            digest: Sha256::digest(text.as_bytes()).into(),
            not_typos,
            sections,
        })
    }
}

impl Section {
    fn parse(category: Category, raw: &SectionFile, origin: &str) -> Result<Section, CueError> {
        let cat = category.name();
        let phrase_list = |kind: &str, entries: &BTreeMap<String, Vec<String>>| {
            let mut out = Vec::new();
            for (id, list) in entries {
                let place = format!("{cat}.{kind}.{id}");
                check_id(category, id, origin, &place)?;
                let phrases = list
                    .iter()
                    .map(|p| parse_phrase(p, origin, &place))
                    .collect::<Result<Vec<_>, _>>()?;
                out.push((id.clone(), phrases));
            }
            Ok::<_, CueError>(out)
        };
        let phrases = phrase_list("phrases", &raw.phrases)?;
        let standalone = phrase_list("standalone", &raw.standalone)?;
        let names: Vec<&String> = raw.groups.keys().collect();
        let mut groups = Vec::new();
        for (name, list) in &raw.groups {
            let place = format!("{cat}.groups.{name}");
            groups.push(
                list.iter()
                    .map(|p| parse_phrase(p, origin, &place))
                    .collect::<Result<Vec<_>, _>>()?,
            );
        }
        let mut pairs = Vec::new();
        for pair in &raw.pairs {
            let place = format!("{cat}.pairs.{}", pair.id);
            check_id(category, &pair.id, origin, &place)?;
            let group = |name: &str| {
                names
                    .iter()
                    .position(|n| *n == name)
                    .ok_or_else(|| CueError::Invalid {
                        origin: origin.to_owned(),
                        place: place.clone(),
                        problem: format!("no group `{name}` in [{cat}.groups]"),
                    })
            };
            pairs.push(Pair {
                id: pair.id.clone(),
                first: group(&pair.first)?,
                second: group(&pair.second)?,
                window: pair.window,
                any_order: pair.any_order,
                not_after: pair.not_after.as_deref().map(group).transpose()?,
            });
        }
        Ok(Section {
            gap: raw.gap,
            typos: raw.typos,
            standalone_max_words: raw.standalone_max_words,
            phrases,
            standalone,
            groups,
            pairs,
        })
    }
}

/// Frustration entries name the reason they give; other ids are free.
fn check_id(category: Category, id: &str, origin: &str, place: &str) -> Result<(), CueError> {
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(CueError::Invalid {
            origin: origin.to_owned(),
            place: place.to_owned(),
            problem: "an entry id is lowercase ASCII letters, digits and `_`".into(),
        });
    }
    if category == Category::Frustration && !TEXT_REASONS.iter().any(|(code, _, _)| *code == id) {
        let codes: Vec<&str> = TEXT_REASONS.iter().map(|r| r.0).collect();
        return Err(CueError::Invalid {
            origin: origin.to_owned(),
            place: place.to_owned(),
            problem: format!(
                "`{id}` is not a frustration reason; use one of {}",
                codes.join(", ")
            ),
        });
    }
    Ok(())
}

/// Splits a phrase on white space and normalises each word the way message text is, keeping a
/// leading or trailing `*`.
fn parse_phrase(phrase: &str, origin: &str, place: &str) -> Result<Phrase, CueError> {
    let mut words = Vec::new();
    for piece in phrase.split_whitespace() {
        let prefix = piece.len() > 1 && piece.ends_with('*');
        let suffix = piece.len() > 1 && piece.starts_with('*');
        let core = piece.trim_matches('*');
        let tokens = tokenize(core);
        let bad = |problem: &str| CueError::Invalid {
            origin: origin.to_owned(),
            place: place.to_owned(),
            problem: format!("`{piece}` in \"{phrase}\": {problem}"),
        };
        if core.contains('*') {
            return Err(bad("`*` may only start or end a word"));
        }
        if (prefix || suffix) && tokens.toks.len() != 1 {
            return Err(bad("a word with `*` must be a single word"));
        }
        for tok in &tokens.toks {
            let text = tokens.norm[tok.norm.0..tok.norm.1].to_owned();
            let kind = match (suffix, prefix) {
                (false, false) => WordKind::Exact,
                (false, true) => WordKind::Prefix,
                (true, false) => WordKind::Suffix,
                (true, true) => WordKind::Infix,
            };
            words.push(Word { text, kind });
        }
    }
    if words.is_empty() {
        return Err(CueError::EmptyPhrase {
            origin: origin.to_owned(),
            place: place.to_owned(),
        });
    }
    Ok(words)
}

// ---------------------------------------------------------------------------------------------
// Text to tokens.

/// A message split into normalised words.
struct Tokens {
    /// The normalised words, one after the other.
    norm: String,
    toks: Vec<Tok>,
    /// Which lexicon words each token matched, as `(word id, matched as a typo)`.
    ids: Vec<(u32, bool)>,
    /// Words that are not pseudonym tokens.
    words: usize,
}

struct Tok {
    /// Byte range in the original text.
    start: usize,
    end: usize,
    /// Byte range in `Tokens::norm`.
    norm: (usize, usize),
    /// Range in `Tokens::ids`.
    ids: (usize, usize),
    sentence: u32,
}

impl Tokens {
    #[cfg(test)]
    fn text(&self, i: usize) -> &str {
        let t = &self.toks[i];
        &self.norm[t.norm.0..t.norm.1]
    }

    fn fuzzy_at(&self, i: usize, word: u32) -> Option<bool> {
        let t = &self.toks[i];
        self.ids[t.ids.0..t.ids.1]
            .iter()
            .find(|(w, _)| *w == word)
            .map(|(_, f)| *f)
    }
}

/// Splits `text` into words (letters and digits; an apostrophe inside a word is dropped, so
/// "don't" is "dont") and pseudonym tokens (`<PERSON_1>` becomes the word `<person>`), folding
/// each word: lower case, `æ ä → ae`, `ø ö → oe`, `å → aa`, `ü → ue`, `ß → ss`, other accents
/// removed. Sentences end at `! ? ;`, a line break, and a `.` before white space.
fn tokenize(text: &str) -> Tokens {
    let mut out = Tokens {
        norm: String::with_capacity(text.len() + 16),
        toks: Vec::with_capacity(text.len() / 4),
        ids: Vec::new(),
        words: 0,
    };
    let mut sentence = 0u32;
    let mut chars = text.char_indices().peekable();
    while let Some((pos, c)) = chars.next() {
        if c == '<'
            && let Some(end) = placeholder_end(text, pos)
        {
            let inner = &text[pos + 1..end - 1];
            let kind = match inner.rsplit_once('_') {
                Some((kind, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => kind,
                _ => inner,
            };
            let start = out.norm.len();
            out.norm.push('<');
            out.norm
                .extend(kind.chars().map(|c| c.to_ascii_lowercase()));
            out.norm.push('>');
            out.toks.push(Tok {
                start: pos,
                end,
                norm: (start, out.norm.len()),
                ids: (0, 0),
                sentence,
            });
            out.norm.push(' ');
            while chars.next_if(|(p, _)| *p < end).is_some() {}
            continue;
        }
        if c.is_alphanumeric() {
            let start = out.norm.len();
            fold_char(c, &mut out.norm);
            let mut end = pos + c.len_utf8();
            loop {
                if let Some((p, d)) = chars.next_if(|(_, d)| d.is_alphanumeric()) {
                    fold_char(d, &mut out.norm);
                    end = p + d.len_utf8();
                } else if let Some(&(p, d)) = chars.peek()
                    && (d == '\'' || d == '’')
                    && text[p + d.len_utf8()..]
                        .chars()
                        .next()
                        .is_some_and(char::is_alphanumeric)
                {
                    chars.next();
                } else {
                    break;
                }
            }
            out.toks.push(Tok {
                start: pos,
                end,
                norm: (start, out.norm.len()),
                ids: (0, 0),
                sentence,
            });
            out.norm.push(' ');
            out.words += 1;
            continue;
        }
        let ends_sentence = match c {
            '!' | '?' | ';' | '\n' => true,
            // "3. gang", "zum 3. Mal": a dot right after a number is an ordinal.
            '.' => {
                let ordinal = out.toks.last().is_some_and(|t| {
                    t.end == pos && text[t.start..t.end].bytes().all(|b| b.is_ascii_digit())
                });
                !ordinal && chars.peek().is_none_or(|(_, d)| d.is_whitespace())
            }
            _ => false,
        };
        if ends_sentence && out.toks.last().is_some_and(|t| t.sentence == sentence) {
            sentence += 1;
        }
    }
    out
}

/// The end of a pseudonym token such as `<EMAIL_2>` starting at `pos`.
fn placeholder_end(text: &str, pos: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let first = *bytes.get(pos + 1)?;
    if !first.is_ascii_uppercase() {
        return None;
    }
    let mut i = pos + 2;
    while i < bytes.len()
        && (bytes[i].is_ascii_uppercase() || bytes[i].is_ascii_digit() || bytes[i] == b'_')
    {
        i += 1;
    }
    (bytes.get(i) == Some(&b'>')).then_some(i + 1)
}

/// Appends `text` folded the way lexicon words are: lower case, "æ" = "ae", "ø" = "oe",
/// "å" = "aa", "ä" = "ae", "ö" = "oe", "ü" = "ue", "ß" = "ss", other accents removed.
pub(crate) fn fold_into(text: &str, out: &mut String) {
    for c in text.chars() {
        fold_char(c, out);
    }
}

fn fold_char(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    for l in c.to_lowercase() {
        match l {
            'æ' | 'ä' => out.push_str("ae"),
            'ø' | 'ö' => out.push_str("oe"),
            'å' => out.push_str("aa"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            'ĳ' => out.push_str("ij"),
            _ => unicode_normalization::char::decompose_canonical(l, |d| {
                if !unicode_normalization::char::is_combining_mark(d) {
                    out.push(d);
                }
            }),
        }
    }
}

/// Whether `a` becomes `b` by at most one insertion, deletion, substitution or swap of two
/// neighbouring letters (optimal string alignment distance ≤ 1).
fn within_one_edit(a: &[u8], b: &[u8]) -> bool {
    let (a, b) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if b.len() - a.len() > 1 {
        return false;
    }
    let i = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    if i == a.len() {
        return true;
    }
    if a.len() == b.len() {
        a[i + 1..] == b[i + 1..]
            || (i + 1 < a.len() && a[i] == b[i + 1] && a[i + 1] == b[i] && a[i + 2..] == b[i + 2..])
    } else {
        a[i..] == b[i + 1..]
    }
}

// ---------------------------------------------------------------------------------------------
// The compiled index over all languages.

/// FNV-1a of `bytes` with the byte at `skip` left out: the key of a word's one-letter deletion
/// without building it.
fn fnv_without(bytes: &[u8], skip: Option<usize>) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for (i, &b) in bytes.iter().enumerate() {
        if Some(i) != skip {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// FxHash: the maps are keyed by short words, where SipHash's start-up cost dominates, and
/// their keys come from the lexicons, not from customers.
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

#[derive(Clone)]
struct Index {
    words: Vec<Word>,
    exact: FastMap<Box<str>, u32>,
    /// The stems of typo-tolerant words and their one-letter deletions, to their word ids.
    /// Keyed by [`fnv_without`], so that a lookup builds no string; collisions are harmless
    /// because every candidate is verified.
    fuzzy: FastMap<u64, Vec<u32>>,
    not_typos: HashSet<Box<str>, BuildHasherDefault<FxHasher>>,
    affix: Option<AhoCorasick>,
    /// Word id of each affix pattern.
    affix_words: Vec<u32>,
    rules: Vec<Rule>,
    /// Per category, per word id: the rules a token with that word may start.
    triggers: Vec<Vec<Vec<Trigger>>>,
}

#[derive(Clone, Copy)]
struct Trigger {
    rule: u32,
    /// For an any-order pair: start from the second group and look for the first.
    reversed: bool,
}

#[derive(Clone)]
struct Rule {
    cue: String,
    lang: Lang,
    /// Whether words matched as typos count for this rule's section.
    typos: bool,
    kind: RuleKind,
}

#[derive(Clone)]
enum RuleKind {
    Phrase {
        words: Vec<u32>,
        gap: usize,
        /// For standalone entries: the most words the whole message may have.
        max_words: Option<usize>,
    },
    Pair {
        first: Vec<Vec<u32>>,
        second: Vec<Vec<u32>>,
        window: usize,
        not_after: Vec<Vec<u32>>,
    },
}

impl Rule {
    fn confidence(&self) -> f32 {
        match self.kind {
            RuleKind::Phrase {
                max_words: None, ..
            } => PHRASE_CONFIDENCE,
            RuleKind::Phrase { .. } => STANDALONE_CONFIDENCE,
            RuleKind::Pair { .. } => PAIR_CONFIDENCE,
        }
    }
}

struct Hit {
    rule: usize,
    start: usize,
    end: usize,
    fuzzy: u32,
}

impl Index {
    fn build(lexicons: &[Lexicon]) -> Index {
        let mut words: Vec<Word> = Vec::new();
        let mut ids: HashMap<Word, u32> = HashMap::new();
        let mut intern = |w: &Word| -> u32 {
            *ids.entry(w.clone()).or_insert_with(|| {
                words.push(w.clone());
                (words.len() - 1) as u32
            })
        };
        let mut rules = Vec::new();
        let mut starts: Vec<(Category, u32, Trigger)> = Vec::new();
        for lexicon in lexicons {
            for (category, section) in &lexicon.sections {
                let cue = |id: &str| format!("{}:{}:{id}", lexicon.lang, category.name());
                let mut phrase =
                    |id: &str, p: &Phrase, max_words: Option<usize>, rules: &mut Vec<Rule>| {
                        let w: Vec<u32> = p.iter().map(&mut intern).collect();
                        starts.push((
                            *category,
                            w[0],
                            Trigger {
                                rule: rules.len() as u32,
                                reversed: false,
                            },
                        ));
                        rules.push(Rule {
                            cue: cue(id),
                            lang: lexicon.lang,
                            typos: section.typos,
                            kind: RuleKind::Phrase {
                                words: w,
                                gap: section.gap,
                                max_words,
                            },
                        });
                    };
                for (id, list) in &section.phrases {
                    for p in list {
                        phrase(id, p, None, &mut rules);
                    }
                }
                for (id, list) in &section.standalone {
                    for p in list {
                        phrase(id, p, Some(section.standalone_max_words.max(1)), &mut rules);
                    }
                }
                let groups: Vec<Vec<Vec<u32>>> = section
                    .groups
                    .iter()
                    .map(|g| {
                        g.iter()
                            .map(|p| p.iter().map(&mut intern).collect())
                            .collect()
                    })
                    .collect();
                for pair in &section.pairs {
                    let rule = rules.len() as u32;
                    for member in &groups[pair.first] {
                        starts.push((
                            *category,
                            member[0],
                            Trigger {
                                rule,
                                reversed: false,
                            },
                        ));
                    }
                    if pair.any_order {
                        for member in &groups[pair.second] {
                            starts.push((
                                *category,
                                member[0],
                                Trigger {
                                    rule,
                                    reversed: true,
                                },
                            ));
                        }
                    }
                    rules.push(Rule {
                        cue: cue(&pair.id),
                        lang: lexicon.lang,
                        typos: section.typos,
                        kind: RuleKind::Pair {
                            first: groups[pair.first].clone(),
                            second: groups[pair.second].clone(),
                            window: pair.window,
                            not_after: pair
                                .not_after
                                .map(|g| groups[g].clone())
                                .unwrap_or_default(),
                        },
                    });
                }
            }
        }
        let mut triggers = vec![vec![Vec::new(); words.len()]; Category::ALL.len()];
        for (category, word, trigger) in starts {
            let slot = &mut triggers[category as usize][word as usize];
            if !slot
                .iter()
                .any(|t: &Trigger| t.rule == trigger.rule && t.reversed == trigger.reversed)
            {
                slot.push(trigger);
            }
        }
        let mut exact = FastMap::default();
        let mut fuzzy: FastMap<u64, Vec<u32>> = FastMap::default();
        let mut affix_patterns = Vec::new();
        let mut affix_words = Vec::new();
        for (id, word) in words.iter().enumerate() {
            let id = id as u32;
            match word.kind {
                WordKind::Exact => {
                    exact.insert(word.text.clone().into_boxed_str(), id);
                }
                _ => {
                    affix_patterns.push(word.text.clone());
                    affix_words.push(id);
                }
            }
            // Typos are tolerated in whole words and in the stems of inflected words.
            let stem = &word.text;
            if matches!(word.kind, WordKind::Exact | WordKind::Prefix)
                && stem.is_ascii()
                && stem.len() >= FUZZY_MIN_WORD
            {
                let bytes = stem.as_bytes();
                let keys = std::iter::once(None).chain((0..bytes.len()).map(Some));
                for skip in keys {
                    let slot = fuzzy.entry(fnv_without(bytes, skip)).or_default();
                    if !slot.contains(&id) {
                        slot.push(id);
                    }
                }
            }
        }
        let affix = (!affix_patterns.is_empty()).then(|| {
            AhoCorasick::new(&affix_patterns)
                .expect("a few hundred short patterns fit an automaton")
        });
        let not_typos = lexicons
            .iter()
            .flat_map(|l| l.not_typos.iter().map(|w| w.clone().into_boxed_str()))
            .collect();
        Index {
            words,
            exact,
            fuzzy,
            not_typos,
            affix,
            affix_words,
            rules,
            triggers,
        }
    }

    /// Tokenises `text` and looks up every token: exactly, then by prefix, suffix or infix,
    /// then (only if nothing matched) as a typo of a long word.
    fn tokenize(&self, text: &str) -> Tokens {
        let mut tokens = tokenize(text);
        // One automaton pass over the whole folded text; the matches are then dealt out to
        // the tokens they fall in (tokens are separated by a space, so none spans two).
        let mut affixes: Vec<(usize, usize, u32)> = Vec::new();
        if let Some(ac) = &self.affix {
            for m in ac.find_overlapping_iter(&tokens.norm) {
                affixes.push((m.start(), m.end(), self.affix_words[m.pattern().as_usize()]));
            }
            affixes.sort_unstable();
        }
        let mut next_affix = 0;
        for i in 0..tokens.toks.len() {
            let from = tokens.ids.len();
            let (a, b) = tokens.toks[i].norm;
            let word = &tokens.norm[a..b];
            if let Some(&id) = self.exact.get(word) {
                tokens.ids.push((id, false));
            }
            while let Some(&(start, end, id)) = affixes.get(next_affix) {
                if start >= b {
                    break;
                }
                next_affix += 1;
                let fits = match self.words[id as usize].kind {
                    WordKind::Prefix => start == a,
                    WordKind::Suffix => end == b,
                    WordKind::Infix => true,
                    WordKind::Exact => false,
                };
                if fits && start >= a && end <= b {
                    tokens.ids.push((id, false));
                }
            }
            if tokens.ids.len() == from
                && word.len() >= FUZZY_MIN_TOKEN
                && word.is_ascii()
                && !self.not_typos.contains(word)
            {
                let bytes = word.as_bytes();
                let keys = std::iter::once(None).chain((0..bytes.len()).map(Some));
                for skip in keys {
                    let Some(found) = self.fuzzy.get(&fnv_without(bytes, skip)) else {
                        continue;
                    };
                    for &id in found {
                        let stem = self.words[id as usize].text.as_bytes();
                        if stem[0] == bytes[0]
                            && within_one_edit(bytes, stem)
                            && !tokens.ids[from..].iter().any(|(w, _)| *w == id)
                        {
                            tokens.ids.push((id, true));
                        }
                    }
                }
            }
            tokens.toks[i].ids = (from, tokens.ids.len());
        }
        tokens
    }

    fn hits(&self, category: Category, tokens: &Tokens) -> Vec<Hit> {
        let triggers = &self.triggers[category as usize];
        let mut hits = Vec::new();
        for i in 0..tokens.toks.len() {
            let (a, b) = tokens.toks[i].ids;
            for &(word, _) in &tokens.ids[a..b] {
                for trigger in &triggers[word as usize] {
                    let rule = trigger.rule as usize;
                    let found = match &self.rules[rule].kind {
                        RuleKind::Phrase {
                            words,
                            gap,
                            max_words,
                        } => {
                            if max_words.is_some_and(|m| tokens.words > m) {
                                None
                            } else {
                                match_phrase(words, *gap, tokens, i)
                            }
                        }
                        RuleKind::Pair {
                            first,
                            second,
                            window,
                            not_after,
                        } => match_pair(
                            first,
                            second,
                            *window,
                            not_after,
                            trigger.reversed,
                            tokens,
                            i,
                        ),
                    };
                    if let Some((end, fuzzy)) = found
                        && (fuzzy == 0 || self.rules[rule].typos)
                    {
                        hits.push(Hit {
                            rule,
                            start: i,
                            end,
                            fuzzy,
                        });
                    }
                }
            }
        }
        hits
    }
}

/// The phrase's words in order from token `i`, with at most `gap` other words between two of
/// them, within one sentence: the last token and how many words were typos.
fn match_phrase(words: &[u32], gap: usize, tokens: &Tokens, i: usize) -> Option<(usize, u32)> {
    let mut fuzzy = u32::from(tokens.fuzzy_at(i, words[0])?);
    let mut at = i;
    for &word in &words[1..] {
        let found = (at + 1..tokens.toks.len())
            .take(gap + 1)
            .take_while(|&j| tokens.toks[j].sentence == tokens.toks[i].sentence)
            .find_map(|j| tokens.fuzzy_at(j, word).map(|f| (j, f)))?;
        at = found.0;
        fuzzy += u32::from(found.1);
    }
    Some((at, fuzzy))
}

/// The longest member of a group that starts at token `i`: its last token and typo count.
fn match_group(group: &[Vec<u32>], tokens: &Tokens, i: usize) -> Option<(usize, u32)> {
    group
        .iter()
        .filter_map(|member| {
            let end = i + member.len() - 1;
            if end >= tokens.toks.len() || tokens.toks[end].sentence != tokens.toks[i].sentence {
                return None;
            }
            let mut fuzzy = 0;
            for (k, &word) in member.iter().enumerate() {
                fuzzy += u32::from(tokens.fuzzy_at(i + k, word)?);
            }
            Some((end, fuzzy))
        })
        .max_by_key(|&(end, fuzzy)| (end, std::cmp::Reverse(fuzzy)))
}

/// A member of one group at token `i` and a member of the other after it, with at most
/// `window` words between, in one sentence. `not_after` words right before the second group's
/// member (the "person" in "delivery person") cancel it.
fn match_pair(
    first: &[Vec<u32>],
    second: &[Vec<u32>],
    window: usize,
    not_after: &[Vec<u32>],
    reversed: bool,
    tokens: &Tokens,
    i: usize,
) -> Option<(usize, u32)> {
    let (lead, follow) = if reversed {
        (second, first)
    } else {
        (first, second)
    };
    let (lead_end, lead_fuzzy) = match_group(lead, tokens, i)?;
    let blocked = |at: usize| {
        at > 0
            && not_after
                .iter()
                .any(|m| m.len() == 1 && tokens.fuzzy_at(at - 1, m[0]).is_some())
    };
    if reversed && blocked(i) {
        return None;
    }
    let sentence = tokens.toks[i].sentence;
    for j in (lead_end + 1..tokens.toks.len()).take(window + 1) {
        if tokens.toks[j].sentence != sentence {
            break;
        }
        if let Some((end, fuzzy)) = match_group(follow, tokens, j) {
            if !reversed && blocked(j) {
                continue;
            }
            return Some((end, lead_fuzzy + fuzzy));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_and_tokenizes_with_spans() {
        let text = "Jeg vil TALE med én Mitarbeiterin, <PERSON_1>! Don't.";
        let t = tokenize(text);
        let words: Vec<&str> = (0..t.toks.len()).map(|i| t.text(i)).collect();
        assert_eq!(
            words,
            [
                "jeg",
                "vil",
                "tale",
                "med",
                "en",
                "mitarbeiterin",
                "<person>",
                "dont"
            ]
        );
        assert_eq!(&text[t.toks[6].start..t.toks[6].end], "<PERSON_1>");
        assert_eq!(t.words, 7);
        assert_eq!(t.toks[7].sentence, 1);
        let t = tokenize("Kündigen Straße Tåbe søg");
        assert_eq!(t.norm.trim_end(), "kuendigen strasse taabe soeg");
    }

    #[test]
    fn one_cue_at_one_place_is_one_piece_of_evidence() {
        let m = CueLexicons::builtin()
            .human_request("kan jeg snakke med en rigtig person tak", Some(Lang::DA));
        assert!(m.detected);
        for (i, a) in m.evidence.iter().enumerate() {
            for b in &m.evidence[i + 1..] {
                assert!(
                    a.cue != b.cue || !a.span.overlaps(&b.span),
                    "{} twice at {:?}",
                    a.cue,
                    a.span
                );
            }
        }
    }

    #[test]
    fn one_edit() {
        assert!(within_one_edit(b"agnet", b"agent"));
        assert!(within_one_edit(b"humn", b"human"));
        assert!(within_one_edit(b"humaan", b"human"));
        assert!(within_one_edit(b"hxman", b"human"));
        assert!(!within_one_edit(b"hxmxn", b"human"));
        assert!(!within_one_edit(b"personal", b"person"));
    }

    #[test]
    fn shouting_and_runs() {
        assert!(shouting("WHERE IS MY PARCEL").is_some());
        assert!(shouting("My DHL parcel with IBAN <IBAN_1> is late").is_none());
        assert!(shouting("<EMAIL_1> <PERSON_2> ok").is_none());
        assert_eq!(exclamation_run("why?!?"), Some(Span::new(3, 6)));
        assert_eq!(exclamation_run("ok! fine?"), None);
    }

    #[test]
    fn rising_needs_a_steady_climb() {
        assert!(rising(&[0.1, 0.2, 0.4]).is_some());
        assert!(rising(&[0.1, 0.5, 0.3]).is_none());
        assert!(rising(&[0.4]).is_none());
        assert!(rising(&[0.2, 0.25]).is_none());
    }
}
