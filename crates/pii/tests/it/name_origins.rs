//! Names of every origin are masked: a floor under each origin's full-masking rate on the
//! hand-written names of `tests/fixtures/name_origins.txt` in the templates of
//! `tests/fixtures/name_origin_templates.txt` (the report is `examples/eval_name_origins.rs`).

use candor_pii::Registry;
use candor_pii::eval::{read_origin_names, read_origin_templates, score_origin};

/// The share of `kinds` messages (all four languages) that mask the whole name, per origin.
fn rates(kinds: &[&str]) -> Vec<(String, f64)> {
    let names = read_origin_names(include_str!("../fixtures/name_origins.txt")).unwrap();
    let templates =
        read_origin_templates(include_str!("../fixtures/name_origin_templates.txt")).unwrap();
    let templates: Vec<_> = templates
        .into_iter()
        .filter(|t| kinds.contains(&t.kind.as_str()))
        .collect();
    assert_eq!(
        templates.len(),
        4 * kinds.len(),
        "one of each kind per language"
    );
    let registry = Registry::default();
    let mut out: Vec<(String, usize, usize)> = Vec::new();
    for n in &names {
        let masked = templates
            .iter()
            .filter(|t| score_origin(&registry, t, &n.name).masked)
            .count();
        match out.iter_mut().find(|(o, _, _)| *o == n.origin) {
            Some(row) => {
                row.1 += masked;
                row.2 += templates.len();
            }
            None => out.push((n.origin.clone(), masked, templates.len())),
        }
    }
    assert!(out.len() >= 19, "origins: {}", out.len());
    out.into_iter()
        .map(|(o, masked, all)| (o, masked as f64 / all as f64))
        .collect()
}

/// Self-introductions and `Name:` fields mask at least 95% of every origin's names (the
/// measured rates, 2026-12-05); a floor of 90% lets two of 20 names slip before it fails.
#[test]
fn self_introductions_and_fields_mask_names_of_every_origin() {
    let low: Vec<_> = rates(&["intro", "field"])
        .into_iter()
        .filter(|(_, r)| *r < 0.90)
        .collect();
    assert!(low.is_empty(), "below the floor: {low:?}");
}

/// Lower-case self-introductions ("ik ben fatma arslan") mask 26–93% of an origin's names
/// (measured 2026-12-05; 0–5% for ten origins before a rare word after a self-introduction was
/// read as a name): the floor is 20%.
#[test]
fn lower_case_self_introductions_mask_names_of_every_origin() {
    let low: Vec<_> = rates(&["lower"])
        .into_iter()
        .filter(|(_, r)| *r < 0.20)
        .collect();
    assert!(low.is_empty(), "below the floor: {low:?}");
}
