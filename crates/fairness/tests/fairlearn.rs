//! Candor's metrics against Fairlearn's, on the fixed vectors in `fixtures/fairlearn.json`
//! (produced by `fixtures/make_fixtures.py`; CI needs no Python).

use candor_fairness::{MetricsConfig, group_metrics};
use serde_json::Value;

const FIXTURES: &str = include_str!("fixtures/fairlearn.json");

fn num(v: &Value) -> f64 {
    match v {
        Value::String(s) if s == "NaN" => f64::NAN,
        other => other
            .as_f64()
            .unwrap_or_else(|| panic!("not a number: {other}")),
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

#[track_caller]
fn close(case: &str, what: &str, ours: f64, theirs: f64) {
    let ok = if theirs.is_nan() {
        ours.is_nan()
    } else {
        (ours - theirs).abs() <= 1e-9
    };
    assert!(ok, "{case}: {what}: candor {ours} vs fairlearn {theirs}");
}

#[test]
fn metrics_equal_fairlearn_on_fixtures() {
    let fixtures: Value = serde_json::from_str(FIXTURES).unwrap();
    let cases = fixtures["cases"].as_array().unwrap();
    assert!(cases.len() >= 6);
    let mut compared = 0;
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let input = &case["input"];
        let y_true = (!input["y_true"].is_null()).then(|| strings(&input["y_true"]));
        let y_pred = strings(&input["y_pred"]);
        let groups = strings(&input["groups"]);
        let config = MetricsConfig {
            min_group_size: input["min_group_size"].as_u64().unwrap() as usize,
            ..MetricsConfig::default()
        };
        let m = group_metrics(y_true.as_deref(), &y_pred, &groups, &config).unwrap();
        let expected = &case["expected"];
        let classes = expected["classes"].as_object().unwrap();
        assert_eq!(m.classes.len(), classes.len(), "{name}: classes");
        for (label, exp) in classes {
            let ours = &m.classes[label];
            let by_group = exp["by_group"].as_object().unwrap();
            assert_eq!(
                ours.by_group.len(),
                by_group.len(),
                "{name}/{label}: judged groups"
            );
            for (g, rates) in by_group {
                let r = &ours.by_group[g];
                let w = |m: &str| format!("{label}/{g}/{m}");
                close(name, &w("count"), r.count as f64, num(&rates["count"]));
                close(
                    name,
                    &w("selection_rate"),
                    r.selection_rate,
                    num(&rates["selection_rate"]),
                );
                if y_true.is_some() {
                    close(
                        name,
                        &w("tpr"),
                        r.true_positive_rate.unwrap(),
                        num(&rates["true_positive_rate"]),
                    );
                    close(
                        name,
                        &w("fpr"),
                        r.false_positive_rate.unwrap(),
                        num(&rates["false_positive_rate"]),
                    );
                    close(
                        name,
                        &w("fnr"),
                        r.false_negative_rate.unwrap(),
                        num(&rates["false_negative_rate"]),
                    );
                    close(
                        name,
                        &w("accuracy"),
                        r.accuracy.unwrap(),
                        num(&rates["accuracy"]),
                    );
                }
                compared += 1;
            }
            let w = |m: &str| format!("{label}/{m}");
            close(
                name,
                &w("dpd"),
                ours.demographic_parity_difference.value,
                num(&exp["demographic_parity_difference"]),
            );
            close(
                name,
                &w("dpr"),
                ours.demographic_parity_ratio.value,
                num(&exp["demographic_parity_ratio"]),
            );
            close(
                name,
                &w("four_fifths"),
                ours.disparate_impact.ratio,
                num(&exp["demographic_parity_ratio"]),
            );
            if y_true.is_some() {
                close(
                    name,
                    &w("eod"),
                    ours.equalized_odds_difference.unwrap().value,
                    num(&exp["equalized_odds_difference"]),
                );
                close(
                    name,
                    &w("eor"),
                    ours.equalized_odds_ratio.unwrap().value,
                    num(&exp["equalized_odds_ratio"]),
                );
                close(
                    name,
                    &w("eop"),
                    ours.equal_opportunity_difference.unwrap().value,
                    num(&exp["equal_opportunity_difference"]),
                );
            } else {
                assert!(ours.equalized_odds_difference.is_none());
            }
        }
        match (&m.accuracy, expected.get("accuracy")) {
            (Some(acc), Some(exp)) => {
                for (g, v) in exp["by_group"].as_object().unwrap() {
                    close(name, &format!("accuracy/{g}"), acc.by_group[g], num(v));
                }
                close(
                    name,
                    "accuracy difference",
                    acc.difference.value,
                    num(&exp["difference"]),
                );
                close(name, "accuracy ratio", acc.ratio.value, num(&exp["ratio"]));
            }
            (None, None) => {}
            _ => panic!("{name}: accuracy present on one side only"),
        }
    }
    assert!(compared > 20, "compared only {compared} group rows");
}

#[test]
fn fixture_edge_cases_are_the_ones_we_meant() {
    let fixtures: Value = serde_json::from_str(FIXTURES).unwrap();
    let case = |n: &str| {
        fixtures["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == n)
            .unwrap()
            .clone()
    };
    // A group with no positives: Fairlearn reports TPR 0 (not NaN).
    assert_eq!(
        num(
            &case("group_without_positives")["expected"]["classes"]["1"]["by_group"]["a"]["true_positive_rate"]
        ),
        0.0
    );
    // Nobody selected: the ratio is NaN.
    assert!(
        num(&case("no_selections")["expected"]["classes"]["1"]["demographic_parity_ratio"])
            .is_nan()
    );
    // The too-small group is absent from Fairlearn's (filtered) input and from ours.
    let m = &case("unbalanced_min_size")["expected"]["classes"]["1"]["by_group"];
    assert!(m.get("new").is_none() && m.get("long").is_some());
}
