//! Per-language text analysis: the one table that makes a language searchable.

use candor_core::Lang;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, StopWordFilter,
    TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};

/// How one language's text is analysed.
struct LangAnalysis {
    code: &'static str,
    stemmer: Language,
    /// Two-letter spellings customers type for a letter their keyboard lacks (German `ue` for
    /// `ü`), rewritten to the letter before stemming so that both spellings stem alike.
    digraphs: &'static [(&'static str, char)],
    /// Words customers add around every question ("hi", "please", "my") that tantivy's stop
    /// word lists keep; indexing or counting them would only add noise to the confidence.
    filler: &'static [&'static str],
}

/// Adding a language that tantivy can stem is one row here (see `docs/specs/kb.md`).
const LANGUAGES: &[LangAnalysis] = &[
    LangAnalysis {
        code: "da",
        stemmer: Language::Danish,
        digraphs: &[("aa", 'å'), ("oe", 'ø'), ("ae", 'æ')],
        filler: &[
            "hej", "hejsa", "goddag", "tak", "venligst", "gerne", "hjælp", "hjælpe", "hvordan",
            "hvorfor", "hvornår", "hvilke", "hvilken", "kan", "kunne", "vil", "skal", "jeg", "min",
            "mit", "mine", "mig", "i", "jer", "jeres", "bare", "lige", "stadig", "endnu", "få",
            "gøre", "hilsen", "mvh",
        ],
    },
    LangAnalysis {
        code: "nl",
        stemmer: Language::Dutch,
        digraphs: &[],
        filler: &[
            "hallo",
            "hoi",
            "goedemorgen",
            "goedemiddag",
            "dag",
            "bedankt",
            "dank",
            "alvast",
            "graag",
            "alstublieft",
            "aub",
            "help",
            "helpen",
            "hoe",
            "waarom",
            "wanneer",
            "waar",
            "welke",
            "kan",
            "kunnen",
            "wil",
            "willen",
            "moet",
            "maak",
            "maken",
            "ik",
            "mijn",
            "me",
            "mij",
            "jullie",
            "u",
            "uw",
            "gewoon",
            "nog",
            "steeds",
            "krijgen",
            "doen",
            "groet",
            "groeten",
            "mvg",
        ],
    },
    LangAnalysis {
        code: "de",
        stemmer: Language::German,
        digraphs: &[("ae", 'ä'), ("oe", 'ö'), ("ue", 'ü')],
        filler: &[
            "hallo", "guten", "tag", "morgen", "danke", "vielen", "dank", "bitte", "gerne",
            "hilfe", "helfen", "wie", "warum", "wann", "wo", "welche", "welcher", "kann", "können",
            "könnten", "möchte", "will", "muss", "ich", "mein", "meine", "meinen", "meiner", "mir",
            "mich", "sie", "ihr", "ihre", "ihren", "euch", "noch", "immer", "schon", "bekommen",
            "machen", "gruß", "grüße", "mfg", "lg",
        ],
    },
    LangAnalysis {
        code: "en",
        stemmer: Language::English,
        digraphs: &[],
        filler: &[
            "hi", "hello", "hey", "dear", "thanks", "thank", "please", "pls", "help", "how", "why",
            "when", "where", "what", "which", "who", "can", "could", "would", "should", "do",
            "does", "did", "i", "i'm", "me", "my", "mine", "you", "your", "we", "us", "our",
            "want", "need", "like", "just", "still", "already", "get", "got", "know", "regards",
            "hoping", "am", "have", "has", "some", "any",
        ],
    },
    LangAnalysis {
        code: "sv",
        stemmer: Language::Swedish,
        digraphs: &[],
        filler: &[],
    },
    LangAnalysis {
        code: "nb",
        stemmer: Language::Norwegian,
        digraphs: &[],
        filler: &[],
    },
    LangAnalysis {
        code: "fr",
        stemmer: Language::French,
        digraphs: &[],
        filler: &[],
    },
    LangAnalysis {
        code: "es",
        stemmer: Language::Spanish,
        digraphs: &[],
        filler: &[],
    },
];

