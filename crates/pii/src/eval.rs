//! Scoring detections against labelled text: per-kind precision, recall and F1 with overlap
//! matching, and the leak rate (the share of texts holding personal data where some of it was
//! left unmasked).
//!
//! Every count is kept twice: by overlap (a detection counts when it overlaps a label of its
//! kind, as Presidio's evaluator does) and by exact span (start and end both match). Reading
//! data sets is in [`crate::corpora`]; this module takes texts with their labelled spans.

use std::collections::BTreeMap;

use candor_core::{EntityKind, Span};

use crate::{Registry, normalise};

mod origins;
pub use origins::{
    OriginName, OriginScore, OriginTemplate, fill, read_origin_names, read_origin_templates,
    score_origin,
};

/// One labelled text: spans are byte offsets into `text`.
#[derive(Debug, Clone)]
pub struct Labelled {
    /// The text as the customer wrote it.
    pub text: String,
    /// The personal data in it, with its kind.
    pub spans: Vec<(Span, EntityKind)>,
}

/// Counts for one kind, typed: a detection counts only if its kind is the label's kind.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counts {
    /// Detections of the kind that overlap a label of the kind.
    pub true_positives: usize,
    /// Detections of the kind that overlap no label of the kind.
    pub false_positives: usize,
    /// Labels of the kind that no detection of the kind overlaps.
    pub false_negatives: usize,
}

impl Counts {
    /// `tp / (tp + fp)`, 0 when nothing was detected.
    pub fn precision(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }
    /// `tp / (tp + fn)`, 0 when nothing was labelled.
    pub fn recall(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_negatives,
        )
    }
    /// The harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    fn add(&mut self, other: Counts) {
        self.true_positives += other.true_positives;
        self.false_positives += other.false_positives;
        self.false_negatives += other.false_negatives;
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// The result of [`evaluate`].
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Counts per labelled or detected kind, by overlap.
    pub per_kind: BTreeMap<EntityKind, Counts>,
    /// Counts per labelled or detected kind, by exact span.
    pub per_kind_exact: BTreeMap<EntityKind, Counts>,
    /// Labels overlapped by a detection of any kind, over all labels.
    pub untyped_recall: f64,
    /// Texts with a label that was not wholly masked (by detections of any kind), over the
    /// texts that hold a label.
    pub leak_rate: f64,
    /// How many texts were scored.
    pub texts: usize,
}

impl Report {
    /// The counts of every kind added up (micro-averaged).
    pub fn typed(&self) -> Counts {
        sum(&self.per_kind)
    }

    /// The exact-span counts of every kind added up (micro-averaged).
    pub fn typed_exact(&self) -> Counts {
        sum(&self.per_kind_exact)
    }
}

fn sum(per_kind: &BTreeMap<EntityKind, Counts>) -> Counts {
    let mut all = Counts::default();
    for c in per_kind.values() {
        all.add(*c);
    }
    all
}

/// The kinds no text of `data` labels: a data set that never labels, say, IBANs cannot say
/// whether an IBAN found in it is right, so such detections are best not counted as false
/// positives (pass the result as `ignored` to [`evaluate`]).
pub fn unlabelled_kinds(data: &[Labelled]) -> Vec<EntityKind> {
    let mut present = std::collections::BTreeSet::new();
    for item in data {
        present.extend(item.spans.iter().map(|(_, k)| *k));
    }
    EntityKind::ALL
        .iter()
        .copied()
        .filter(|k| !present.contains(k))
        .collect()
}

/// A labelled text from a line with its values marked as `[[…]]`, e.g.
/// `"Ik heb [[Jan de Vries]] gebeld"`: the brackets are removed, and every marked value is
/// labelled `kind`. An unclosed `[[` is kept as text.
pub fn from_marked(line: &str, kind: EntityKind) -> Labelled {
    let mut text = String::with_capacity(line.len());
    let mut spans = Vec::new();
    let mut rest = line;
    while let Some(open) = rest.find("[[") {
        let Some(close) = rest[open + 2..].find("]]") else {
            break;
        };
        text.push_str(&rest[..open]);
        let start = text.len();
        text.push_str(&rest[open + 2..open + 2 + close]);
        spans.push((Span::new(start, text.len()), kind));
        rest = &rest[open + 2 + close + 2..];
    }
    text.push_str(rest);
    Labelled { text, spans }
}

fn overlaps(a: Span, b: Span) -> bool {
    a.start < b.end && b.start < a.end
}

