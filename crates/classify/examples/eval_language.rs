//! Language identification on short texts, without and with conversation context.
//!
//! ```sh
//! cargo run -p candor-classify --release --example eval_language
//! ```
//!
//! Reads the xSID validation split (`$CANDOR_DATA/xsid-valid`, default `../shared/data`): the
//! `# text =` line of each utterance (never `# text-en`), keeping texts of 5 to 60 characters.
//! Each is identified among da, nl, de, en with the default floor (0.5), three ways:
//!
//! - no context;
//! - with context: `previous` holds the context-free guess for another utterance of the same
//!   language file (the next utterance in the file, wrapping around; any length), as if the
//!   customer had written that one first in this conversation;
//! - with that context and the file's language declared as the locale.
//!
//! An unknown answer counts as wrong. A fourth column does what the pipeline does without
//! context: below the floor, the word lists' vote (`Speller::language_by_words`) decides;
//! its wrong answers (a language, but not the text's) are counted beside it. Then lingua's own test data
//! (`$CANDOR_DATA/lingua-langid-testdata`, optimistic: lingua was trained on the same corpora)
//! for da, nl, de, en, without context.

mod common;

use std::path::Path;

use candor_classify::spelling::Speller;
use candor_classify::{LanguageConfig, LanguageContext, LanguageIdentifier};
use candor_core::Lang;

const LANGS: [Lang; 4] = [Lang::DA, Lang::NL, Lang::DE, Lang::EN];

/// The `# text =` lines of an xSID CoNLL file.
fn xsid_texts(path: &Path) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let content = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(content
        .lines()
        .filter_map(|l| l.strip_prefix("# text = "))
        .map(|t| t.trim().to_owned())
        .collect())
}

fn percent(right: usize, n: usize) -> String {
    if n == 0 {
        "-".to_owned()
    } else {
        format!("{:.1}", right as f64 * 100.0 / n as f64)
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = common::data_dir();
    let id = LanguageIdentifier::new(&LanguageConfig::default())?;
    println!("Identifier: `{}`, floor 0.5\n", id.version());
    println!("### xSID validation, texts of 5-60 characters\n");
    println!(
        "| language | texts | no context | previous message | previous message + declared locale | no context, word lists below the floor (wrong language) |\n|---|---:|---:|---:|---:|---:|"
    );
    let speller = Speller::builtin();
    let mut total = [0usize; 6];
    for lang in LANGS {
        let texts = xsid_texts(&data.join(format!("xsid-valid/{}.valid.conll", lang.code())))?;
        let mut right = [0usize; 3];
        let (mut voted_right, mut voted_wrong) = (0usize, 0usize);
        let mut n = 0;
        for (i, text) in texts.iter().enumerate() {
            let chars = text.chars().count();
            if !(5..=60).contains(&chars) {
                continue;
            }
            n += 1;
            let other = &texts[(i + 1) % texts.len()];
            let previous = LanguageContext {
                previous: vec![id.identify(other)],
                declared: None,
            };
            let declared = LanguageContext {
                declared: Some(lang),
                ..previous.clone()
            };
            let guesses = [
                id.identify(text),
                id.identify_in_context(text, &previous),
                id.identify_in_context(text, &declared),
            ];
            let voted = guesses[0].lang.or_else(|| {
                speller
                    .language_by_words(text, &LANGS)
                    .map(|vote| vote.lang)
            });
            match voted {
                Some(l) if l == lang => voted_right += 1,
                Some(_) => voted_wrong += 1,
                None => {}
            }
            for (r, g) in right.iter_mut().zip(guesses) {
                if g.lang == Some(lang) {
                    *r += 1;
                }
            }
        }
        println!(
            "| {} | {n} | {} | {} | {} | {} ({voted_wrong}) |",
            lang.code(),
            percent(right[0], n),
            percent(right[1], n),
            percent(right[2], n),
            percent(voted_right, n)
        );
        total[0] += n;
        for k in 0..3 {
            total[k + 1] += right[k];
        }
        total[4] += voted_right;
        total[5] += voted_wrong;
    }
    println!(
        "| all | {} | {} | {} | {} | {} ({}) |",
        total[0],
        percent(total[1], total[0]),
        percent(total[2], total[0]),
        percent(total[3], total[0]),
        percent(total[4], total[0]),
        total[5]
    );

    println!(
        "\n### lingua-langid-testdata (evaluate only; optimistic), no context\n\n| language | sentences | word pairs | single words |\n|---|---:|---:|---:|"
    );
    for lang in LANGS {
        let mut cells = Vec::new();
        for file in ["sentences.txt", "word-pairs.txt", "single-words.txt"] {
            let path = data.join(format!("lingua-langid-testdata/{}/{file}", lang.code()));
            let content = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let lines: Vec<&str> = content.lines().filter(|l| !l.trim().is_empty()).collect();
            let right = lines
                .iter()
                .filter(|l| id.identify(l).lang == Some(lang))
                .count();
            cells.push(percent(right, lines.len()));
        }
        println!("| {} | {} |", lang.code(), cells.join(" | "));
    }
    Ok(())
}
