//! Trains the shipped sentiment model, `models/sentiment.ctc`, and writes its datasheet.
//!
//! ```sh
//! models/train-sentiment.sh        # the reproducible way (fixed date and seed)
//! cargo run -p candor-classify --release --example train_sentiment -- [MODEL [DATASHEET [WEIGHTS]]]
//! ```
//!
//! Reads only "train, ship" data from `$CANDOR_DATA` (default `../shared/data`) through
//! `candor_classify::corpora`, trains on its training split, stops early and calibrates on its
//! validation split, fits the weights that combine it with the English valence lexicon on the
//! English part of the validation split (`models/sentiment.lexicon.toml`), and scores the
//! held-out test split into the datasheet.

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use candor_classify::corpora::{self, Item, Split};
use candor_classify::sentiment::{CombinationExample, LexiconWeights};
use candor_classify::valence::ValenceLexicon;
use candor_classify::{
    DataInfo, Example, FeatureConfig, SentimentModel, TrainConfig, WeightEncoding, train,
};
use candor_core::Lang;

/// At most this many English training examples, drawn evenly by hash: English has five times
/// the data of any other language, and would otherwise dominate the shared features.
const ENGLISH_CAP: usize = 12_000;
/// Danish training examples are repeated this many times: it has the least data.
const DANISH_REPEAT: usize = 2;

const SOURCE: &str = "XED (github.com/Helsinki-NLP/XED, commit 76666d25: en-annotated.tsv, neu_en.txt, \
da/de/nl projections; Öhman et al. 2020), LCC sentiment (github.com/fnielsen/lcc-sentiment, commit 7d323774; \
Leipzig Corpora Collection, annotation by Finn Årup Nielsen), GermEval 2018 training file \
(github.com/uds-lsv/GermEval-2018-Data, commit 9877472d; Wiegand et al. 2018), Bitext customer-service \
training and validation files (github.com/bitext/customer-support-intent-detection-training-dataset, \
commit e970229e), Candor's data/intent/ (this repository); English read with the VADER lexicon \
(github.com/cjhutto/vaderSentiment via the vader_sentiment crate 0.1.1; Hutto & Gilbert 2014)";
const LICENCE: &str = "CC BY 4.0 (XED, GermEval 2018), CC BY (LCC sentiment), CDLA-Sharing-1.0 (Bitext), \
Apache-2.0 (data/intent), MIT (VADER lexicon)";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let root = common::repo_root();
    let model_path = args
        .next()
        .map_or_else(|| root.join("models/sentiment.ctc"), PathBuf::from);
    let sheet_path = args
        .next()
        .map_or_else(|| root.join("models/sentiment.datasheet.md"), PathBuf::from);
    let weights_path = args
        .next()
        .map_or_else(|| root.join("models/sentiment.lexicon.toml"), PathBuf::from);
    let bits: u8 = std::env::var("SENTIMENT_BUCKET_BITS")
        .ok()
        .and_then(|b| b.parse().ok())
        .unwrap_or(18);

    let items = corpora::sentiment_corpus(common::data_dir(), root.join("data/intent"))?;
    let (train_set, valid_set) = training_sets(&items);
    eprintln!(
        "{} training and {} validation examples",
        train_set.len(),
        valid_set.len()
    );
    let config = TrainConfig {
        features: FeatureConfig {
            bucket_bits: bits,
            ..FeatureConfig::default()
        },
        // A sentiment model always answers; a text it knows nothing of is neutral.
        min_confidence: 0.0,
        encoding: WeightEncoding::Int8,
        seed: 42,
        ..TrainConfig::default()
    };
    let info = DataInfo {
        source: SOURCE.to_owned(),
        licence: LICENCE.to_owned(),
        created: training_date()?,
        validation: "validation split of the same sources (10% of XED and of the customer-service requests, 20% of LCC, 10% of the GermEval 2018 training file, by a fixed hash of the text)".to_owned(),
    };
    let model = train(&train_set, Some(&valid_set), &config, &info, &mut |_| {})?;
    let digest = model.save(&model_path)?;
    let plain = SentimentModel::load(&model_path)?;
    // The lexicon weights say how far to trust the lexicon against the model on text the
    // model has never seen, as customer messages are to a model of subtitles and tweets. So
    // they are fitted with a second model trained without the English emotion data, on that
    // data (XED's English train and validation splits; never its test split).
    let unseen = |i: &Item| i.lang == Lang::EN && i.source.starts_with("xed-emotion/");
    let blind_train: Vec<Example> = train_set_without(&items, &unseen);
    let blind_valid: Vec<Example> = items
        .iter()
        .filter(|i| i.split == Split::Valid && !unseen(i))
        .map(|i| i.example.clone())
        .collect();
    let blind = train(
        &blind_train,
        Some(&blind_valid),
        &config,
        &info,
        &mut |_| {},
    )?;
    let blind = SentimentModel::from_bytes(&blind.to_bytes())?;
    let weights = fit_lexicon_weights(&blind, &items, &unseen);
    std::fs::write(&weights_path, weights.to_toml())?;
    let sentiment = plain.with_lexicon(weights);
    let sheet = datasheet(&sentiment, &items, &train_set);
    std::fs::write(&sheet_path, sheet)?;
    println!(
        "{} {} bytes, sha256 {digest}",
        model_path.display(),
        std::fs::metadata(&model_path)?.len()
    );
    Ok(())
}

