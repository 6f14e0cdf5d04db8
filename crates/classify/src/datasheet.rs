//! What a model was trained on and how well it did: carried inside every model file.

use std::fmt::Write as _;

/// How many examples of one class the model saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassCount {
    /// The class label.
    pub label: String,
    /// Training examples.
    pub train: u64,
    /// Validation examples.
    pub valid: u64,
}

/// A training datasheet: source, licence, sizes, per-class counts and validation metrics.
///
/// It holds nothing that varies between two runs with the same data, configuration and seed
/// (no wall-clock durations), so that a model file can be reproduced byte for byte.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Datasheet {
    /// Where the training data came from (name, URL, version).
    pub source: String,
    /// The data's licence.
    pub licence: String,
    /// The date the model was trained, `YYYY-MM-DD`.
    pub created: String,
    /// The seed of every random choice in training.
    pub seed: u64,
    /// Training examples.
    pub train_rows: u64,
    /// Validation examples (early stopping and calibration).
    pub valid_rows: u64,
    /// Where the validation examples came from.
    pub validation: String,
    /// Per-class counts, in label order.
    pub classes: Vec<ClassCount>,
    /// Accuracy on the validation examples, after calibration (argmax, abstentions ignored).
    pub valid_accuracy: f64,
    /// Macro-averaged F1 on the validation examples.
    pub valid_macro_f1: f64,
    /// Mean negative log-likelihood on the validation examples after temperature scaling.
    pub valid_nll: f64,
    /// Expected calibration error (15 equal-width bins) on the validation examples after
    /// temperature scaling.
    pub valid_ece: f64,
    /// Epochs run before early stopping ended training.
    pub epochs_run: u32,
    /// The epoch whose weights were kept.
    pub best_epoch: u32,
    /// Training settings, as name and value.
    pub hyperparameters: Vec<(String, String)>,
}

impl Datasheet {
    /// The datasheet as a Markdown section.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let or_unknown = |s: &str| {
            if s.is_empty() {
                "(not stated)".to_owned()
            } else {
                s.to_owned()
            }
        };
        let _ = writeln!(out, "| | |\n|---|---|");
        let _ = writeln!(out, "| source | {} |", cell(&or_unknown(&self.source)));
        let _ = writeln!(out, "| licence | {} |", cell(&or_unknown(&self.licence)));
        let _ = writeln!(out, "| trained | {} |", cell(&self.created));
        let _ = writeln!(out, "| seed | {} |", self.seed);
        let _ = writeln!(
            out,
            "| examples | {} training, {} validation ({}) |",
            self.train_rows,
            self.valid_rows,
            cell(&self.validation)
        );
        let _ = writeln!(out, "| classes | {} |", self.classes.len());
        let _ = writeln!(
            out,
            "| epochs | {} run, weights of epoch {} kept |",
            self.epochs_run, self.best_epoch
        );
        let _ = writeln!(
            out,
            "| validation | accuracy {:.2}%, macro-F1 {:.2}%, NLL {:.4}, ECE {:.4} |",
            self.valid_accuracy * 100.0,
            self.valid_macro_f1 * 100.0,
            self.valid_nll,
            self.valid_ece
        );
        for (name, value) in &self.hyperparameters {
            let _ = writeln!(out, "| {} | {} |", cell(name), cell(value));
        }
        let _ = writeln!(out, "\n| class | training | validation |\n|---|---:|---:|");
        for c in &self.classes {
            let _ = writeln!(out, "| {} | {} | {} |", cell(&c.label), c.train, c.valid);
        }
        out
    }
}

/// Escapes a value for a Markdown table cell.
pub(crate) fn cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_names_every_class_and_escapes_pipes() {
        let sheet = Datasheet {
            source: "a|b".into(),
            classes: vec![
                ClassCount {
                    label: "x".into(),
                    train: 3,
                    valid: 1,
                },
                ClassCount {
                    label: "y?".into(),
                    train: 5,
                    valid: 2,
                },
            ],
            ..Datasheet::default()
        };
        let md = sheet.to_markdown();
        assert!(md.contains("| source | a\\|b |"), "{md}");
        assert!(md.contains("| licence | (not stated) |"));
        assert!(md.contains("| x | 3 | 1 |"));
        assert!(md.contains("| y? | 5 | 2 |"));
    }
}
