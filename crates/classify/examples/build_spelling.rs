//! Builds the spelling word lists `crates/classify/spelling/<lang>.txt` that `Speller` ships.
//!
//! ```text
//! cargo run -p candor-classify --example build_spelling [-- SHARED_DATA_DIR]
//! ```
//!
//! Sources, all licensed for shipping derived data (see `NOTICE`): the team-written intent
//! messages in `data/intent/` and the sample knowledge base in `kb/` (counted three times, as
//! they are the words customers write to Candor), and from `../shared/data/`: XED subtitles
//! (CC BY 4.0), the xSID validation sentences (CC BY-SA 4.0) and, for English, the Bitext
//! customer-service training set (CDLA-Sharing-1.0). A word is kept when it is letters only and
//! counted at least twice.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

const CURATED_WEIGHT: u32 = 3;
const MIN_COUNT: u32 = 2;

fn add_words(text: &str, weight: u32, counts: &mut HashMap<String, u32>) {
    for word in text.split(|c: char| !c.is_alphabetic()) {
        if word.chars().count() >= 2 {
            *counts.entry(word.to_lowercase()).or_insert(0) += weight;
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

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let shared = std::env::args()
        .nth(1)
        .map_or_else(|| root.join("../shared/data"), PathBuf::from);
    for lang in ["da", "de", "en", "nl"] {
        let mut counts = HashMap::new();
        let mut sources = Vec::new();

        let intent = read(&root.join(format!("data/intent/{lang}.tsv")));
        for line in intent.lines().skip(1) {
            add_words(
                line.split('\t').next().unwrap_or(""),
                CURATED_WEIGHT,
                &mut counts,
            );
        }
        sources.push(format!("data/intent/{lang}.tsv (x{CURATED_WEIGHT})"));
        let mut articles = Vec::new();
        markdown_files(&root.join("kb").join(lang), &mut articles);
        articles.sort();
        for a in &articles {
            add_words(&read(a), CURATED_WEIGHT, &mut counts);
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
                    add_words(text.copied().unwrap_or(""), 1, &mut counts);
                }
            }
            sources.push(format!("XED {f} (CC BY 4.0, Öhman et al. 2020)"));
        }
        let xsid = read(&shared.join(format!("xsid-valid/{lang}.valid.conll")));
        for line in xsid.lines() {
            if let Some(text) = line.strip_prefix("# text = ") {
                add_words(text, 1, &mut counts);
            }
        }
        sources.push(format!(
            "xSID {lang}.valid.conll (CC BY-SA 4.0, van der Goot et al. 2021)"
        ));
        if lang == "en" {
            let path = shared.join(
                "bitext-customer-service-intent/Bitext_Sample_Customer_Service_Training_Dataset.csv",
            );
            let mut reader = csv::Reader::from_path(&path).expect("Bitext training set");
            for row in reader.records() {
                let row = row.expect("Bitext row");
                add_words(row.get(0).unwrap_or(""), 1, &mut counts);
            }
            sources.push("Bitext customer-service training set (CDLA-Sharing-1.0)".into());
        }

        let mut kept: Vec<(String, u32)> = counts
            .into_iter()
            .filter(|(_, c)| *c >= MIN_COUNT)
            .collect();
        kept.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let mut out = format!(
            "# Candor spelling word list: {lang}. word<TAB>count, most frequent first.\n\
             # Built by `cargo run -p candor-classify --example build_spelling`; do not edit.\n\
             # Words (letters only) counted at least {MIN_COUNT} times in:\n"
        );
        for s in &sources {
            out.push_str(&format!("#   {s}\n"));
        }
        for (w, c) in &kept {
            out.push_str(&format!("{w}\t{c}\n"));
        }
        let path = root.join(format!("crates/classify/spelling/{lang}.txt"));
        std::fs::write(&path, out).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        println!("{lang}: {} words -> {}", kept.len(), path.display());
    }
}