/// The lexicon weights, fitted with `model` on the `unseen` examples of its training and
/// validation splits.
fn fit_lexicon_weights(
    model: &SentimentModel,
    items: &[Item],
    unseen: &dyn Fn(&Item) -> bool,
) -> LexiconWeights {
    let lexicon = ValenceLexicon::english();
    let examples: Vec<CombinationExample> = items
        .iter()
        .filter(|i| i.split != Split::Test && unseen(i))
        .map(|i| {
            let valence = lexicon.score(&i.example.text);
            let gold = match i.example.label.as_str() {
                corpora::NEGATIVE => 0,
                corpora::NEUTRAL => 1,
                _ => 2,
            };
            CombinationExample {
                model: model.model_probabilities(&i.example.text).0,
                compound: valence.compound,
                gold,
            }
        })
        .collect();
    eprintln!(
        "lexicon weights fitted on {} English examples unseen by their model",
        examples.len()
    );
    LexiconWeights::fit(&examples, vec![Lang::EN.code().to_owned()])
}

/// The training examples of [`training_sets`] less the `left_out` ones.
fn train_set_without(items: &[Item], left_out: &dyn Fn(&Item) -> bool) -> Vec<Example> {
    let kept: Vec<Item> = items.iter().filter(|i| !left_out(i)).cloned().collect();
    training_sets(&kept).0
}

/// The training and validation examples, with English capped and Danish repeated.
fn training_sets(items: &[Item]) -> (Vec<Example>, Vec<Example>) {
    let english = items
        .iter()
        .filter(|i| i.lang == Lang::EN && i.split == Split::Train)
        .count();
    let mut train = Vec::new();
    for item in items.iter().filter(|i| i.split == Split::Train) {
        // A second, independent hash decides which English examples stay.
        let keep = item.lang != Lang::EN
            || corpora::split_of(
                &format!("cap:{}", item.example.text),
                0.0,
                ENGLISH_CAP as f64 / english as f64,
            ) == Split::Test;
        if !keep {
            continue;
        }
        let repeat = if item.lang == Lang::DA {
            DANISH_REPEAT
        } else {
            1
        };
        for _ in 0..repeat {
            train.push(item.example.clone());
        }
    }
    let valid = items
        .iter()
        .filter(|i| i.split == Split::Valid)
        .map(|i| i.example.clone())
        .collect();
    (train, valid)
}

