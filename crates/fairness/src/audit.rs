//! Group audits of logged decisions, and the training-data balance check.
//!
//! Groups come only from attributes the caller supplies (language, channel, tenure band,
//! region, ...): this module never infers ethnicity or any other attribute.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::metrics::{BootstrapConfig, GroupCount, GroupMetrics, MetricsConfig, group_metrics};
use crate::timeline::Timeline;

/// One logged decision with the groups it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRow {
    /// Attribute name -> group, e.g. `"region" -> "north"`. A row without an attribute is left
    /// out of that attribute's audit.
    pub groups: BTreeMap<String, String>,
    /// Went to a person after the bot or triage.
    pub escalated: bool,
    /// Answered by the bot.
    pub bot_answered: bool,
    /// Priority band, if assigned.
    pub priority_band: Option<String>,
    /// Minutes until a person picked it up, if one did.
    pub minutes_to_person: Option<f64>,
    /// A person overrode the decision.
    pub overridden: bool,
    /// When the decision was made, ms since the Unix epoch; rows without it are left out of the
    /// timeline.
    pub at_ms: Option<i64>,
}

/// Limits and sizes for [`group_audit`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditConfig {
    /// Groups with fewer rows are listed as too small and not judged.
    pub min_group_size: usize,
    /// Alert when a selection-rate ratio (min/max) is below this (the four-fifths rule).
    pub min_ratio: f64,
    /// Alert when a selection-rate difference (max - min) is above this.
    pub max_difference: f64,
    /// Alert when the ratio of the shortest to the longest mean minutes-to-person is below this.
    pub min_wait_ratio: f64,
    /// Confidence intervals; `None` skips them.
    pub bootstrap: Option<BootstrapConfig>,
}

impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig {
            min_group_size: 30,
            min_ratio: 0.8,
            max_difference: 0.1,
            min_wait_ratio: 0.8,
            bootstrap: None,
        }
    }
}

/// Mean minutes to a person per group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaitMetrics {
    /// Rows with a wait time, per group (including too-small groups).
    pub groups: Vec<GroupCount>,
    /// Mean minutes of each judged group.
    pub mean_by_group: BTreeMap<String, f64>,
    /// Longest minus shortest mean.
    pub difference: f64,
    /// Shortest over longest mean.
    pub ratio: f64,
}

/// The audit of one attribute.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttributeAudit {
    /// Rows carrying the attribute.
    pub rows: usize,
    /// Binary outcomes (`escalated`, `bot_answered`, `overridden`; class `true`) and
    /// `priority_band` (one-vs-rest per band).
    pub outcomes: BTreeMap<String, GroupMetrics>,
    /// Minutes to a person.
    pub minutes_to_person: Option<WaitMetrics>,
}

/// A limit that was exceeded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Violation {
    /// The metric, e.g. `demographic_parity_ratio`.
    pub metric: String,
    /// Its value.
    pub value: f64,
    /// The configured limit.
    pub limit: f64,
}

/// A disparity above the policy's limits, for one attribute, outcome and class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    /// The attribute, e.g. `region`.
    pub attribute: String,
    /// The outcome, e.g. `escalated`.
    pub outcome: String,
    /// The class (`true`, a priority band; empty for minutes).
    pub class: String,
    /// The group with the lowest value.
    pub lowest_group: String,
    /// Its value (a selection rate, or mean minutes).
    pub lowest_value: f64,
    /// The group with the highest value.
    pub highest_group: String,
    /// Its value.
    pub highest_value: f64,
    /// Every limit exceeded.
    pub violations: Vec<Violation>,
}

/// The result of [`group_audit`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupAuditReport {
    /// Rows audited.
    pub rows: usize,
    /// The limits used.
    pub config: AuditConfig,
    /// Per attribute.
    pub attributes: BTreeMap<String, AttributeAudit>,
    /// Disparities above the limits.
    pub alerts: Vec<Alert>,
    /// Outcomes per group over time, when the caller asked for them
    /// ([`crate::timeline::timeline`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Timeline>,
}