/// Runs `registry` on every text (through [`normalise`] and the offset map) and scores the
/// detections against the labels, by overlap. Detections of kinds in `ignored` (kinds the
/// data set does not label) are not counted as false positives.
pub fn evaluate(registry: &Registry, data: &[Labelled], ignored: &[EntityKind]) -> Report {
    let mut report = Report {
        texts: data.len(),
        ..Report::default()
    };
    let (mut labels, mut covered, mut with_pii, mut leaked) = (0usize, 0usize, 0usize, 0usize);
    for item in data {
        let n = normalise(&item.text);
        let found: Vec<(Span, EntityKind)> = registry
            .detect(&n.text)
            .into_iter()
            .map(|d| (n.map.to_original(d.span), d.kind))
            .collect();
        for (span, kind) in &found {
            if ignored.contains(kind) {
                continue;
            }
            let hit = item
                .spans
                .iter()
                .any(|(l, k)| k == kind && overlaps(*l, *span));
            let c = report.per_kind.entry(*kind).or_default();
            if hit {
                c.true_positives += 1;
            } else {
                c.false_positives += 1;
            }
            let exact = item.spans.iter().any(|(l, k)| k == kind && l == span);
            let c = report.per_kind_exact.entry(*kind).or_default();
            if exact {
                c.true_positives += 1;
            } else {
                c.false_positives += 1;
            }
        }
        let mut leaks = false;
        for (label, kind) in &item.spans {
            labels += 1;
            if found.iter().any(|(s, _)| overlaps(*s, *label)) {
                covered += 1;
            }
            if !found.iter().any(|(s, k)| k == kind && overlaps(*s, *label)) {
                report.per_kind.entry(*kind).or_default().false_negatives += 1;
            }
            if !found.iter().any(|(s, k)| k == kind && s == label) {
                report
                    .per_kind_exact
                    .entry(*kind)
                    .or_default()
                    .false_negatives += 1;
            }
            // A label leaks when any of its non-space bytes lies outside every detection.
            let masked = |i: usize| found.iter().any(|(s, _)| s.start <= i && i < s.end);
            leaks |= item.text[label.start..label.end]
                .char_indices()
                .any(|(i, c)| !c.is_whitespace() && !masked(label.start + i));
        }
        if !item.spans.is_empty() {
            with_pii += 1;
            leaked += usize::from(leaks);
        }
    }
    report.untyped_recall = ratio(covered, labels);
    report.leak_rate = ratio(leaked, with_pii);
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marked_lines_become_labelled_texts() {
        let l = from_marked(
            "Ik heb [[Jan de Vries]] en [[Eva]] gebeld [[x",
            EntityKind::Person,
        );
        assert_eq!(l.text, "Ik heb Jan de Vries en Eva gebeld [[x");
        let marked: Vec<&str> = l
            .spans
            .iter()
            .map(|(s, _)| &l.text[s.start..s.end])
            .collect();
        assert_eq!(marked, ["Jan de Vries", "Eva"]);
    }

    #[test]
    fn counts_typed_overlaps_and_leaks() {
        let text = "Mail ole@example.dk or call 22 33 44 55 about order 4411.".to_owned();
        let email = text.find("ole").unwrap();
        let phone = text.find("22 33").unwrap();
        let order = text.find("4411").unwrap();
        let data = vec![
            Labelled {
                text: text.clone(),
                spans: vec![
                    (Span::new(email, email + 14), EntityKind::Email),
                    // Labelled as an IBAN: the phone detection masks it but is the wrong kind.
                    (Span::new(phone, phone + 11), EntityKind::Iban),
                    (Span::new(order, order + 4), EntityKind::DkCpr),
                ],
            },
            Labelled {
                text: "Nothing here.".to_owned(),
                spans: vec![],
            },
        ];
        let report = evaluate(&Registry::default(), &data, &[]);
        assert_eq!(report.per_kind[&EntityKind::Email].true_positives, 1);
        assert_eq!(report.per_kind[&EntityKind::Phone].false_positives, 1);
        assert_eq!(report.per_kind[&EntityKind::Iban].false_negatives, 1);
        assert_eq!(report.per_kind[&EntityKind::DkCpr].false_negatives, 1);
        assert!((report.untyped_recall - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(report.leak_rate, 1.0, "the order number is left");
        let typed = report.typed();
        assert_eq!((typed.true_positives, typed.false_positives), (1, 1));
        assert_eq!(typed.false_negatives, 2);
        let (p, r) = (0.5, 1.0 / 3.0);
        assert!((typed.f1() - 2.0 * p * r / (p + r)).abs() < 1e-9);
        let exact = report.typed_exact();
        assert_eq!(exact.true_positives, 1, "the e-mail span matches exactly");
        assert_eq!(report.per_kind_exact[&EntityKind::Iban].false_negatives, 1);
    }

    #[test]
    fn exact_matching_needs_both_ends_and_unlabelled_kinds_are_derived() {
        let text = "Call +45 22 33 44 55 now".to_owned();
        let start = text.find("+45").unwrap();
        let data = vec![Labelled {
            text: text.clone(),
            // The label leaves out the country code: an overlap, not an exact match.
            spans: vec![(Span::new(start + 4, start + 15), EntityKind::Phone)],
        }];
        let report = evaluate(&Registry::default(), &data, &[]);
        assert_eq!(report.typed().true_positives, 1);
        assert_eq!(report.typed_exact().true_positives, 0);
        assert_eq!(report.typed_exact().false_positives, 1);
        assert_eq!(report.typed_exact().false_negatives, 1);
        let unlabelled = unlabelled_kinds(&data);
        assert!(!unlabelled.contains(&EntityKind::Phone));
        assert!(unlabelled.contains(&EntityKind::Email));
        assert_eq!(unlabelled.len(), EntityKind::ALL.len() - 1);
    }
}
