//! What the person context rules add to a tagger that has not seen the text, on development
//! data only.
//!
//! ```text
//! cargo run -p candor-pii --release --example eval_person_rules [-- --data ../shared/data] [--show]
//! ```
//!
//! The shipped tagger was trained on GermEval dev, EWT dev and DaNE dev, so the registry's
//! figures there hide what a rule adds. This trains a tagger the way the shipped one is
//! trained (same seed, epochs and decision threshold) on DaNE train and the sentences of
//! GermEval dev and EWT dev outside one quarter (`i % 4 == fold`), once per quarter, and
//! scores, on DaNE dev (with the first fold's tagger) and on each held-out quarter, pooled
//! over the four, by overlap:
//!
//! - the context rules alone ([`PersonRecognizer`]): their precision, and the gold names they
//!   find that the held-out tagger misses;
//! - the held-out tagger alone, and the tagger with the rules (a rule's name counts where no
//!   tagger name overlaps it, as in the registry, where two readings of a name are
//!   alternatives).
//!
//! `--show` prints the rules' false positives and the names both miss, to read for new cues.
//! Test splits are never read.

use std::path::PathBuf;

use candor_core::Span;
use candor_pii::eval::{Counts, Labelled};
use candor_pii::ner::{PersonModel, TrainConfig, read_iob, train};
use candor_pii::{Detection, PersonRecognizer, Recognizer, normalise};

const FOLDS: usize = 4;

/// A development set's name and the part of it one fold's tagger did not see.
type Held<'a> = (&'a str, Vec<Labelled>);

fn overlaps(a: Span, b: Span) -> bool {
    a.start < b.end && b.start < a.end
}

fn count(found: &[Span], gold: &[Span], c: &mut Counts) {
    for f in found {
        if gold.iter().any(|g| overlaps(*f, *g)) {
            c.true_positives += 1;
        } else {
            c.false_positives += 1;
        }
    }
    for g in gold {
        if !found.iter().any(|f| overlaps(*f, *g)) {
            c.false_negatives += 1;
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut data = root.join("../../../shared/data");
    let mut show = false;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--data" => data = args.next().ok_or("--data needs a value")?.into(),
            "--show" => show = true,
            _ => return Err(format!("usage: [--data DIR] [--show], got {flag}").into()),
        }
    }
    let read = |file: &str| -> Result<Vec<Labelled>, Box<dyn std::error::Error>> {
        let path = data.join(file);
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(read_iob(&text).map_err(|e| format!("{}: {e}", path.display()))?)
    };
    let danish_train = read("uner-da-ddt/da_ddt-ud-train.iob2")?;
    let danish_dev = read("uner-da-ddt/da_ddt-ud-dev.iob2")?;
    let folded = [
        (
            "de: GermEval dev",
            read("germeval2014-ner-de/NER-de-dev.tsv")?,
        ),
        ("en: EWT dev", read("uner-en-ewt/en_ewt-ud-dev.iob2")?),
    ];
    // As the shipped model: its seed, the folds' mean best epoch (datasheet) and its threshold.
    let config = TrainConfig {
        epochs: 10,
        ..TrainConfig::default()
    };
    let bias = PersonModel::shipped().outside_bias();
    // Per fold: the tagger trained without that quarter, and the quarter of each set it did
    // not see. DaNE dev is never trained on, so it is scored once, with the first fold's.
    let mut folds: Vec<(PersonModel, Vec<Held>)> = Vec::new();
    for fold in 0..FOLDS {
        let mut training = danish_train.clone();
        let mut held: Vec<(&str, Vec<Labelled>)> = Vec::new();
        if fold == 0 {
            held.push(("da: DaNE dev", danish_dev.clone()));
        }
        for (name, set) in &folded {
            let (out, rest): (Vec<_>, Vec<_>) =
                set.iter().enumerate().partition(|(i, _)| i % FOLDS == fold);
            training.extend(rest.into_iter().map(|(_, l)| l.clone()));
            held.push((name, out.into_iter().map(|(_, l)| l.clone()).collect()));
        }
        let (model, _) = train(&training, &[], &config, "");
        folds.push((model.with_outside_bias(bias), held));
    }

    println!(
        "| dev set | names | rules P | rules TP | rules FP | found by rules only | tagger P | R | F1 | tagger + rules P | R | F1 |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for name in ["da: DaNE dev", "de: GermEval dev", "en: EWT dev"] {
        let (mut rules, mut tagger, mut both) =
            (Counts::default(), Counts::default(), Counts::default());
        let mut rules_only = 0;
        let mut names = 0;
        let pieces = folds.iter().flat_map(|(model, held)| {
            held.iter()
                .filter(|(n, _)| *n == name)
                .flat_map(move |(_, set)| set.iter().map(move |item| (model, item)))
        });
        for (model, item) in pieces {
            let n = normalise(&item.text);
            let gold: Vec<Span> = item.spans.iter().map(|(s, _)| *s).collect();
            names += gold.len();
            let mut out: Vec<Detection> = Vec::new();
            PersonRecognizer.recognise(&n.text, &mut out);
            let ruled: Vec<Span> = out.iter().map(|d| n.map.to_original(d.span)).collect();
            let tagged: Vec<Span> = model
                .find(&n.text)
                .into_iter()
                .map(|(s, _)| n.map.to_original(s))
                .collect();
            let mut union = tagged.clone();
            union.extend(
                ruled
                    .iter()
                    .filter(|r| !tagged.iter().any(|t| overlaps(*t, **r))),
            );
            count(&ruled, &gold, &mut rules);
            count(&tagged, &gold, &mut tagger);
            count(&union, &gold, &mut both);
            for g in &gold {
                let by = |spans: &[Span]| spans.iter().any(|s| overlaps(*s, *g));
                if by(&ruled) && !by(&tagged) {
                    rules_only += 1;
                }
                if show && !by(&union) {
                    println!(
                        "MISS\t{name}\t{}\t{}",
                        &item.text[g.start..g.end],
                        item.text
                    );
                }
            }
            if show {
                for r in &ruled {
                    if !gold.iter().any(|g| overlaps(*r, *g)) {
                        println!(
                            "RULE-FP\t{name}\t{}\t{}",
                            &item.text[r.start..r.end],
                            item.text
                        );
                    }
                }
            }
        }
        println!(
            "| {name} | {names} | {:.3} | {} | {} | {rules_only} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} |",
            rules.precision(),
            rules.true_positives,
            rules.false_positives,
            tagger.precision(),
            tagger.recall(),
            tagger.f1(),
            both.precision(),
            both.recall(),
            both.f1(),
        );
    }
    // The rules' precision does not depend on the tagger, so DaNE train (the tagger's
    // training data, never read when the rules were written) shows it on more Danish text.
    let mut rules = Counts::default();
    for item in &danish_train {
        let n = normalise(&item.text);
        let gold: Vec<Span> = item.spans.iter().map(|(s, _)| *s).collect();
        let mut out: Vec<Detection> = Vec::new();
        PersonRecognizer.recognise(&n.text, &mut out);
        let ruled: Vec<Span> = out.iter().map(|d| n.map.to_original(d.span)).collect();
        for r in &ruled {
            if show && !gold.iter().any(|g| overlaps(*r, *g)) {
                let found = &item.text[r.start..r.end];
                println!("RULE-FP\tda: DaNE train\t{found}\t{}", item.text);
            }
        }
        count(&ruled, &gold, &mut rules);
    }
    println!(
        "\nRules alone on DaNE train: P {:.3} ({} right, {} wrong)",
        rules.precision(),
        rules.true_positives,
        rules.false_positives
    );
    Ok(())
}
