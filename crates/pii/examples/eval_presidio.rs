//! Scores the default registry on Presidio Research's synthetic PII sentences (evaluate only).
//!
//! ```text
//! cargo run -p candor-pii --release --example eval_presidio [-- [--errors [--person]] [PATH/synth_dataset_v2.json]]
//! ```
//!
//! The data set's types are mapped to Candor's kinds; types Candor does not detect (GPE,
//! ORGANIZATION, DATE_TIME, TITLE, AGE, NRP, US_SSN, US_DRIVER_LICENSE) are left out of the
//! labels, and `ZIP_CODE` counts as part of a street address.
//!
//! The sentences come from 209 templates, and sentences of one template differ only in their
//! fillers, so errors are looked at on one half of the templates (dev) and the other half is
//! held out: a template is in the dev half when the SplitMix64 hash of its `template_id` is
//! even. Scores are printed for dev, held-out and the whole set. `--errors` prints the
//! non-PERSON misses, false detections and partly unmasked values (`LEAK`, masked characters
//! shown as `_`) of the dev half (only of the dev half, so that rules are never fitted to
//! held-out sentences); with `--person` it prints the dev half's PERSON errors too.

use candor_core::{EntityKind, Span};
use candor_pii::corpora::kind_from_label;
use candor_pii::eval::{Labelled, Report, evaluate, unlabelled_kinds};
use candor_pii::{Registry, normalise};

/// SplitMix64's finaliser: a fixed, well-mixed hash, so that the split does not depend on
/// how the generator numbered its templates.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn is_dev(template_id: u64) -> bool {
    splitmix64(template_id).is_multiple_of(2)
}

fn print_report(title: &str, report: &Report, seconds: f64) {
    println!("\n#### {title}\n");
    println!("| kind | precision | recall | F1 | tp | fp | fn |");
    println!("|---|---|---|---|---|---|---|");
    let row = |name: &str, c: &candor_pii::eval::Counts| {
        println!(
            "| {name} | {:.3} | {:.3} | {:.3} | {} | {} | {} |",
            c.precision(),
            c.recall(),
            c.f1(),
            c.true_positives,
            c.false_positives,
            c.false_negatives
        );
    };
    for (k, c) in &report.per_kind {
        row(k.as_str(), c);
    }
    row("typed (micro)", &report.typed());
    let mut other = candor_pii::eval::Counts::default();
    for (k, c) in &report.per_kind {
        if *k != EntityKind::Person {
            other.true_positives += c.true_positives;
            other.false_positives += c.false_positives;
            other.false_negatives += c.false_negatives;
        }
    }
    row("all but PERSON (micro)", &other);
    println!(
        "\n{} texts; untyped recall {:.3}; leak rate {:.1}%; {:.0} texts/s",
        report.texts,
        report.untyped_recall,
        100.0 * report.leak_rate,
        report.texts as f64 / seconds
    );
}

/// The dev half's non-PERSON errors: labels no detection of their kind overlaps, and
/// detections that overlap no label of their kind.
fn print_errors(
    registry: &Registry,
    data: &[Labelled],
    unlabelled: &[EntityKind],
    with_person: bool,
) {
    let show = |text: &str, s: Span| text[s.start..s.end].replace('\n', "⏎");
    for item in data {
        let n = normalise(&item.text);
        let all: Vec<(Span, EntityKind)> = registry
            .detect(&n.text)
            .into_iter()
            .map(|d| (n.map.to_original(d.span), d.kind))
            .collect();
        let found: Vec<(Span, EntityKind)> = all
            .iter()
            .copied()
            .filter(|(_, k)| !unlabelled.contains(k))
            .collect();
        let overlaps = |a: Span, b: Span| a.start < b.end && b.start < a.end;
        for (l, k) in &item.spans {
            if *k == EntityKind::Person && !with_person {
                continue;
            }
            // Found, but some of it left unmasked (what the leak rate counts).
            let masked = |i: usize| all.iter().any(|(s, _)| s.start <= i && i < s.end);
            let left: String = item.text[l.start..l.end]
                .char_indices()
                .map(|(i, c)| if masked(l.start + i) { '_' } else { c })
                .collect();
            if found.iter().any(|(s, fk)| fk == k && overlaps(*s, *l))
                && left.chars().any(|c| c != '_' && !c.is_whitespace())
            {
                println!(
                    "LEAK {} «{}» in «{}»",
                    k.as_str(),
                    left.replace('\n', "⏎"),
                    item.text.replace('\n', "⏎")
                );
            }
            if !found.iter().any(|(s, fk)| fk == k && overlaps(*s, *l)) {
                let got: Vec<String> = found
                    .iter()
                    .filter(|(s, _)| overlaps(*s, *l))
                    .map(|(s, fk)| format!("{}:{}", fk.as_str(), show(&item.text, *s)))
                    .collect();
                println!(
                    "MISS {} «{}» got {:?} in «{}»",
                    k.as_str(),
                    show(&item.text, *l),
                    got,
                    item.text.replace('\n', "⏎")
                );
            }
        }
        for (s, k) in &found {
            if *k == EntityKind::Person && !with_person {
                continue;
            }
            if !item.spans.iter().any(|(l, lk)| lk == k && overlaps(*s, *l)) {
                println!(
                    "FP {} «{}» in «{}»",
                    k.as_str(),
                    show(&item.text, *s),
                    item.text.replace('\n', "⏎")
                );
            }
        }
    }
}

