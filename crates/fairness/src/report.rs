//! Fairness reports as JSON, Markdown and a self-contained HTML page.
//!
//! The HTML page has no scripts and no external resources: charts are inline SVG written here,
//! and every piece of text is escaped, because probe texts and group names come from users.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use crate::audit::{BalanceReport, GroupAuditReport};
use crate::runner::ProbeReport;
use crate::timeline::{Series, Timeline};

/// Everything one fairness audit found; any part may be absent.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct FairnessReport {
    /// Counterfactual probing.
    pub probe: Option<ProbeReport>,
    /// Group audit of logged decisions.
    pub audit: Option<GroupAuditReport>,
    /// Training-data balance.
    pub balance: Option<BalanceReport>,
}

impl FairnessReport {
    /// `{"summary": [..], "probe": .., "audit": .., "balance": ..}`; NaN becomes `null`.
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Doc<'a> {
            summary: Vec<String>,
            #[serde(flatten)]
            report: &'a FairnessReport,
        }
        let doc = Doc {
            summary: self.summary(),
            report: self,
        };
        // Serialising plain structs of strings and numbers to a String cannot fail.
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    }

    /// Plain-language findings a supervisor can read, one sentence each.
    pub fn summary(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(p) = &self.probe {
            out.push(format!(
                "Across {} variants of {} probe messages, {} changed at least one decision ({}).",
                thousands(p.variants),
                thousands(p.probes),
                times(p.flips.any),
                percent(share(p.flips.any, p.variants)),
            ));
            for (attr, s) in &p.per_attribute {
                out.push(format!(
                    "Changing only {} ({} variants) changed the route {}, the priority {}, the intent {} and whether the bot answered {}.",
                    describe(attr),
                    thousands(s.variants),
                    times(s.flips.route),
                    times(s.flips.priority),
                    times(s.flips.intent),
                    times(s.flips.bot),
                ));
            }
            if p.priority_score_shift.measured > 0 {
                out.push(format!(
                    "The priority score moved by {:.3} on average and by at most {:.3}.",
                    p.priority_score_shift.mean_abs, p.priority_score_shift.max_abs
                ));
            }
        }
        if let Some(a) = &self.audit {
            out.push(format!(
                "The group audit covered {} decisions grouped by {}; {} exceeded the limits.",
                thousands(a.rows),
                a.attributes.keys().cloned().collect::<Vec<_>>().join(", "),
                match a.alerts.len() {
                    0 => "no disparity".to_owned(),
                    1 => "1 disparity".to_owned(),
                    n => format!("{n} disparities"),
                },
            ));
            out.push(limits_sentence(&a.config));
            for al in &a.alerts {
                let value = |v: f64| {
                    if al.outcome == "minutes_to_person" {
                        format!("{v:.1} minutes")
                    } else {
                        percent(v)
                    }
                };
                let what = if al.outcome == "priority_band" {
                    format!("priority band {}", al.class)
                } else {
                    al.outcome.replace('_', " ")
                };
                out.push(format!(
                    "By {}: {} is {} for {} but {} for {}.",
                    al.attribute,
                    what,
                    value(al.highest_value),
                    al.highest_group,
                    value(al.lowest_value),
                    al.lowest_group
                ));
            }
        }
        if let Some(b) = &self.balance {
            out.push(format!(
                "Training data: {} of {} label-by-language cells have fewer than {} examples.",
                b.warnings.len(),
                b.cells.len(),
                b.min_cell
            ));
        }
        out
    }

    /// A Markdown report: summary, flip tables, alerts, worst cases.
    pub fn to_markdown(&self) -> String {
        let mut md = String::from("# Fairness report\n\n## Summary\n\n");
        for s in self.summary() {
            let _ = writeln!(md, "- {}", md_cell(&s));
        }
        if let Some(p) = &self.probe {
            md.push_str("\n## Counterfactual probes\n\n| slice | variants | route | priority | intent | bot | mean score shift | max score shift |\n|---|---|---|---|---|---|---|---|\n");
            let slices = p
                .per_language
                .iter()
                .map(|(k, v)| (format!("language {k}"), v))
                .chain(
                    p.per_attribute
                        .iter()
                        .map(|(k, v)| (format!("changed {k}"), v)),
                );
            for (name, s) in slices {
                let r = &s.flip_rate;
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} | {} | {} | {:.3} | {:.3} |",
                    md_cell(&name),
                    s.variants,
                    percent(r.route),
                    percent(r.priority),
                    percent(r.intent),
                    percent(r.bot),
                    s.priority_score_shift.mean_abs,
                    s.priority_score_shift.max_abs
                );
            }
            if !p.cases.is_empty() {
                md.push_str("\n### Worst cases\n\n| changed | value (group) | flipped | baseline | variant |\n|---|---|---|---|---|\n");
                for c in &p.cases {
                    let _ = writeln!(
                        md,
                        "| {} | {} ({}) | {} | {} → {} | {} → {} |",
                        c.attribute.as_str(),
                        md_cell(&c.value),
                        md_cell(&c.group),
                        c.flipped.join(", "),
                        md_cell(&c.baseline_text),
                        md_cell(&c.baseline.route),
                        md_cell(&c.variant_text),
                        md_cell(&c.variant.route)
                    );
                }
            }
        }
        if let Some(a) = &self.audit {
            md.push_str("\n## Group audit\n\n| attribute | outcome | class | lowest | highest | violations |\n|---|---|---|---|---|---|\n");
            for al in &a.alerts {
                let v: Vec<String> = al
                    .violations
                    .iter()
                    .map(|v| format!("{} {:.3} (limit {})", v.metric, v.value, v.limit))
                    .collect();
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} {:.3} | {} {:.3} | {} |",
                    md_cell(&al.attribute),
                    al.outcome,
                    md_cell(&al.class),
                    md_cell(&al.lowest_group),
                    al.lowest_value,
                    md_cell(&al.highest_group),
                    al.highest_value,
                    v.join("; ")
                );
            }
        }
        md
    }

    /// A self-contained HTML page with inline SVG charts.
    pub fn to_html(&self) -> String {
        let mut h = String::from(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Fairness report</title>\n<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}svg{display:block;margin:1rem 0}</style></head><body>\n<h1>Fairness report</h1>\n<h2>Summary</h2><ul>\n",
        );
        for s in self.summary() {
            let _ = writeln!(h, "<li>{}</li>", esc(&s));
        }
        h.push_str("</ul>\n");
        if let Some(p) = &self.probe {
            h.push_str("<h2>Counterfactual probes</h2>\n<p>Share of variants in which any decision changed, by what was changed.</p>\n");
            let bars: Vec<(String, f64)> = p
                .per_attribute
                .iter()
                .map(|(k, s)| (k.clone(), share(s.flips.any, s.variants)))
                .collect();
            h.push_str(&bar_chart(&bars, None));
            if !p.cases.is_empty() {
                h.push_str("<h3>Worst cases</h3><table><tr><th>changed</th><th>value (group)</th><th>flipped</th><th>baseline</th><th>variant</th></tr>\n");
                for c in &p.cases {
                    let _ = writeln!(
                        h,
                        "<tr><td>{}</td><td>{} ({})</td><td>{}</td><td>{}<br><b>{}</b></td><td>{}<br><b>{}</b></td></tr>",
                        c.attribute.as_str(),
                        esc(&c.value),
                        esc(&c.group),
                        c.flipped.join(", "),
                        esc(&c.baseline_text),
                        esc(&c.baseline.route),
                        esc(&c.variant_text),
                        esc(&c.variant.route)
                    );
                }
                h.push_str("</table>\n");
            }
        }
        if let Some(a) = &self.audit {
            h.push_str("<h2>Group audit</h2>\n");
            let _ = writeln!(
                h,
                "<p>Rate per group; the dashed line is the lowest rate the limits allow ({} of the highest rate).</p>",
                esc(&percent(a.config.min_ratio))
            );
            for (attr, audit) in &a.attributes {
                for (outcome, m) in &audit.outcomes {
                    for (class, c) in &m.classes {
                        if outcome != "priority_band" && class != "true" {
                            continue;
                        }
                        let title = if outcome == "priority_band" {
                            format!("{outcome} = {class} by {attr}")
                        } else {
                            format!("{outcome} by {attr}")
                        };
                        let bars: Vec<(String, f64)> = c
                            .by_group
                            .iter()
                            .map(|(g, r)| (g.clone(), r.selection_rate))
                            .collect();
                        let max = bars.iter().map(|b| b.1).fold(0.0, f64::max);
                        let _ = writeln!(h, "<h3>{}</h3>", esc(&title));
                        h.push_str(&bar_chart(&bars, Some(a.config.min_ratio * max)));
                        let small: Vec<String> = m
                            .groups
                            .iter()
                            .filter(|g| g.too_small)
                            .map(|g| format!("{} ({})", g.group, g.count))
                            .collect();
                        if !small.is_empty() {
                            let _ = writeln!(
                                h,
                                "<p>Too small to judge: {}.</p>",
                                esc(&small.join(", "))
                            );
                        }
                    }
                }
            }
        }
        if let Some(t) = self.audit.as_ref().and_then(|a| a.timeline.as_ref()) {
            let _ = writeln!(
                h,
                "<h2>Over time</h2>\n<p>Each outcome per group and {} (UTC). A gap is a {} in which the group had fewer than {} decisions: too few to judge, so not drawn.</p>",
                t.bucket, t.bucket, t.min_group_size
            );
            for (metric, attributes) in &t.metrics {
                for (attr, groups) in attributes.iter().filter(|(_, g)| !g.is_empty()) {
                    let title = format!("{} by {attr}, per {}", metric_name(metric), t.bucket);
                    let _ = writeln!(h, "<h3>{}</h3>", esc(&title));
                    h.push_str(&line_chart(t, metric, attr, groups));
                }
            }
        }
        h.push_str("</body></html>\n");
        h
    }
}