/// Longer tokens are URLs, hashes or garbage; dropping them bounds the work per query.
const MAX_TOKEN_BYTES: usize = 40;

/// The tantivy tokenizer name registered for `lang`, e.g. `stem_da`.
pub(crate) fn tokenizer_name(lang: Lang) -> String {
    format!("stem_{}", lang.code())
}

/// Lower-casing, stop words, digraphs, stemming, then ASCII folding of the stem.
///
/// Folding comes after the stemmer because the Danish and German stemmers need `æ`, `ø`,
/// `å`, `ä`, `ö`, `ü` to find suffixes; folding the stem lets a customer who types without
/// them (`kobt` for `købt`) still match. A language without a row gets the same chain
/// without stop words and stemming.
pub(crate) fn analyzer(lang: Lang) -> TextAnalyzer {
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .dynamic();
    let Some(row) = LANGUAGES.iter().find(|r| r.code == lang.code()) else {
        return builder.filter_dynamic(AsciiFoldingFilter).build();
    };
    let mut builder = builder.filter_dynamic(StopWordFilter::remove(
        row.filler.iter().map(|w| (*w).to_owned()),
    ));
    if let Some(stop) = StopWordFilter::new(row.stemmer) {
        builder = builder.filter_dynamic(stop);
    }
    builder
        .filter_dynamic(DigraphFilter(row.digraphs))
        .filter_dynamic(tantivy::tokenizer::Stemmer::new(row.stemmer))
        .filter_dynamic(AsciiFoldingFilter)
        .build()
}

/// One analysed token: the index term and the byte range of the word it came from.
pub(crate) struct Analysed {
    pub(crate) term: String,
    pub(crate) from: usize,
    pub(crate) to: usize,
}

/// Runs `analyzer` over `text`.
pub(crate) fn analyse(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Analysed> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        let t = stream.token();
        out.push(Analysed {
            term: t.text.clone(),
            from: t.offset_from,
            to: t.offset_to,
        });
    }
    out
}

/// Replaces pseudonym tokens (`<ORDER_1>`, `<EMAIL_12>`) with spaces, keeping byte offsets.
///
/// They stand for a customer's data, never for what the question is about, and their kind
/// word (`ORDER`) would otherwise match articles that mention orders.
pub(crate) fn strip_pseudonyms(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if bytes[i] == b'<'
            && let Some(len) = pseudonym_len(&bytes[i..])
        {
            out.extend(std::iter::repeat_n(' ', len));
            i += len;
            continue;
        }
        // Copy one whole character; `i` is always on a character boundary here.
        let ch = text[i..].chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// The length of `<KIND_N>` at the start of `bytes`: uppercase ASCII kind, `_`, digits, `>`.
fn pseudonym_len(bytes: &[u8]) -> Option<usize> {
    let close = bytes.iter().take(64).position(|&b| b == b'>')?;
    let inner = &bytes[1..close];
    let underscore = inner.iter().rposition(|&b| b == b'_')?;
    let (kind, number) = (&inner[..underscore], &inner[underscore + 1..]);
    let kind_ok = !kind.is_empty()
        && kind[0].is_ascii_uppercase()
        && kind
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_');
    let number_ok = !number.is_empty() && number.iter().all(u8::is_ascii_digit);
    (kind_ok && number_ok).then_some(close + 1)
}

/// Rewrites digraphs to the letter they stand for, except after `q` (German `Quelle`).
#[derive(Clone)]
struct DigraphFilter(&'static [(&'static str, char)]);

impl TokenFilter for DigraphFilter {
    type Tokenizer<T: Tokenizer> = DigraphTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> DigraphTokenizer<T> {
        DigraphTokenizer {
            inner: tokenizer,
            digraphs: self.0,
        }
    }
}

#[derive(Clone)]
struct DigraphTokenizer<T> {
    inner: T,
    digraphs: &'static [(&'static str, char)],
}

impl<T: Tokenizer> Tokenizer for DigraphTokenizer<T> {
    type TokenStream<'a> = DigraphStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        DigraphStream {
            inner: self.inner.token_stream(text),
            digraphs: self.digraphs,
        }
    }
}