/// Reads one binary outcome of a row.
type Outcome = fn(&AuditRow) -> bool;

/// Audits outcomes per group for every attribute present in `rows`.
pub fn group_audit(rows: &[AuditRow], config: &AuditConfig) -> GroupAuditReport {
    let names: BTreeSet<&str> = rows
        .iter()
        .flat_map(|r| r.groups.keys().map(String::as_str))
        .collect();
    let mut attributes = BTreeMap::new();
    let mut alerts = Vec::new();
    let metrics_config = |positive: Option<&str>| MetricsConfig {
        min_group_size: config.min_group_size,
        positive_label: positive.map(str::to_owned),
        four_fifths_threshold: config.min_ratio,
        bootstrap: config.bootstrap.clone(),
    };
    for attr in names {
        let rows: Vec<(&str, &AuditRow)> = rows
            .iter()
            .filter_map(|r| Some((r.groups.get(attr)?.as_str(), r)))
            .collect();
        let groups: Vec<&str> = rows.iter().map(|(g, _)| *g).collect();
        let mut outcomes = BTreeMap::new();
        let binary: [(&str, Outcome); 3] = [
            ("escalated", |r| r.escalated),
            ("bot_answered", |r| r.bot_answered),
            ("overridden", |r| r.overridden),
        ];
        for (name, get) in binary {
            let pred: Vec<&str> = rows
                .iter()
                .map(|(_, r)| if get(r) { "true" } else { "false" })
                .collect();
            if let Ok(m) = group_metrics(None, &pred, &groups, &metrics_config(Some("true"))) {
                outcomes.insert(name.to_owned(), m);
            }
        }
        let banded: Vec<(&str, &str)> = rows
            .iter()
            .filter_map(|(g, r)| Some((*g, r.priority_band.as_deref()?)))
            .collect();
        let (band_groups, bands): (Vec<&str>, Vec<&str>) = banded.into_iter().unzip();
        // Empty input is the only failure left here, and means "no bands logged".
        if let Ok(m) = group_metrics(None, &bands, &band_groups, &metrics_config(None)) {
            outcomes.insert("priority_band".to_owned(), m);
        }
        for (outcome, m) in &outcomes {
            for (class, c) in &m.classes {
                let mut violations = Vec::new();
                let ratio = c.demographic_parity_ratio.value;
                if ratio < config.min_ratio {
                    violations.push(violation(
                        "demographic_parity_ratio",
                        ratio,
                        config.min_ratio,
                    ));
                }
                let diff = c.demographic_parity_difference.value;
                if diff > config.max_difference {
                    violations.push(violation(
                        "demographic_parity_difference",
                        diff,
                        config.max_difference,
                    ));
                }
                if !violations.is_empty() {
                    let rates: Vec<(&str, f64)> = c
                        .by_group
                        .iter()
                        .map(|(g, r)| (g.as_str(), r.selection_rate))
                        .collect();
                    alerts.push(alert(attr, outcome, class, &rates, violations));
                }
            }
        }
        let waits = wait_metrics(&rows, config);
        if let Some(w) = &waits
            && w.ratio < config.min_wait_ratio
        {
            let means: Vec<(&str, f64)> = w
                .mean_by_group
                .iter()
                .map(|(g, m)| (g.as_str(), *m))
                .collect();
            let v = vec![violation(
                "minutes_to_person_ratio",
                w.ratio,
                config.min_wait_ratio,
            )];
            alerts.push(alert(attr, "minutes_to_person", "", &means, v));
        }
        attributes.insert(
            attr.to_owned(),
            AttributeAudit {
                rows: rows.len(),
                outcomes,
                minutes_to_person: waits,
            },
        );
    }
    GroupAuditReport {
        rows: rows.len(),
        config: config.clone(),
        attributes,
        alerts,
        timeline: None,
    }
}

fn violation(metric: &str, value: f64, limit: f64) -> Violation {
    Violation {
        metric: metric.to_owned(),
        value,
        limit,
    }
}

