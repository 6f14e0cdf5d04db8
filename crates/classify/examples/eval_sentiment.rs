//! Scores the sentiment model on every labelled sentiment, complaint and offensive-language set
//! in the data directory and prints a Markdown table.
//!
//! ```sh
//! cargo run -p candor-classify --release --example eval_sentiment [-- MODEL]
//! ```
//!
//! Without MODEL it scores the built-in model (`models/sentiment.ctc`). Data from
//! `$CANDOR_DATA` (default `../shared/data`).

mod common;

use std::collections::BTreeMap;

use candor_classify::SentimentModel;
use candor_classify::corpora::{self, Split};

/// One row of the table.
struct Row {
    set: String,
    task: &'static str,
    usage: &'static str,
    pairs: Vec<(String, String)>,
    reference: &'static str,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let model = match std::env::args().nth(1) {
        Some(path) => SentimentModel::load(path)?,
        None => SentimentModel::builtin(),
    };
    let data = common::data_dir();
    let label = |text: &str| model.score(text).label;
    let mut rows = Vec::new();

    let complaint = |l: &str| {
        if l == corpora::NEGATIVE {
            "complaint"
        } else {
            "not_complaint"
        }
    };
    rows.push(Row {
        set: "complaints-twitter-en (en)".into(),
        task: "complaint vs not (negative = complaint)",
        usage: "evaluate only",
        pairs: corpora::read_complaints(data.join("complaints-twitter-en/complaints-data.csv"))?
            .into_iter()
            .map(|e| (e.label, complaint(&label(&e.text)).to_owned()))
            .collect(),
        reference: "VADER 62.9; TF-IDF+LR 83.4 (trained in-domain, cross-validated)",
    });
    let three_way = |examples: Vec<candor_classify::Example>| -> Vec<(String, String)> {
        examples
            .into_iter()
            .map(|e| {
                let p = label(&e.text);
                (e.label, p)
            })
            .collect()
    };
    rows.push(Row {
        set: "tweeteval-en sentiment test (en)".into(),
        task: "negative / neutral / positive",
        usage: "evaluate only",
        pairs: three_way(corpora::read_tweeteval(
            data.join("tweeteval-en/sentiment/test_text.txt"),
            data.join("tweeteval-en/sentiment/test_labels.txt"),
        )?),
        reference: "VADER 52.9",
    });
    rows.push(Row {
        set: "umsab-sentiment-de test (de)".into(),
        task: "negative / neutral / positive",
        usage: "evaluate only",
        pairs: three_way(corpora::read_tweeteval(
            data.join("umsab-sentiment-de/test_text.txt"),
            data.join("umsab-sentiment-de/test_labels.txt"),
        )?),
        reference: "TF-IDF+LR 65.1 (trained in-domain on its training split)",
    });
    rows.push(Row {
        set: "germeval2017-db-feedback dev (de)".into(),
        task: "negative / neutral / positive",
        usage: "evaluate only",
        pairs: three_way(corpora::read_germeval2017(
            data.join("germeval2017-db-feedback/dev_v1.4.tsv"),
        )?),
        reference: "",
    });

    // The held-out parts of the training sources, split exactly as in training.
    let mut held: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for item in corpora::sentiment_corpus(&data)?
        .into_iter()
        .filter(|i| i.split == Split::Test)
    {
        let predicted = label(&item.example.text);
        let (name, gold, predicted) = if item.source.starts_with("germeval2018") {
            let offensive = |l: &str| {
                if l == corpora::NEGATIVE {
                    "offensive"
                } else {
                    "other"
                }
            };
            (
                "germeval2018-offensive-de test (de)".to_owned(),
                offensive(&item.example.label).to_owned(),
                offensive(&predicted).to_owned(),
            )
        } else if item.source.starts_with("xed") {
            (
                format!("xed-emotion held-out ({})", item.lang.code()),
                item.example.label,
                predicted,
            )
        } else {
            (
                format!("{} held-out ({})", item.source, item.lang.code()),
                item.example.label,
                predicted,
            )
        };
        held.entry(name).or_default().push((gold, predicted));
    }
    for (set, pairs) in held {
        let (task, reference) = if set.starts_with("germeval2018") {
            ("offensive vs other (negative = offensive)", "")
        } else if set.starts_with("xed") {
            ("polarity of the emotions", "")
        } else {
            ("valence < 0 / 0 / > 0", "")
        };
        rows.push(Row {
            set,
            task,
            usage: "train, ship (held out)",
            pairs,
            reference,
        });
    }

    println!("Model: `{}`\n", model.version());
    println!(
        "| data set | task | use | examples | macro-F1 | accuracy | reference macro-F1 |\n|---|---|---|---:|---:|---:|---|"
    );
    for row in &rows {
        let (f1, accuracy, n) =
            common::scores(row.pairs.iter().map(|(g, p)| (g.as_str(), p.as_str())));
        println!(
            "| {} | {} | {} | {n} | {:.1} | {:.1} | {} |",
            row.set,
            row.task,
            row.usage,
            f1 * 100.0,
            accuracy * 100.0,
            row.reference
        );
    }
    Ok(())
}
