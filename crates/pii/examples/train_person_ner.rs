//! Trains the person-name model shipped as `models/person-ner.bin` (see
//! `models/train-person-ner.sh` and `models/person-ner.datasheet.md`).
//!
//! ```text
//! cargo run -p candor-pii --release --example train_person_ner -- \
//!     [--data ../shared/data] [--out models/person-ner.bin] [--seed N] [--epochs N] [--bits N]
//! ```
//!
//! Training data ("train, ship" in `../shared/data/README.md`): UNER Danish DDT (DaNE) train
//! and dev, GermEval 2014 dev and UNER English EWT dev (the German and English train files are
//! not in the snapshot). Two passes:
//!
//! 1. Tuning: train on DaNE train and on nine in ten sentences of GermEval dev and EWT dev;
//!    hold out DaNE dev and the tenth sentences as one development set per language. It
//!    chooses the number of epochs (best exact-span F1 on all three) and the decision
//!    threshold (best mean overlap F1 over the three languages).
//! 2. Shipping: train on all of it for that many epochs, with that threshold.
//!
//! The test splits, and UNER German PUD, stay unseen.

use std::path::PathBuf;

use candor_pii::eval::Labelled;
use candor_pii::ner::{TrainConfig, overlap_counts, read_iob, train, tune_outside_bias};

/// Training files, their licence, and whether every tenth sentence is held out in pass 1.
const TRAIN: &[(&str, &str, bool)] = &[
    ("uner-da-ddt/da_ddt-ud-train.iob2", "CC BY-SA 4.0", false),
    ("germeval2014-ner-de/NER-de-dev.tsv", "CC BY 4.0", true),
    ("uner-en-ewt/en_ewt-ud-dev.iob2", "CC BY-SA 4.0", true),
];
/// Held out whole in pass 1, trained on in pass 2.
const DEV: (&str, &str) = ("uner-da-ddt/da_ddt-ud-dev.iob2", "CC BY-SA 4.0");
const HOLD_OUT_EVERY: usize = 10;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut data = root.join("../shared/data");
    let mut out = root.join("models/person-ner.bin");
    let mut config = TrainConfig::default();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--data" => data = value.into(),
            "--out" => out = value.into(),
            "--seed" => config.seed = value.parse()?,
            "--epochs" => config.epochs = value.parse()?,
            "--bits" => config.bits = value.parse()?,
            _ => return Err(format!("unknown flag {flag}").into()),
        }
    }
    let read = |file: &str| -> Result<Vec<Labelled>, Box<dyn std::error::Error>> {
        let path = data.join(file);
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(read_iob(&text).map_err(|e| format!("{}: {e}", path.display()))?)
    };
    let names = |set: &[Labelled]| -> usize { set.iter().map(|l| l.spans.len()).sum() };
    let mut all = Vec::new();
    let mut tuning_train = Vec::new();
    let mut dev_sets: Vec<(String, Vec<Labelled>)> = Vec::new();
    let mut sources = Vec::new();
    for (file, licence, split) in TRAIN {
        let part = read(file)?;
        sources.push(format!(
            "{file} ({licence}): {} sentences, {} names",
            part.len(),
            names(&part)
        ));
        if *split {
            let (held, kept): (Vec<_>, Vec<_>) = part
                .iter()
                .cloned()
                .enumerate()
                .partition(|(i, _)| i % HOLD_OUT_EVERY == HOLD_OUT_EVERY - 1);
            tuning_train.extend(kept.into_iter().map(|(_, l)| l));
            dev_sets.push((
                format!("every {HOLD_OUT_EVERY}th sentence of {file}"),
                held.into_iter().map(|(_, l)| l).collect(),
            ));
        } else {
            tuning_train.extend(part.iter().cloned());
        }
        all.extend(part);
    }
    let danish_dev = read(DEV.0)?;
    sources.push(format!(
        "{} ({}): {} sentences, {} names",
        DEV.0,
        DEV.1,
        danish_dev.len(),
        names(&danish_dev)
    ));
    all.extend(danish_dev.iter().cloned());
    dev_sets.insert(0, (DEV.0.to_string(), danish_dev));

    let started = std::time::Instant::now();
    let dev_all: Vec<Labelled> = dev_sets.iter().flat_map(|(_, s)| s.clone()).collect();
    let (tuned, epochs) = train(&tuning_train, &dev_all, &config, "");
    for e in &epochs {
        println!(
            "pass 1, epoch {:2}: dev exact P {:.3} R {:.3} F1 {:.3}",
            e.epoch,
            e.dev.precision(),
            e.dev.recall(),
            e.dev.f1()
        );
    }
    // The epoch `train` kept: the first with the best development F1.
    let best = epochs
        .iter()
        .fold(None::<&candor_pii::ner::EpochScore>, |a, e| match a {
            Some(a) if a.dev.f1() >= e.dev.f1() => Some(a),
            _ => Some(e),
        })
        .ok_or("no epochs to train")?;
    let dev_refs: Vec<&[Labelled]> = dev_sets.iter().map(|(_, s)| s.as_slice()).collect();
    let (bias, tried) = tune_outside_bias(&tuned, &dev_refs);
    for (b, f1) in &tried {
        println!("pass 1, outside bias {b:7.3}: mean dev overlap F1 {f1:.3}");
    }
    let tuned = tuned.with_outside_bias(bias);
    let mut dev_lines = Vec::new();
    for (name, set) in &dev_sets {
        let c = overlap_counts(&tuned, set);
        dev_lines.push(format!(
            "{name}: {} names, overlap P {:.3} R {:.3} F1 {:.3}",
            names(set),
            c.precision(),
            c.recall(),
            c.f1()
        ));
    }
    for line in &dev_lines {
        println!("pass 1, {line}");
    }

    let datasheet = format!(
        "Candor person-name tagger (averaged structured perceptron, tags O/B-PER/I-PER).\n\
         Training data (../shared/data, \"train, ship\"):\n  {}\n\
         Pass 1 held out {} and every {HOLD_OUT_EVERY}th sentence of GermEval dev and EWT dev; \
         it chose {} epochs (dev exact F1 {:.3}) and outside bias {bias:.3}:\n  {}\n\
         Pass 2 trained on all of the above with those settings.\n\
         Gazetteer features: crates/pii/data/names (Faker person providers, MIT; US Census \
         1990 name lists, public domain, via the `names` package, MIT).\n\
         Credit: Universal NER (Mayhew et al. 2024), DaN+ (Plank et al. 2020), \
         GermEval 2014 (Benikova et al. 2014). CC BY-SA data: the model is shared alike.\n\
         Seed {}, 2^{} feature buckets.\n",
        sources.join("\n  "),
        DEV.0,
        best.epoch,
        best.dev.f1(),
        dev_lines.join("\n  "),
        config.seed,
        config.bits
    );
    let shipping = TrainConfig {
        epochs: best.epoch,
        ..config.clone()
    };
    let (model, _) = train(&all, &[], &shipping, &datasheet);
    // The held-out sentences are training data now, so their margins run a little high; the
    // scale only maps margins to scores.
    let model = model.with_outside_bias(bias).calibrated(&dev_all);
    let bytes = model.to_bytes();
    std::fs::write(&out, &bytes)?;
    println!(
        "wrote {} ({} bytes) in {:.1}s",
        out.display(),
        bytes.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