struct DigraphStream<S> {
    inner: S,
    digraphs: &'static [(&'static str, char)],
}

impl<S: TokenStream> TokenStream for DigraphStream<S> {
    fn advance(&mut self) -> bool {
        if !self.inner.advance() {
            return false;
        }
        if !self.digraphs.is_empty() {
            let token = self.inner.token_mut();
            if let Some(rewritten) = replace_digraphs(&token.text, self.digraphs) {
                token.text = rewritten;
            }
        }
        true
    }

    fn token(&self) -> &Token {
        self.inner.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.inner.token_mut()
    }
}

fn replace_digraphs(word: &str, digraphs: &[(&str, char)]) -> Option<String> {
    if !digraphs.iter().any(|(d, _)| word.contains(d)) {
        return None;
    }
    let mut out = String::with_capacity(word.len());
    let mut prev = None;
    let mut rest = word;
    while let Some(ch) = rest.chars().next() {
        let hit = (prev != Some('q'))
            .then(|| digraphs.iter().find(|(d, _)| rest.starts_with(d)))
            .flatten();
        match hit {
            Some((d, letter)) => {
                out.push(*letter);
                prev = Some(*letter);
                rest = &rest[d.len()..];
            }
            None => {
                out.push(ch);
                prev = Some(ch);
                rest = &rest[ch.len_utf8()..];
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(lang: Lang, text: &str) -> Vec<String> {
        analyse(&mut analyzer(lang), text)
            .into_iter()
            .map(|a| a.term)
            .collect()
    }

    #[test]
    fn german_umlauts_and_their_digraphs_stem_alike() {
        let umlaut = terms(Lang::DE, "Rückerstattung Größe");
        assert_eq!(umlaut, terms(Lang::DE, "Rueckerstattung Groesse"));
        assert_eq!(terms(Lang::DE, "Quelle"), terms(Lang::DE, "quelle"));
        assert_eq!(
            replace_digraphs("quelle", &[("ue", 'ü')]),
            Some("quelle".into())
        );
    }

    #[test]
    fn danish_letters_fold_after_stemming() {
        assert_eq!(terms(Lang::DA, "købt"), terms(Lang::DA, "koebt"));
        assert_eq!(
            terms(Lang::DA, "bestillinger"),
            terms(Lang::DA, "bestilling")
        );
    }

    #[test]
    fn filler_and_stop_words_are_dropped() {
        assert_eq!(
            terms(Lang::EN, "Hi, how can I reset my password please?"),
            ["reset", "password"]
        );
        assert!(terms(Lang::DE, "Hallo, ich und mein").is_empty());
    }

    #[test]
    fn inflections_share_a_stem() {
        // What the Snowball stemmers really do; the integration tests search with them.
        let cases = [
            (Lang::EN, "passwords password", ["password", "password"]),
            (Lang::DE, "Rechnungen Rechnung", ["rechnung", "rechnung"]),
            (
                Lang::DA,
                "bestillinger bestilling",
                ["bestilling", "bestilling"],
            ),
            (Lang::NL, "facturen factuur", ["factuur", "factuur"]),
            (Lang::NL, "bestellingen bestelling", ["bestel", "bestel"]),
        ];
        for (lang, text, stems) in cases {
            assert_eq!(terms(lang, text), stems, "{lang}: {text}");
        }
    }

    #[test]
    fn unknown_languages_are_folded_but_not_stemmed() {
        let pl: Lang = "pl".parse().unwrap();
        assert_eq!(terms(pl, "Zamówienia"), ["zamowienia"]);
    }

    #[test]
    fn pseudonyms_are_blanked_in_place() {
        let s = "Where is <ORDER_1>? Mail <EMAIL_12> <not_1> <A_> <B_2";
        let out = strip_pseudonyms(s);
        assert_eq!(out.len(), s.len());
        assert_eq!(
            out,
            format!(
                "Where is {}? Mail {} <not_1> <A_> <B_2",
                " ".repeat(9),
                " ".repeat(10)
            )
        );
        assert_eq!(strip_pseudonyms("ü<ÄÖ_1>"), "ü<ÄÖ_1>");
    }
}
