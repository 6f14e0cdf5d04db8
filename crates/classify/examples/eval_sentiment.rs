//! Scores the sentiment model on every labelled sentiment, complaint and offensive-language set
//! in the data directory and prints a Markdown table.
//!
//! ```sh
//! cargo run -p candor-classify --release --example eval_sentiment [-- MODEL [WEIGHTS]]
//! ```
//!
//! Without MODEL it scores the built-in model (`models/sentiment.ctc` with
//! `models/sentiment.lexicon.toml`); MODEL alone is scored without the lexicon. Data from
//! `$CANDOR_DATA` (default `../shared/data`).

mod common;

use std::collections::BTreeMap;

use candor_classify::SentimentModel;
use candor_classify::corpora::{self, Split};
use candor_classify::valence::ValenceLexicon;
use candor_core::Lang;

/// One row of the table.
struct Row {
    set: String,
    task: &'static str,
    usage: &'static str,
    pairs: Vec<(String, String)>,
    reference: &'static str,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let model = match (args.next(), args.next()) {
        (Some(path), Some(weights)) => SentimentModel::load_with_lexicon(path, weights)?,
        (Some(path), None) => SentimentModel::load(path)?,
        _ => SentimentModel::builtin(),
    };
    let data = common::data_dir();
    let label = |text: &str, lang: &Lang| model.score_in(text, Some(lang)).label;
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
            .map(|e| (e.label, complaint(&label(&e.text, &Lang::EN)).to_owned()))
            .collect(),
        reference: "VADER 62.9; TF-IDF+LR 83.4 (trained in-domain, cross-validated)",
    });
    let three_way =
        |examples: Vec<candor_classify::Example>, lang: Lang| -> Vec<(String, String)> {
            examples
                .into_iter()
                .map(|e| {
                    let p = label(&e.text, &lang);
                    (e.label, p)
                })
                .collect()
        };
    rows.push(Row {
        set: "tweeteval-en sentiment test (en)".into(),
        task: "negative / neutral / positive",
        usage: "evaluate only",
        pairs: three_way(
            corpora::read_tweeteval(
                data.join("tweeteval-en/sentiment/test_text.txt"),
                data.join("tweeteval-en/sentiment/test_labels.txt"),
            )?,
            Lang::EN,
        ),
        reference: "VADER 52.9",
    });
    rows.push(Row {
        set: "umsab-sentiment-de test (de)".into(),
        task: "negative / neutral / positive",
        usage: "evaluate only",
        pairs: three_way(
            corpora::read_tweeteval(
                data.join("umsab-sentiment-de/test_text.txt"),
                data.join("umsab-sentiment-de/test_labels.txt"),
            )?,
            Lang::DE,
        ),
        reference: "TF-IDF+LR 65.1 (trained in-domain on its training split)",
    });
    rows.push(Row {
        set: "germeval2017-db-feedback dev (de)".into(),
        task: "negative / neutral / positive",
        usage: "evaluate only",
        pairs: three_way(
            corpora::read_germeval2017(data.join("germeval2017-db-feedback/dev_v1.4.tsv"))?,
            Lang::DE,
        ),
        reference: "",
    });

    // The held-out parts of the training sources, split exactly as in training.
    let mut held: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for item in corpora::sentiment_corpus(&data, common::repo_root().join("data/intent"))?
        .into_iter()
        .filter(|i| i.split == Split::Test)
    {
        let predicted = label(&item.example.text, &item.lang);
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
        } else if !set.starts_with("lcc") {
            (
                "customer-service requests: neutral; complaints, problems, Bitext `W`: negative",
                "",
            )
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
    lexicon_alone(&data)?;
    speed(&model, &data)?;
    Ok(())
}

/// Mean time per message over the TweetEval test texts, with the lexicon (English) and
/// without it (the model alone, as for a language without a lexicon), after one warm-up pass.
fn speed(model: &SentimentModel, data: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let texts: Vec<String> = corpora::read_tweeteval(
        data.join("tweeteval-en/sentiment/test_text.txt"),
        data.join("tweeteval-en/sentiment/test_labels.txt"),
    )?
    .into_iter()
    .map(|e| e.text)
    .collect();
    let time = |lang: Option<&Lang>| {
        let start = std::time::Instant::now();
        let mut negative = 0.0f32;
        for text in &texts {
            negative += model.score_in(text, lang).negative;
        }
        std::hint::black_box(negative);
        start.elapsed().as_secs_f64() * 1e6 / texts.len() as f64
    };
    time(Some(&Lang::EN));
    let (with, without) = (time(Some(&Lang::EN)), time(None));
    println!(
        "\nSpeed over the {} TweetEval test texts: {with:.1} µs per message with the lexicon, {without:.1} µs without.",
        texts.len()
    );
    Ok(())
}

/// The English lexicon alone, with VADER's rules and thresholds (compound ≥ 0.05 positive,
/// ≤ −0.05 negative), on the English evaluation sets: a check of `valence.rs` against the
/// published VADER figures, and the baseline the model must beat.
fn lexicon_alone(data: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let lexicon = ValenceLexicon::english();
    let polarity = |text: &str| {
        let c = lexicon.score(text).compound;
        if c >= 0.05 {
            corpora::POSITIVE
        } else if c <= -0.05 {
            corpora::NEGATIVE
        } else {
            corpora::NEUTRAL
        }
    };
    let complaints: Vec<(String, String)> =
        corpora::read_complaints(data.join("complaints-twitter-en/complaints-data.csv"))?
            .into_iter()
            .map(|e| {
                let p = if polarity(&e.text) == corpora::NEGATIVE {
                    "complaint"
                } else {
                    "not_complaint"
                };
                (e.label, p.to_owned())
            })
            .collect();
    let tweeteval: Vec<(String, String)> = corpora::read_tweeteval(
        data.join("tweeteval-en/sentiment/test_text.txt"),
        data.join("tweeteval-en/sentiment/test_labels.txt"),
    )?
    .into_iter()
    .map(|e| {
        let p = polarity(&e.text).to_owned();
        (e.label, p)
    })
    .collect();
    println!("\nThe English lexicon alone (VADER's rules, `crates/classify/src/valence.rs`):\n");
    println!("| data set | examples | macro-F1 | accuracy |\n|---|---:|---:|---:|");
    for (set, pairs) in [
        ("complaints-twitter-en (en)", complaints),
        ("tweeteval-en sentiment test (en)", tweeteval),
    ] {
        let (f1, accuracy, n) = common::scores(pairs.iter().map(|(g, p)| (g.as_str(), p.as_str())));
        println!(
            "| {set} | {n} | {:.1} | {:.1} |",
            f1 * 100.0,
            accuracy * 100.0
        );
    }
    Ok(())
}