fn alert(
    attr: &str,
    outcome: &str,
    class: &str,
    values: &[(&str, f64)],
    violations: Vec<Violation>,
) -> Alert {
    let lowest = values
        .iter()
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .copied()
        .unwrap_or(("", f64::NAN));
    let highest = values
        .iter()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .copied()
        .unwrap_or(("", f64::NAN));
    Alert {
        attribute: attr.to_owned(),
        outcome: outcome.to_owned(),
        class: class.to_owned(),
        lowest_group: lowest.0.to_owned(),
        lowest_value: lowest.1,
        highest_group: highest.0.to_owned(),
        highest_value: highest.1,
        violations,
    }
}

fn wait_metrics(rows: &[(&str, &AuditRow)], config: &AuditConfig) -> Option<WaitMetrics> {
    let mut per: BTreeMap<&str, (usize, f64)> = BTreeMap::new();
    for (g, r) in rows {
        if let Some(m) = r.minutes_to_person {
            let e = per.entry(g).or_default();
            e.0 += 1;
            e.1 += m;
        }
    }
    if per.is_empty() {
        return None;
    }
    let groups = per
        .iter()
        .map(|(g, (n, _))| GroupCount {
            group: (*g).to_owned(),
            count: *n,
            too_small: *n < config.min_group_size,
        })
        .collect();
    let mean_by_group: BTreeMap<String, f64> = per
        .iter()
        .filter(|(_, (n, _))| *n >= config.min_group_size)
        .map(|(g, (n, s))| ((*g).to_owned(), s / *n as f64))
        .collect();
    let means: Vec<f64> = mean_by_group.values().copied().collect();
    Some(WaitMetrics {
        groups,
        difference: crate::metrics::difference(&means),
        ratio: crate::metrics::ratio(&means),
        mean_by_group,
    })
}

/// A training-data cell: label x language (x group).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BalanceCell {
    /// The label.
    pub label: String,
    /// The language.
    pub language: String,
    /// The group, for label x language x group cells.
    pub group: Option<String>,
    /// Examples in the cell.
    pub count: usize,
}

/// The result of [`balance_check`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BalanceReport {
    /// Examples checked.
    pub rows: usize,
    /// The minimum per cell.
    pub min_cell: usize,
    /// Every cell of the cross product of seen labels, languages (and groups), empty ones too.
    pub cells: Vec<BalanceCell>,
    /// Cells below `min_cell`.
    pub warnings: Vec<BalanceCell>,
}

