//! What the sentiment examples share: where the data is, and how they score.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// The data directory: `$CANDOR_DATA`, or `../shared/data` beside the repository.
pub(crate) fn data_dir() -> PathBuf {
    match std::env::var_os("CANDOR_DATA") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    }
}

/// The repository root.
#[allow(dead_code)]
pub(crate) fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Macro-F1 over the gold classes (classes that occur only as predictions count as errors in
/// the others' precision but get no F1 of their own), and accuracy, of `(gold, predicted)`
/// pairs.
#[allow(dead_code)]
pub(crate) fn scores<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> (f64, f64, usize) {
    let mut tp: BTreeMap<&str, u64> = BTreeMap::new();
    let mut gold_n: BTreeMap<&str, u64> = BTreeMap::new();
    let mut pred_n: BTreeMap<&str, u64> = BTreeMap::new();
    let (mut n, mut correct) = (0usize, 0usize);
    for (gold, predicted) in pairs {
        n += 1;
        *gold_n.entry(gold).or_default() += 1;
        *pred_n.entry(predicted).or_default() += 1;
        if gold == predicted {
            correct += 1;
            *tp.entry(gold).or_default() += 1;
        }
    }
    let f1s: Vec<f64> = gold_n
        .iter()
        .map(|(label, &support)| {
            let tp = tp.get(label).copied().unwrap_or(0) as f64;
            let predicted = pred_n.get(label).copied().unwrap_or(0) as f64;
            let (p, r) = (
                if predicted > 0.0 { tp / predicted } else { 0.0 },
                tp / support as f64,
            );
            if p + r > 0.0 {
                2.0 * p * r / (p + r)
            } else {
                0.0
            }
        })
        .collect();
    let macro_f1 = if f1s.is_empty() {
        0.0
    } else {
        f1s.iter().sum::<f64>() / f1s.len() as f64
    };
    let accuracy = if n == 0 {
        0.0
    } else {
        correct as f64 / n as f64
    };
    (macro_f1, accuracy, n)
}