/// Colours for the groups' lines, told apart also by the legend's order.
const PALETTE: [&str; 8] = [
    "#4a7ab5", "#d9822b", "#3a9b5b", "#c33b3b", "#8a63b8", "#7f6a4d", "#d16aa8", "#6f6f6f",
];

/// A line chart of one outcome per group over the timeline's buckets: one line per group,
/// broken where the group was too small to judge, with axes, their titles and a legend.
fn line_chart(t: &Timeline, metric: &str, attr: &str, groups: &BTreeMap<String, Series>) -> String {
    const LEFT: f64 = 64.0;
    const TOP: f64 = 12.0;
    const PLOT_W: f64 = 440.0;
    const PLOT_H: f64 = 180.0;
    const LEGEND_W: f64 = 200.0;
    let minutes = metric == "minutes_to_person";
    let top_value = if minutes {
        let m = groups
            .values()
            .flat_map(|s| s.values.iter().flatten())
            .fold(0.0_f64, |a, b| a.max(*b));
        nice_ceiling(m)
    } else {
        1.0
    };
    let n = t.starts_ms.len();
    let x = |i: usize| {
        if n <= 1 {
            LEFT + PLOT_W / 2.0
        } else {
            LEFT + PLOT_W * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: f64| TOP + PLOT_H * (1.0 - (v / top_value).clamp(0.0, 1.0));
    let legend_h = 18.0 * groups.len() as f64 + TOP;
    let height = (TOP + PLOT_H + 44.0).max(legend_h);
    let width = LEFT + PLOT_W + 24.0 + LEGEND_W;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" data-metric=\"{}\" data-attribute=\"{}\" width=\"{width}\" height=\"{height}\" role=\"img\">\n<title>{}</title>\n",
        esc(metric),
        esc(attr),
        esc(&format!(
            "{} by {attr}, per {}",
            metric_name(metric),
            t.bucket
        )),
    );
    let bottom = TOP + PLOT_H;
    for k in 0..=4 {
        let v = top_value * f64::from(k) / 4.0;
        let label = if minutes {
            format!("{v:.0}")
        } else {
            format!("{:.0}%", v * 100.0)
        };
        let _ = writeln!(
            s,
            "<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#e4e4e4\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"11\">{label}</text>",
            LEFT + PLOT_W,
            y(v),
            y(v),
            LEFT - 6.0,
            y(v) + 4.0
        );
    }
    let _ = writeln!(
        s,
        "<line x1=\"{LEFT}\" x2=\"{LEFT}\" y1=\"{TOP}\" y2=\"{bottom}\" stroke=\"#444\"/><line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{bottom}\" y2=\"{bottom}\" stroke=\"#444\"/>",
        LEFT + PLOT_W
    );
    let step = n.div_ceil(6).max(1);
    for (i, label) in t.labels.iter().enumerate() {
        if i % step == 0 || i + 1 == n {
            let _ = writeln!(
                s,
                "<line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{bottom}\" y2=\"{:.1}\" stroke=\"#444\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"10\">{}</text>",
                x(i),
                x(i),
                bottom + 4.0,
                x(i),
                bottom + 16.0,
                esc(label)
            );
        }
    }
    let x_title = if t.bucket == "week" {
        "week starting (UTC)"
    } else {
        "day (UTC)"
    };
    let y_title = if minutes {
        "mean minutes to a person"
    } else {
        "share of decisions"
    };
    let _ = writeln!(
        s,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"12\">{x_title}</text><text x=\"14\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"12\" transform=\"rotate(-90 14 {:.1})\">{y_title}</text>",
        LEFT + PLOT_W / 2.0,
        bottom + 36.0,
        TOP + PLOT_H / 2.0,
        TOP + PLOT_H / 2.0
    );
    for (k, (group, series)) in groups.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        let mut d = String::new();
        let mut pen_down = false;
        let mut dots = String::new();
        for (i, v) in series.values.iter().enumerate() {
            match v {
                Some(v) => {
                    let _ = write!(
                        d,
                        "{}{:.1} {:.1} ",
                        if pen_down { "L" } else { "M" },
                        x(i),
                        y(*v)
                    );
                    let _ = write!(
                        dots,
                        "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\" fill=\"{colour}\"/>",
                        x(i),
                        y(*v)
                    );
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        if !d.is_empty() {
            let _ = writeln!(
                s,
                "<path d=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>{dots}",
                d.trim_end()
            );
        }
        let ly = TOP + 18.0 * k as f64;
        let lx = LEFT + PLOT_W + 24.0;
        let judged = series.values.iter().any(Option::is_some);
        let _ = writeln!(
            s,
            "<rect x=\"{lx}\" y=\"{ly}\" width=\"12\" height=\"12\" fill=\"{colour}\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\">{}{}</text>",
            lx + 16.0,
            ly + 10.0,
            esc(group),
            if judged { "" } else { " (too few to judge)" }
        );
    }
    s.push_str("</svg>\n");
    s
}

/// The smallest 1, 2 or 5 times a power of ten that is at least `v` (1 for nothing to show).
fn nice_ceiling(v: f64) -> f64 {
    if !v.is_finite() || v <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|f| f * magnitude)
        .find(|c| *c >= v)
        .unwrap_or(10.0 * magnitude)
}

fn metric_name(metric: &str) -> String {
    match metric {
        "minutes_to_person" => "minutes to a person".to_owned(),
        "bot_answered" => "answered by the bot".to_owned(),
        other => other.replace('_', " "),
    }
}

/// A horizontal bar chart of values in [0, 1], with an optional dashed reference line.
fn bar_chart(bars: &[(String, f64)], line: Option<f64>) -> String {
    const LABEL: f64 = 160.0;
    const WIDTH: f64 = 360.0;
    const ROW: f64 = 22.0;
    let height = ROW * bars.len() as f64 + 10.0;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" role=\"img\">\n",
        LABEL + WIDTH + 70.0
    );
    for (i, (label, v)) in bars.iter().enumerate() {
        let y = ROW * i as f64 + 5.0;
        let w = (v.clamp(0.0, 1.0) * WIDTH).max(0.5);
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\">{}</text><rect x=\"{LABEL}\" y=\"{y}\" width=\"{w:.1}\" height=\"{}\" fill=\"#4a7ab5\"/><text x=\"{:.1}\" y=\"{}\" font-size=\"12\">{}</text>",
            LABEL - 6.0,
            y + 13.0,
            esc(label),
            ROW - 6.0,
            LABEL + w + 4.0,
            y + 13.0,
            percent(*v)
        );
    }
    if let Some(l) = line {
        let x = LABEL + l.clamp(0.0, 1.0) * WIDTH;
        let _ = writeln!(
            s,
            "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"0\" y2=\"{height}\" stroke=\"#c33\" stroke-dasharray=\"4 3\"/>"
        );
    }
    s.push_str("</svg>\n");
    s
}

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Keeps a value inside one Markdown table cell.
fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn describe(attr: &str) -> String {
    match attr {
        "name" => "the customer's name".into(),
        "place" => "the place and postcode".into(),
        "tenure" => "how long they said they had been a customer".into(),
        "formality" => "how formally they wrote".into(),
        "typo" => "one small spelling error".into(),
        other => format!("the {other}"),
    }
}

