//! Builds the spelling word lists `crates/classify/spelling/<lang>.txt` and the word-pair
//! lists `crates/classify/spelling/<lang>.pairs.txt` that `Speller` ships.
//!
//! ```text
//! cargo run --release -p candor-classify --example build_spelling [-- SHARED_DATA_DIR]
//! ```
//!
//! Sources, all licensed for shipping derived data (see `NOTICE`): the team-written intent
//! messages in `data/intent/` and the sample knowledge base in `kb/` (counted three times, as
//! they are the words customers write to Candor), and from `../shared/data/`: XED subtitles
//! (CC BY 4.0) and the xSID validation sentences (CC BY-SA 4.0) in every language; for Danish
//! the unscored Leipzig corpus sentences of LCC Sentiment (CC BY) and the Danish Dependency
//! Treebank sentences of UNER (CC BY-SA 4.0); for German the GermEval 2014 NER dev sentences
//! (CC BY 4.0)
//! and the GermEval 2018 tweets (CC BY 4.0); for English the Bitext customer-service training
//! set (CDLA-Sharing-1.0) and the English Web Treebank sentences of UNER (CC BY-SA 4.0). Test
//! splits and the scored LCC sentences are left out: they measure Candor's name tagger and
//! sentiment model (docs/EVALUATION.md).
//!
//! A word is kept when it is letters only and counted at least twice, unless it looks like a
//! typo of a far more frequent word (see [`looks_like_a_typo`]): Bitext writes deliberate
//! misspellings into its requests, and a listed misspelling is never corrected.
//! A word pair (two neighbouring words in one sentence, or `<s>` and a sentence's first word)
//! is kept when counted at least twice; the speller uses pairs as context.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

const CURATED_WEIGHT: u32 = 3;
const MIN_COUNT: u32 = 2;
/// A word is dropped as a probable typo when a word one letter longer or shorter (or with two
/// neighbours swapped), with the same first letter, is this many times as frequent.
const TYPO_RATIO: u32 = 50;
/// Shorter words are never dropped: their one-letter neighbours are often other real words.
const TYPO_MIN_LETTERS: usize = 5;
/// The sentence start in word pairs.
const START: &str = "<s>";

#[derive(Default)]
struct Counts {
    words: HashMap<String, u32>,
    pairs: HashMap<String, u32>,
}