/// Counts training examples per label x language and, for rows with a group, per
/// label x language x group, and warns about cells below `min_cell`, including empty ones
/// (a label never seen in a language is the most important warning).
pub fn balance_check<S: AsRef<str>>(rows: &[(S, S, Option<S>)], min_cell: usize) -> BalanceReport {
    let mut counts: BTreeMap<(&str, &str, Option<&str>), usize> = BTreeMap::new();
    let (mut labels, mut langs, mut groups) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    for (label, lang, group) in rows {
        let (label, lang) = (label.as_ref(), lang.as_ref());
        labels.insert(label);
        langs.insert(lang);
        *counts.entry((label, lang, None)).or_default() += 1;
        if let Some(g) = group {
            groups.insert(g.as_ref());
            *counts.entry((label, lang, Some(g.as_ref()))).or_default() += 1;
        }
    }
    let mut cells = Vec::new();
    for &label in &labels {
        for &lang in &langs {
            for group in std::iter::once(None).chain(groups.iter().map(|g| Some(*g))) {
                cells.push(BalanceCell {
                    label: label.to_owned(),
                    language: lang.to_owned(),
                    group: group.map(str::to_owned),
                    count: counts.get(&(label, lang, group)).copied().unwrap_or(0),
                });
            }
        }
    }
    let warnings = cells
        .iter()
        .filter(|c| c.count < min_cell)
        .cloned()
        .collect();
    BalanceReport {
        rows: rows.len(),
        min_cell,
        cells,
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A synthetic log: regions north/south/east/west (100 rows each) and a tiny "island"
    /// region; north is escalated 40% of the time, every other region 10%. Every block of ten
    /// consecutive rows shares one language and has the same mix of everything else, so
    /// nothing else differs between regions or languages.
    fn planted_log() -> Vec<AuditRow> {
        let mut rows = Vec::new();
        for (region, n, escalated_per_10) in [
            ("north", 100, 4),
            ("south", 100, 1),
            ("east", 100, 1),
            ("west", 100, 1),
            ("island", 5, 1),
        ] {
            for i in 0..n {
                let escalated = i % 10 < escalated_per_10;
                rows.push(AuditRow {
                    groups: BTreeMap::from([
                        ("region".to_owned(), region.to_owned()),
                        (
                            "language".to_owned(),
                            ["da", "nl", "de", "en"][(i / 10) % 4].to_owned(),
                        ),
                    ]),
                    escalated,
                    bot_answered: i % 2 == 0,
                    priority_band: Some(["low", "normal", "high"][(i % 10) % 3].to_owned()),
                    minutes_to_person: Some(10.0 + (i % 5) as f64),
                    overridden: i % 10 == 0,
                    at_ms: None,
                });
            }
        }
        rows
    }

    #[test]
    fn a_planted_disparity_is_flagged_and_nothing_else() {
        let report = group_audit(&planted_log(), &AuditConfig::default());
        assert_eq!(report.alerts.len(), 1, "{:#?}", report.alerts);
        let a = &report.alerts[0];
        assert_eq!(
            (a.attribute.as_str(), a.outcome.as_str(), a.class.as_str()),
            ("region", "escalated", "true")
        );
        assert_eq!(
            (a.lowest_group.as_str(), a.highest_group.as_str()),
            ("east", "north")
        );
        let metrics: Vec<&str> = a.violations.iter().map(|v| v.metric.as_str()).collect();
        assert_eq!(
            metrics,
            ["demographic_parity_ratio", "demographic_parity_difference"]
        );
        assert!((a.violations[0].value - 0.25).abs() < 1e-12);
        let region = &report.attributes["region"].outcomes["escalated"];
        let island = region.groups.iter().find(|g| g.group == "island").unwrap();
        assert!(island.too_small && island.count == 5);
        assert!(!region.classes["true"].by_group.contains_key("island"));
        assert!(report.attributes.contains_key("language"));
    }

    #[test]
    fn longer_waits_for_one_group_alert() {
        let mut rows = planted_log();
        for r in rows.iter_mut().filter(|r| r.groups["language"] == "nl") {
            r.minutes_to_person = r.minutes_to_person.map(|m| m * 2.0);
        }
        let report = group_audit(&rows, &AuditConfig::default());
        let wait: Vec<&Alert> = report
            .alerts
            .iter()
            .filter(|a| a.outcome == "minutes_to_person")
            .collect();
        assert_eq!(wait.len(), 1);
        assert_eq!(
            (wait[0].attribute.as_str(), wait[0].highest_group.as_str()),
            ("language", "nl")
        );
    }

    #[test]
    fn balance_check_warns_about_thin_and_empty_cells() {
        let mut rows: Vec<(String, String, Option<String>)> = Vec::new();
        for _ in 0..50 {
            rows.push(("password".into(), "da".into(), Some("email".into())));
            rows.push(("password".into(), "en".into(), Some("chat".into())));
            rows.push(("invoice".into(), "en".into(), None));
        }
        rows.push(("invoice".into(), "da".into(), None));
        let r = balance_check(&rows, 20);
        assert_eq!(r.rows, 151);
        // 2 labels x 2 languages x (no group + 2 groups) cells.
        assert_eq!(r.cells.len(), 12);
        let warn = |label: &str, lang: &str, group: Option<&str>| {
            r.warnings
                .iter()
                .any(|c| c.label == label && c.language == lang && c.group.as_deref() == group)
        };
        assert!(warn("invoice", "da", None));
        assert!(warn("password", "da", Some("chat")));
        assert!(!warn("password", "da", None) && !warn("invoice", "en", None));
    }
}