fn datasheet(model: &SentimentModel, items: &[Item], train_set: &[Example]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Datasheet: sentiment.ctc\n");
    let _ = writeln!(
        out,
        "Generated by `models/train-sentiment.sh` (`crates/classify/examples/train_sentiment.rs`); do not edit by hand.\n"
    );
    let _ = writeln!(out, "## Training\n");
    out.push_str(&model.classifier().datasheet().to_markdown());
    let _ = writeln!(out, "\n## Data\n");
    let _ = writeln!(
        out,
        "Polarity mapping (`crates/classify/src/corpora.rs`): XED anger, disgust, fear, sadness → negative; joy, trust → positive; anticipation and surprise ignored (a row with only them is skipped); rows with both a negative and a positive emotion skipped; `neu_en.txt` → neutral. LCC valence < 0 → negative, 0 → neutral, > 0 → positive. GermEval 2018 OFFENSE → negative, OTHER → neutral. Customer-service requests (Bitext, `data/intent/`) → neutral, except the intents complaint, payment_issue and registration_problems and Bitext utterances tagged W (offensive language) → negative, and review (feedback either way) skipped. English: the model's log-probabilities plus the VADER lexicon's compound score times per-class weights (`sentiment.lexicon.toml`), fitted on XED's English train and validation rows with a second model trained without them, so that the weights say how far to trust the lexicon on text the model has not seen.\n"
    );
    let _ = writeln!(
        out,
        "Balance: English training examples capped at {ENGLISH_CAP} (by a fixed hash), Danish ones repeated {DANISH_REPEAT}×; classes are weighted to count the same. {} training rows in all (repeats included).\n",
        train_set.len()
    );
    let _ = writeln!(
        out,
        "| source | language | negative | neutral | positive | train | validation | test |\n|---|---|---:|---:|---:|---:|---:|---:|"
    );
    let mut rows: BTreeMap<(&str, &str), [usize; 6]> = BTreeMap::new();
    for item in items {
        let row = rows.entry((item.source, item.lang.code())).or_default();
        match item.example.label.as_str() {
            corpora::NEGATIVE => row[0] += 1,
            corpora::NEUTRAL => row[1] += 1,
            _ => row[2] += 1,
        }
        match item.split {
            Split::Train => row[3] += 1,
            Split::Valid => row[4] += 1,
            Split::Test => row[5] += 1,
        }
    }
    for ((source, lang), r) in &rows {
        let _ = writeln!(
            out,
            "| {source} | {lang} | {} | {} | {} | {} | {} | {} |",
            r[0], r[1], r[2], r[3], r[4], r[5]
        );
    }
    let _ = writeln!(
        out,
        "\n## Evaluation on the held-out test split (never used in training)\n\nMacro-F1 over the gold classes; GermEval 2018 scored as offensive (predicted negative) against other.\n\n| test set | examples | macro-F1 | accuracy |\n|---|---:|---:|---:|"
    );
    let mut groups: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for item in items.iter().filter(|i| i.split == Split::Test) {
        let predicted = model.score_in(&item.example.text, Some(&item.lang)).label;
        let (name, gold, predicted) = if item.source.starts_with("germeval2018") {
            let offensive = |l: &str| {
                if l == corpora::NEGATIVE {
                    "offensive"
                } else {
                    "other"
                }
            };
            (
                "germeval2018 test (de)".to_owned(),
                offensive(&item.example.label),
                offensive(&predicted),
            )
        } else if item.source.starts_with("xed") {
            (
                format!("XED ({})", item.lang.code()),
                item.example.label.as_str(),
                predicted.as_str(),
            )
        } else {
            (
                format!("{} ({})", item.source, item.lang.code()),
                item.example.label.as_str(),
                predicted.as_str(),
            )
        };
        groups
            .entry(name)
            .or_default()
            .push((gold.to_owned(), predicted.to_owned()));
    }
    for (name, pairs) in &groups {
        let (f1, accuracy, n) = common::scores(pairs.iter().map(|(g, p)| (g.as_str(), p.as_str())));
        let _ = writeln!(
            out,
            "| {name} | {n} | {:.1} | {:.1} |",
            f1 * 100.0,
            accuracy * 100.0
        );
    }
    out
}

/// Today's date (UTC), or that of `SOURCE_DATE_EPOCH`, so that a scripted run reproduces the
/// model byte for byte.
fn training_date() -> Result<String, Box<dyn std::error::Error>> {
    let secs = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => v.trim().parse::<i64>()?,
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64),
    };
    // Howard Hinnant's civil_from_days.
    let z = secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    Ok(format!("{y:04}-{m:02}-{d:02}"))
}