fn share(n: usize, d: usize) -> f64 {
    if d == 0 { 0.0 } else { n as f64 / d as f64 }
}

fn times(n: usize) -> String {
    match n {
        1 => "once".into(),
        n => format!("{} times", thousands(n)),
    }
}

fn percent(v: f64) -> String {
    if v.is_nan() {
        "n/a".into()
    } else {
        format!("{:.1}%", v * 100.0)
    }
}

/// The group audit's limits in words, so that a reader knows what "exceeded" means.
fn limits_sentence(c: &crate::audit::AuditConfig) -> String {
    format!(
        "Limits: a group's rate must be at least {} of the highest group's and within {} of \
         every other group's, and its mean wait for a person at most {:.2} times the shortest; \
         groups with fewer than {} decisions are not judged.",
        percent(c.min_ratio),
        match trim_number(c.max_difference * 100.0).as_str() {
            "1" => "1 percentage point".to_owned(),
            n => format!("{n} percentage points"),
        },
        if c.min_wait_ratio > 0.0 {
            1.0 / c.min_wait_ratio
        } else {
            f64::INFINITY
        },
        thousands(c.min_group_size),
    )
}

/// `10.0` -> `10`, `2.5` -> `2.5`.
fn trim_number(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// `1240` -> `1,240`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{AuditConfig, AuditRow, balance_check, group_audit};
    use crate::probe::{Probe, ProbeLists};
    use crate::runner::{ProbeOutcome, run_probes};
    use std::collections::BTreeMap;

    fn report() -> FairnessReport {
        let lists = ProbeLists::shipped().unwrap();
        let probes = vec![Probe {
            text: "<script>alert(1)</script> Where is my parcel? {name}".into(),
            lang: "en".into(),
        }];
        let probe = run_probes(&probes, &lists, 3, |v| -> Result<_, ()> {
            Ok(ProbeOutcome {
                route: if v.group == "south_asian" {
                    "human_queue"
                } else {
                    "bot"
                }
                .into(),
                intent: None,
                priority_score: None,
                priority_band: None,
                bot_answered: v.group != "south_asian",
            })
        })
        .unwrap();
        let rows: Vec<AuditRow> = (0..200)
            .map(|i| AuditRow {
                groups: BTreeMap::from([(
                    "region".into(),
                    if i % 2 == 0 { "<b>north</b>" } else { "south" }.into(),
                )]),
                escalated: i % 2 == 0 && i % 8 == 0 || i % 2 == 1 && i % 4 == 1,
                bot_answered: true,
                priority_band: None,
                minutes_to_person: None,
                overridden: false,
                at_ms: Some(i64::from(i) * 3_600_000),
            })
            .collect();
        FairnessReport {
            probe: Some(probe),
            audit: Some(group_audit(&rows, &AuditConfig::default())),
            balance: Some(balance_check(&[("a", "da", None), ("b", "da", None)], 2)),
        }
    }

    #[test]
    fn html_escapes_user_text() {
        let html = report().to_html();
        assert!(
            !html.contains("<script>") && html.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
        );
        assert!(!html.contains("<b>north</b>") && html.contains("&lt;b&gt;north&lt;/b&gt;"));
        assert!(html.contains("<svg") && html.contains("stroke-dasharray"));
        // Self-contained: nothing to fetch.
        assert!(!html.contains("src=") && !html.contains("<link") && !html.contains("<script"));
    }

    #[test]
    fn summary_names_the_flips_and_the_disparity() {
        let s = report().summary();
        assert!(s[0].starts_with("Across "), "{s:?}");
        let name = s.iter().find(|l| l.contains("customer's name")).unwrap();
        assert!(name.contains("changed the route 2 times"), "{name}");
        assert!(
            s.iter().any(|l| l
                .starts_with("By region: escalated is 50.0% for south but 25.0% for <b>north</b>")),
            "{s:?}"
        );
        assert!(
            s.iter()
                .any(|l| l.contains("2 of 2 label-by-language cells")),
            "{s:?}"
        );
    }

    #[test]
    fn json_and_markdown_carry_the_findings() {
        let r = report();
        let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        assert!(v["probe"]["flip_rate"]["route"].as_f64().unwrap() > 0.0);
        assert_eq!(v["audit"]["alerts"][0]["attribute"], "region");
        assert!(v["summary"].is_array());
        let md = r.to_markdown();
        assert!(md.contains("### Worst cases") && md.contains("| changed name |"));
        assert!(md.contains("| region | escalated | true |"));
    }

    /// Two regions over three days: north has 40 decisions a day, 20 of them escalated on
    /// day 0 and 10 afterwards; south has 40 on day 0 and only 5 (too few) on day 1.
    fn timed_audit() -> FairnessReport {
        use crate::timeline::{DAY_MS, TimelineConfig, timeline};
        let day0 = 20_000 * DAY_MS;
        let mut rows = Vec::new();
        let mut push = |day: i64, region: &str, n: usize, escalated: usize| {
            for i in 0..n {
                rows.push(AuditRow {
                    groups: BTreeMap::from([("region".to_owned(), region.to_owned())]),
                    escalated: i < escalated,
                    bot_answered: i >= escalated,
                    priority_band: None,
                    minutes_to_person: (i < escalated).then_some(4.0 * (day + 1) as f64),
                    overridden: false,
                    at_ms: Some(day0 + day * DAY_MS + i as i64),
                });
            }
        };
        push(0, "north", 40, 20);
        push(1, "north", 40, 10);
        push(2, "north", 40, 10);
        push(0, "<south>", 40, 10);
        push(1, "<south>", 5, 5);
        let config = AuditConfig {
            min_group_size: 10,
            ..AuditConfig::default()
        };
        let mut audit = group_audit(&rows, &config);
        audit.timeline = Some(timeline(
            &rows,
            &TimelineConfig {
                from_ms: day0,
                to_ms: day0 + 3 * DAY_MS - 1,
                min_group_size: 10,
            },
        ));
        FairnessReport {
            audit: Some(audit),
            ..FairnessReport::default()
        }
    }

    #[test]
    fn the_limits_judged_by_are_in_every_format() {
        let mut report = timed_audit();
        let audit = report.audit.as_mut().unwrap();
        audit.config.min_ratio = 0.9;
        audit.config.max_difference = 0.05;
        audit.config.min_wait_ratio = 0.5;
        let sentence = report
            .summary()
            .into_iter()
            .find(|s| s.starts_with("Limits:"))
            .expect("a limits sentence");
        assert!(
            sentence.contains("at least 90.0% of the highest"),
            "{sentence}"
        );
        assert!(
            sentence.contains("within 5 percentage points"),
            "{sentence}"
        );
        assert!(
            sentence.contains("at most 2.00 times the shortest"),
            "{sentence}"
        );
        assert!(sentence.contains("fewer than 10 decisions"), "{sentence}");
        assert!(report.to_markdown().contains("Limits:"));
        assert!(report.to_html().contains("(90.0% of the highest rate)"));
    }

    #[test]
    fn html_has_one_line_chart_per_metric_with_gaps_for_small_groups() {
        let html = timed_audit().to_html();
        assert_eq!(html.matches("<svg").count(), html.matches("</svg>").count());
        let charts: Vec<&str> = html
            .split("<svg")
            .skip(1)
            .filter(|c| c.contains("class=\"timeline\""))
            .collect();
        assert_eq!(charts.len(), crate::timeline::TIMELINE_METRICS.len());
        for metric in crate::timeline::TIMELINE_METRICS {
            let chart = charts
                .iter()
                .find(|c| c.contains(&format!("data-metric=\"{metric}\"")))
                .unwrap_or_else(|| panic!("no chart for {metric}"));
            assert!(chart.contains("day (UTC)"), "{chart}");
            assert!(chart.contains("&lt;south&gt;") && !chart.contains("<south>"));
            assert!(
                chart.contains(">north<"),
                "legend names every group: {chart}"
            );
            // North has three judged days: one unbroken line through three points.
            assert_eq!(chart.matches("<path").count(), 2, "{metric}: {chart}");
            assert_eq!(chart.matches("<circle").count(), 4, "{metric}: {chart}");
        }
        // Ticks label the days.
        assert!(html.contains("2024-10-04") && html.contains("2024-10-06"));
    }

    #[test]
    fn json_groups_the_series_under_timeline() {
        let v: serde_json::Value = serde_json::from_str(&timed_audit().to_json()).unwrap();
        let t = &v["audit"]["timeline"];
        assert_eq!(t["bucket"], "day");
        assert_eq!(
            t["labels"],
            serde_json::json!(["2024-10-04", "2024-10-05", "2024-10-06"])
        );
        assert_eq!(
            t["metrics"]["escalated"]["region"],
            serde_json::json!({
                "<south>": {"counts": [40, 5, 0], "values": [0.25, null, null]},
                "north": {"counts": [40, 40, 40], "values": [0.5, 0.25, 0.25]},
            })
        );
        assert_eq!(
            t["metrics"]["minutes_to_person"]["region"]["north"],
            serde_json::json!({"counts": [20, 10, 10], "values": [4.0, 8.0, 12.0]})
        );
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1240), "1,240");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
