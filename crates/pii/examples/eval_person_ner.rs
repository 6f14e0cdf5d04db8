//! Person-name precision, recall and F1 of the default registry and of the shipped model
//! alone, on the held-out NER test splits (and the Dutch hand-written list).
//!
//! ```text
//! cargo run -p candor-pii --release --example eval_person_ner [-- --data ../shared/data]
//! ```
//!
//! "registry" scores every PERSON detection of `Registry::default()` by overlap (as
//! `candor eval pii` does); "model exact" scores `PersonModel::shipped()` by exact span.

use std::path::PathBuf;

use candor_core::EntityKind;
use candor_pii::Registry;
use candor_pii::eval::{Labelled, evaluate, from_marked};
use candor_pii::ner::{PersonModel, read_iob, score_spans};

const TESTS: &[(&str, &str)] = &[
    (
        "da: UNER DDT (DaNE) test",
        "uner-da-ddt/da_ddt-ud-test.iob2",
    ),
    (
        "de: GermEval 2014 test",
        "germeval2014-ner-de/NER-de-test.tsv",
    ),
    ("de: UNER PUD test", "uner-de-pud/de_pud-ud-test.iob2"),
    ("en: UNER EWT test", "uner-en-ewt/en_ewt-ud-test.iob2"),
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut data = root.join("../../../shared/data");
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        match (flag.as_str(), args.next()) {
            ("--data", Some(v)) => data = v.into(),
            _ => return Err(format!("usage: [--data DIR], got {flag}").into()),
        }
    }
    let mut sets: Vec<(String, Vec<Labelled>)> = Vec::new();
    for (name, file) in TESTS {
        let path = data.join(file);
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        sets.push((name.to_string(), read_iob(&text)?));
    }
    let dutch = std::fs::read_to_string(root.join("tests/fixtures/nl_names.txt"))?;
    sets.push((
        "nl: hand-written names (no training data)".into(),
        dutch
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(|l| from_marked(l, EntityKind::Person))
            .collect(),
    ));
    let registry = Registry::default();
    let others: Vec<EntityKind> = EntityKind::ALL
        .iter()
        .copied()
        .filter(|k| *k != EntityKind::Person)
        .collect();
    println!(
        "| test set | sentences | names | registry P | R | F1 | model exact P | R | F1 | sentences/s |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for (name, set) in &sets {
        let names: usize = set.iter().map(|l| l.spans.len()).sum();
        let started = std::time::Instant::now();
        let report = evaluate(&registry, set, &others);
        let rate = set.len() as f64 / started.elapsed().as_secs_f64();
        let r = report
            .per_kind
            .get(&EntityKind::Person)
            .copied()
            .unwrap_or_default();
        let m = score_spans(PersonModel::shipped(), set);
        println!(
            "| {name} | {} | {names} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {rate:.0} |",
            set.len(),
            r.precision(),
            r.recall(),
            r.f1(),
            m.precision(),
            m.recall(),
            m.f1()
        );
    }
    Ok(())
}