impl Counts {
    /// Counts the words of `text` and its neighbouring word pairs, sentence by sentence.
    fn add(&mut self, text: &str, weight: u32) {
        for sentence in text.split(['.', '!', '?', ';', ':', '\n', '"', '(', ')']) {
            let mut previous = START.to_owned();
            for word in sentence.split(|c: char| !c.is_alphabetic() && c != '\'') {
                // "don't" counts as its letters before the apostrophe, as before.
                let word = word.split('\'').next().unwrap_or("");
                if word.chars().count() < 2 {
                    continue;
                }
                let word = word.to_lowercase();
                *self.words.entry(word.clone()).or_insert(0) += weight;
                *self.pairs.entry(format!("{previous} {word}")).or_insert(0) += weight;
                previous = word;
            }
        }
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            markdown_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

/// The `# text = ` lines of a CoNLL-U or UNER IOB2 file.
fn conll_texts(path: &Path) -> Vec<String> {
    read(path)
        .lines()
        .filter_map(|l| l.strip_prefix("# text = ").map(str::to_owned))
        .collect()
}

/// The sentences of a GermEval 2014 file: one token per line (`n<TAB>token<TAB>…`), blank
/// lines between sentences, `#` lines naming the source.
fn germeval2014_sentences(path: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut sentence: Vec<String> = Vec::new();
    for line in read(path).lines() {
        if line.trim().is_empty() {
            if !sentence.is_empty() {
                out.push(sentence.join(" "));
                sentence.clear();
            }
        } else if !line.starts_with('#')
            && let Some(token) = line.split('\t').nth(1)
        {
            sentence.push(token.to_owned());
        }
    }
    if !sentence.is_empty() {
        out.push(sentence.join(" "));
    }
    out
}

/// A column of a CSV file with a header.
fn csv_column(path: &Path, column: &str) -> Vec<String> {
    let mut reader =
        csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = reader.headers().expect("CSV header").clone();
    let at = headers
        .iter()
        .position(|h| h.trim() == column)
        .unwrap_or_else(|| panic!("{}: no column `{column}`", path.display()));
    reader
        .records()
        .map(|r| r.expect("CSV row").get(at).unwrap_or("").to_owned())
        .collect()
}

/// Whether `word` is one letter longer or shorter than, or has two neighbouring letters
/// swapped from, a word with the same first letter that is at least [`TYPO_RATIO`] times as
/// frequent. Changed letters are not considered: they connect too many pairs of real words
/// ("bill" / "will", "card" / "cart").
fn looks_like_a_typo(word: &str, count: u32, words: &HashMap<String, u32>) -> bool {
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < TYPO_MIN_LETTERS {
        return false;
    }
    let frequent = |candidate: &str| {
        words
            .get(candidate)
            .is_some_and(|c| *c >= count.saturating_mul(TYPO_RATIO))
    };
    // One letter dropped from `word`, never the first.
    for i in 1..chars.len() {
        let shorter: String = chars[..i].iter().chain(&chars[i + 1..]).collect();
        if frequent(&shorter) {
            return true;
        }
    }
    // Two neighbours swapped, after the first letter.
    for i in 1..chars.len().saturating_sub(1) {
        if chars[i] != chars[i + 1] {
            let mut swapped = chars.clone();
            swapped.swap(i, i + 1);
            if frequent(&swapped.iter().collect::<String>()) {
                return true;
            }
        }
    }
    // One letter added to `word`, after the first: any letter of a word that could be meant.
    let alphabet: std::collections::BTreeSet<char> = chars.iter().copied().collect();
    let mut letters: Vec<char> = alphabet.into_iter().collect();
    letters.extend("aeiouynrstl".chars());
    for i in 1..=chars.len() {
        for &c in &letters {
            let longer: String = chars[..i]
                .iter()
                .chain(std::iter::once(&c))
                .chain(&chars[i..])
                .collect();
            if frequent(&longer) {
                return true;
            }
        }
    }
    false
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let shared = std::env::args()
        .nth(1)
        .map_or_else(|| root.join("../shared/data"), PathBuf::from);
    for lang in ["da", "de", "en", "nl"] {
        let mut counts = Counts::default();
        let mut sources = Vec::new();

        let intent = read(&root.join(format!("data/intent/{lang}.tsv")));
        for line in intent.lines().skip(1) {
            counts.add(line.split('\t').next().unwrap_or(""), CURATED_WEIGHT);
        }
        sources.push(format!("data/intent/{lang}.tsv (x{CURATED_WEIGHT})"));
        let mut articles = Vec::new();
        markdown_files(&root.join("kb").join(lang), &mut articles);
        articles.sort();
        for a in &articles {
            counts.add(&read(a), CURATED_WEIGHT);
        }
        sources.push(format!("kb/{lang}/*.md (x{CURATED_WEIGHT})"));

        let xed: Vec<String> = if lang == "en" {
            vec!["en-annotated.tsv".into(), "neu_en.txt".into()]
        } else {
            vec![format!("{lang}-projections.tsv")]
        };
        for f in xed {
            for line in read(&shared.join("xed-emotion").join(&f)).lines() {
                let fields: Vec<&str> = line.split('\t').collect();
                let text = if f == "neu_en.txt" {
                    fields.get(1)
                } else {
                    fields.first()
                };
                if fields.len() >= 2 {
                    counts.add(text.copied().unwrap_or(""), 1);
                }
            }
            sources.push(format!("XED {f} (CC BY 4.0, Öhman et al. 2020)"));
        }
        let xsid = read(&shared.join(format!("xsid-valid/{lang}.valid.conll")));
        for line in xsid.lines() {
            if let Some(text) = line.strip_prefix("# text = ") {
                counts.add(text, 1);
            }
        }
        sources.push(format!(
            "xSID {lang}.valid.conll (CC BY-SA 4.0, van der Goot et al. 2021)"
        ));
        match lang {
            "da" => {
                for f in [
                    "dan_mixed_2014_10K-sentences.csv",
                    "dan_newscrawl_2011_10K-sentences.csv",
                ] {
                    let path = shared.join("lcc-sentiment-da").join(f);
                    let valences = csv_column(&path, "valence");
                    for (text, valence) in csv_column(&path, "text").iter().zip(&valences) {
                        // Scored sentences are the sentiment model's data, some held out.
                        if valence.trim().is_empty() {
                            counts.add(text, 1);
                        }
                    }
                    sources.push(format!(
                        "LCC Sentiment {f}, unscored sentences (CC BY, Leipzig Corpora Collection)"
                    ));
                }
                for f in ["da_ddt-ud-train.iob2", "da_ddt-ud-dev.iob2"] {
                    for text in conll_texts(&shared.join("uner-da-ddt").join(f)) {
                        counts.add(&text, 1);
                    }
                    sources.push(format!(
                        "UNER {f} (CC BY-SA 4.0, Danish Dependency Treebank)"
                    ));
                }
            }
            "de" => {
                // Test splits stay out: they measure the name tagger and the sentiment model.
                for f in ["NER-de-dev.tsv"] {
                    for text in germeval2014_sentences(&shared.join("germeval2014-ner-de").join(f))
                    {
                        counts.add(&text, 1);
                    }
                    sources.push(format!("GermEval 2014 NER {f} (CC BY 4.0)"));
                }
                for f in ["germeval2018.training.txt"] {
                    let text = read(&shared.join("germeval2018-offensive-de").join(f));
                    for line in text.lines() {
                        counts.add(line.split('\t').next().unwrap_or(""), 1);
                    }
                    sources.push(format!("GermEval 2018 {f} (CC BY 4.0)"));
                }
            }
            "en" => {
                let bitext = shared.join(
                    "bitext-customer-service-intent/Bitext_Sample_Customer_Service_Training_Dataset.csv",
                );
                let mut reader = csv::Reader::from_path(&bitext).expect("Bitext training set");
                for row in reader.records() {
                    let row = row.expect("Bitext row");
                    counts.add(row.get(0).unwrap_or(""), 1);
                }
                sources.push("Bitext customer-service training set (CDLA-Sharing-1.0)".into());
                for f in ["en_ewt-ud-dev.iob2"] {
                    for text in conll_texts(&shared.join("uner-en-ewt").join(f)) {
                        counts.add(&text, 1);
                    }
                    sources.push(format!("UNER {f} (CC BY-SA 4.0, English Web Treebank)"));
                }
            }
            _ => {}
        }

        let typos: std::collections::HashSet<String> = counts
            .words
            .iter()
            .filter(|(w, c)| **c >= MIN_COUNT && looks_like_a_typo(w, **c, &counts.words))
            .map(|(w, _)| w.clone())
            .collect();
        let mut kept: Vec<(String, u32)> = counts
            .words
            .iter()
            .filter(|(w, c)| **c >= MIN_COUNT && !typos.contains(*w))
            .map(|(w, c)| (w.clone(), *c))
            .collect();
        kept.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let header = |what: &str, min: u32| {
            let mut out = format!(
                "# Candor spelling {what}: {lang}. {what}<TAB>count, most frequent first.\n\
                 # Built by `cargo run --release -p candor-classify --example build_spelling`; do not edit.\n\
                 # Counted at least {min} times in:\n"
            );
            for s in &sources {
                out.push_str(&format!("#   {s}\n"));
            }
            out
        };
        let mut out = header("word", MIN_COUNT);
        out.push_str(&format!(
            "# Left out as probable typos ({} words): one letter added, dropped or swapped from a word {TYPO_RATIO} times as frequent.\n",
            typos.len()
        ));
        for (w, c) in &kept {
            out.push_str(&format!("{w}\t{c}\n"));
        }
        let path = root.join(format!("crates/classify/spelling/{lang}.txt"));
        std::fs::write(&path, out).unwrap_or_else(|e| panic!("{}: {e}", path.display()));

        let mut pairs: Vec<(String, u32)> = counts
            .pairs
            .into_iter()
            .filter(|(p, c)| *c >= MIN_COUNT && !p.split(' ').any(|w| typos.contains(w)))
            .collect();
        pairs.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let mut out = header("word pair", MIN_COUNT);
        for (p, c) in &pairs {
            out.push_str(&format!("{p}\t{c}\n"));
        }
        let pairs_path = root.join(format!("crates/classify/spelling/{lang}.pairs.txt"));
        std::fs::write(&pairs_path, out)
            .unwrap_or_else(|e| panic!("{}: {e}", pairs_path.display()));
        println!(
            "{lang}: {} words ({} left out as typos), {} pairs -> {}",
            kept.len(),
            typos.len(),
            pairs.len(),
            path.display()
        );
    }
}
