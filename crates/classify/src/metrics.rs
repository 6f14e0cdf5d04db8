//! Scoring a model on labelled examples: accuracy, macro-F1, per-class precision, recall and F1,
//! the most confused pairs, and how often the model abstained.

use std::collections::HashMap;

use crate::model::IntentModel;
use crate::train::Example;

/// Precision, recall and F1 of one class.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassScores {
    /// The class.
    pub label: String,
    /// Of the examples predicted as this class, the share that are.
    pub precision: f64,
    /// Of the examples of this class, the share predicted as it.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Examples of this class.
    pub support: u64,
}

/// How often gold label `gold` was predicted as `predicted`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confusion {
    /// The right label.
    pub gold: String,
    /// The label predicted instead.
    pub predicted: String,
    /// How often.
    pub count: u64,
}

/// Results of scoring a model on labelled examples. The prediction counted is the most likely
/// label, whether or not the model abstained; abstentions are counted separately.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    labels: Vec<String>,
    index: HashMap<String, usize>,
    /// `confusion[gold][predicted]`, grown as unknown gold labels appear.
    confusion: Vec<Vec<u64>>,
    total: u64,
    correct: u64,
    abstained: u64,
    answered_correct: u64,
}

/// The F1 of one class, 0 where precision and recall are both 0.
fn f1(precision: f64, recall: f64) -> f64 {
    if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Macro-F1 from per-class true positives, gold counts and prediction counts, over the classes
/// that occur as gold or as prediction (as scikit-learn does).
pub(crate) fn macro_f1_from(tp: &[u64], gold: &[u64], pred: &[u64]) -> f64 {
    let mut sum = 0.0;
    let mut n = 0;
    for i in 0..tp.len() {
        if gold[i] == 0 && pred[i] == 0 {
            continue;
        }
        sum += f1(ratio(tp[i], pred[i]), ratio(tp[i], gold[i]));
        n += 1;
    }
    if n == 0 { 0.0 } else { sum / f64::from(n) }
}

impl Evaluation {
    /// An empty evaluation over a model's labels.
    pub fn new(labels: &[String]) -> Evaluation {
        let n = labels.len();
        Evaluation {
            labels: labels.to_vec(),
            index: labels
                .iter()
                .enumerate()
                .map(|(i, l)| (l.clone(), i))
                .collect(),
            confusion: vec![vec![0; n]; n],
            total: 0,
            correct: 0,
            abstained: 0,
            answered_correct: 0,
        }
    }

    fn label_index(&mut self, label: &str) -> usize {
        if let Some(&i) = self.index.get(label) {
            return i;
        }
        let i = self.labels.len();
        self.labels.push(label.to_owned());
        self.index.insert(label.to_owned(), i);
        for row in &mut self.confusion {
            row.push(0);
        }
        self.confusion.push(vec![0; i + 1]);
        i
    }

    /// Counts one example: its gold label, the predicted label and whether the model abstained.
    pub fn add(&mut self, gold: &str, predicted: &str, abstained: bool) {
        let g = self.label_index(gold);
        let p = self.label_index(predicted);
        self.confusion[g][p] += 1;
        self.total += 1;
        if g == p {
            self.correct += 1;
        }
        if abstained {
            self.abstained += 1;
        } else if g == p {
            self.answered_correct += 1;
        }
    }

    /// Examples scored.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Share of examples whose most likely label is right.
    pub fn accuracy(&self) -> f64 {
        ratio(self.correct, self.total)
    }

    /// Examples on which the model abstained.
    pub fn abstained(&self) -> u64 {
        self.abstained
    }

    /// Share of examples on which the model did not abstain.
    pub fn coverage(&self) -> f64 {
        ratio(self.total - self.abstained, self.total)
    }

    /// Accuracy on the examples where the model did not abstain.
    pub fn answered_accuracy(&self) -> f64 {
        ratio(self.answered_correct, self.total - self.abstained)
    }

    /// Precision, recall, F1 and support of every label that occurs as gold or prediction, in
    /// the model's label order (labels unknown to the model last).
    pub fn per_class(&self) -> Vec<ClassScores> {
        let n = self.labels.len();
        (0..n)
            .filter_map(|i| {
                let tp = self.confusion[i][i];
                let support: u64 = self.confusion[i].iter().sum();
                let predicted: u64 = self.confusion.iter().map(|row| row[i]).sum();
                if support == 0 && predicted == 0 {
                    return None;
                }
                let precision = ratio(tp, predicted);
                let recall = ratio(tp, support);
                Some(ClassScores {
                    label: self.labels[i].clone(),
                    precision,
                    recall,
                    f1: f1(precision, recall),
                    support,
                })
            })
            .collect()
    }

    /// The mean F1 over the labels that occur as gold or prediction.
    pub fn macro_f1(&self) -> f64 {
        let per = self.per_class();
        if per.is_empty() {
            return 0.0;
        }
        per.iter().map(|c| c.f1).sum::<f64>() / per.len() as f64
    }

    /// The `k` most frequent confusions (gold ≠ predicted), most frequent first; ties in label
    /// order.
    pub fn most_confused(&self, k: usize) -> Vec<Confusion> {
        let mut pairs = Vec::new();
        for (g, row) in self.confusion.iter().enumerate() {
            for (p, &count) in row.iter().enumerate() {
                if g != p && count > 0 {
                    pairs.push((count, g, p));
                }
            }
        }
        pairs.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        pairs
            .into_iter()
            .take(k)
            .map(|(count, g, p)| Confusion {
                gold: self.labels[g].clone(),
                predicted: self.labels[p].clone(),
                count,
            })
            .collect()
    }
}

/// Scores `model` on `examples`.
pub fn evaluate(model: &IntentModel, examples: &[Example]) -> Evaluation {
    let mut eval = Evaluation::new(model.labels());
    for e in examples {
        let p = model.predict_top(&e.text, 1);
        eval.add(&e.label, &p.top[0].0, p.abstained);
    }
    eval
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_match_a_hand_computed_example() {
        let labels = vec!["a".to_owned(), "b".to_owned(), "c".to_owned()];
        let mut e = Evaluation::new(&labels);
        // gold a: a, a, b; gold b: b, a; gold c: (none); gold d (unknown): a
        e.add("a", "a", false);
        e.add("a", "a", true);
        e.add("a", "b", false);
        e.add("b", "b", false);
        e.add("b", "a", false);
        e.add("d", "a", false);
        assert_eq!(e.total(), 6);
        assert!((e.accuracy() - 3.0 / 6.0).abs() < 1e-12);
        assert_eq!(e.abstained(), 1);
        assert!((e.answered_accuracy() - 2.0 / 5.0).abs() < 1e-12);
        let per = e.per_class();
        let names: Vec<&str> = per.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(
            names,
            ["a", "b", "d"],
            "c never occurs, d is unknown to the model"
        );
        // a: tp 2, predicted 4, support 3.
        assert!((per[0].precision - 0.5).abs() < 1e-12);
        assert!((per[0].recall - 2.0 / 3.0).abs() < 1e-12);
        // b: tp 1, predicted 2, support 2 -> 0.5/0.5.
        assert!((per[1].f1 - 0.5).abs() < 1e-12);
        assert_eq!(per[2].f1, 0.0);
        let want = (f1(0.5, 2.0 / 3.0) + 0.5 + 0.0) / 3.0;
        assert!((e.macro_f1() - want).abs() < 1e-12);
        let confused = e.most_confused(2);
        assert_eq!(confused.len(), 2);
        assert_eq!(
            (confused[0].gold.as_str(), confused[0].predicted.as_str()),
            ("a", "b")
        );
        assert_eq!(
            (confused[1].gold.as_str(), confused[1].predicted.as_str()),
            ("b", "a")
        );
        let tp = [2, 1, 0, 0];
        let gold = [3, 2, 0, 1];
        let pred = [4, 2, 0, 0];
        assert!((macro_f1_from(&tp, &gold, &pred) - want).abs() < 1e-12);
    }
}
