//! Trains the person-name model shipped as `models/person-ner.bin` (see
//! `models/train-person-ner.sh` and `models/person-ner.datasheet.md`).
//!
//! ```text
//! cargo run -p candor-pii --release --example train_person_ner -- \
//!     [--data ../shared/data] [--out models/person-ner.bin] [--seed N] [--epochs N] [--bits N]
//! ```
//!
//! Training data ("train, ship" in `../shared/data/README.md`): UNER Danish DDT (DaNE) train,
//! GermEval 2014 dev and UNER English EWT dev (their train files are not in the snapshot).
//! UNER Danish DDT dev chooses the epoch. The test splits, and UNER German PUD, stay unseen.

use std::path::PathBuf;

use candor_pii::eval::Labelled;
use candor_pii::ner::{TrainConfig, read_iob, train};

const TRAIN: &[(&str, &str)] = &[
    ("uner-da-ddt/da_ddt-ud-train.iob2", "CC BY-SA 4.0"),
    ("germeval2014-ner-de/NER-de-dev.tsv", "CC BY 4.0"),
    ("uner-en-ewt/en_ewt-ud-dev.iob2", "CC BY-SA 4.0"),
];
const DEV: (&str, &str) = ("uner-da-ddt/da_ddt-ud-dev.iob2", "CC BY-SA 4.0");

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
    let mut train_set = Vec::new();
    let mut sources = Vec::new();
    for (file, licence) in TRAIN {
        let part = read(file)?;
        let names: usize = part.iter().map(|l| l.spans.len()).sum();
        sources.push(format!(
            "{file} ({licence}): {} sentences, {names} names",
            part.len()
        ));
        train_set.extend(part);
    }
    let dev = read(DEV.0)?;
    let datasheet = format!(
        "Candor person-name tagger (averaged structured perceptron, tags O/B-PER/I-PER).\n\
         Training data (../shared/data, \"train, ship\"):\n  {}\n\
         Epoch chosen on: {} ({}).\n\
         Credit: Universal NER (Mayhew et al. 2024), DaN+ (Plank et al. 2020), \
         GermEval 2014 (Benikova et al. 2014). CC BY-SA data: the model is shared alike.\n\
         Seed {}, {} epochs at most, 2^{} feature buckets.\n",
        sources.join("\n  "),
        DEV.0,
        DEV.1,
        config.seed,
        config.epochs,
        config.bits
    );
    let started = std::time::Instant::now();
    let (model, epochs) = train(&train_set, &dev, &config, &datasheet);
    for e in &epochs {
        println!(
            "epoch {:2}: dev exact P {:.3} R {:.3} F1 {:.3}",
            e.epoch,
            e.dev.precision(),
            e.dev.recall(),
            e.dev.f1()
        );
    }
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