/// How many texts leak through a label of each kind: counts only, never the texts, so that
/// the held-out half can be summarised without its sentences being read.
fn print_leaks_by_kind(registry: &Registry, data: &[Labelled]) {
    let mut by_kind: std::collections::BTreeMap<&'static str, (usize, usize)> =
        std::collections::BTreeMap::new();
    for item in data {
        let n = normalise(&item.text);
        let masked: Vec<Span> = registry
            .detect(&n.text)
            .into_iter()
            .map(|d| n.map.to_original(d.span))
            .collect();
        let mut leaking_kinds = std::collections::BTreeSet::new();
        for (l, k) in &item.spans {
            let leaks = item.text[l.start..l.end].char_indices().any(|(i, c)| {
                !c.is_whitespace()
                    && !masked
                        .iter()
                        .any(|s| s.start <= l.start + i && l.start + i < s.end)
            });
            let untouched = !masked.iter().any(|s| s.start < l.end && l.start < s.end);
            let entry = by_kind.entry(k.as_str()).or_default();
            if leaks {
                leaking_kinds.insert(k.as_str());
                if untouched {
                    entry.1 += 1;
                }
            }
        }
        for k in leaking_kinds {
            by_kind.entry(k).or_default().0 += 1;
        }
    }
    for (k, (texts, untouched)) in by_kind {
        println!("texts leaking a {k} label: {texts} ({untouched} labels not touched at all)");
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut errors = false;
    let mut with_person = false;
    let mut path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/presidio-synth-pii-en/synth_dataset_v2.json"
    )
    .to_owned();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--errors" => errors = true,
            "--person" => with_person = true,
            flag if flag.starts_with("--") => return Err(format!("unknown flag {flag}").into()),
            _ => path = arg,
        }
    }
    let raw: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
    let (mut dev, mut held_out) = (Vec::new(), Vec::new());
    for item in raw.as_array().ok_or("expected a JSON array")? {
        let text = item["full_text"].as_str().ok_or("full_text")?.to_owned();
        let template = item["template_id"].as_u64().ok_or("template_id")?;
        // Positions are character offsets; spans here are byte offsets.
        let mut bytes: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        bytes.push(text.len());
        let mut spans = Vec::new();
        for s in item["spans"].as_array().ok_or("spans")? {
            let Some(k) = kind_from_label(s["entity_type"].as_str().unwrap_or_default()) else {
                continue;
            };
            let at = |key: &str| s[key].as_u64().and_then(|v| bytes.get(v as usize).copied());
            let (Some(start), Some(end)) = (at("start_position"), at("end_position")) else {
                return Err("span outside its text".into());
            };
            spans.push((Span::new(start, end), k));
        }
        let labelled = Labelled { text, spans };
        if is_dev(template) {
            dev.push(labelled);
        } else {
            held_out.push(labelled);
        }
    }
    let registry = Registry::default();
    // Candor detects kinds the set never labels (national IDs, dates of birth): those are not
    // counted as false positives. Taken from the whole set, so both halves ignore the same.
    let whole_labels: Vec<Labelled> = dev.iter().chain(&held_out).cloned().collect();
    let unlabelled = unlabelled_kinds(&whole_labels);
    if errors {
        print_errors(&registry, &dev, &unlabelled, with_person);
        return Ok(());
    }
    for (title, data) in [("dev", &dev), ("held-out", &held_out)] {
        let started = std::time::Instant::now();
        let report = evaluate(&registry, data, &unlabelled);
        print_report(title, &report, started.elapsed().as_secs_f64());
        print_leaks_by_kind(&registry, data);
    }
    let whole = whole_labels;
    let started = std::time::Instant::now();
    let report = evaluate(&registry, &whole, &unlabelled);
    print_report("whole", &report, started.elapsed().as_secs_f64());
    // The leak rate over the other kinds alone: names are another recogniser's work, and a
    // text leaks here only when some non-PERSON value in it is left unmasked.
    let without_names: Vec<Labelled> = whole
        .into_iter()
        .map(|mut l| {
            l.spans.retain(|(_, k)| *k != EntityKind::Person);
            l
        })
        .collect();
    let mut ignored = unlabelled.clone();
    ignored.push(EntityKind::Person);
    let report = evaluate(&registry, &without_names, &ignored);
    println!(
        "\nwhole, PERSON labels left out: untyped recall {:.3}; leak rate {:.1}%",
        report.untyped_recall,
        100.0 * report.leak_rate
    );
    Ok(())
}
