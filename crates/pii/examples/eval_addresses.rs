//! Scores street-address recall on the development set `address_devset.py` writes: Faker
//! addresses of many locales in customer-service sentences (development data, never a test set).
//!
//! ```text
//! /tmp/fk/bin/python crates/pii/examples/address_devset.py > /tmp/addresses.jsonl
//! cargo run -p candor-pii --release --example eval_addresses -- /tmp/addresses.jsonl [--errors]
//! ```
//!
//! Prints, per locale and in all, the share of addresses a street-address detection overlaps
//! (recall) and the share left with some character unmasked by any detection (leaks, as
//! Presidio's leak rate counts them). `--errors` prints the misses and leaks.

use std::collections::BTreeMap;

use candor_core::{EntityKind, Span};
use candor_pii::{Registry, normalise};

#[derive(Default)]
struct Tally {
    texts: usize,
    found: usize,
    leaked: usize,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut errors = false;
    let mut path = None;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--errors" => errors = true,
            flag if flag.starts_with("--") => return Err(format!("unknown flag {flag}").into()),
            _ => path = Some(arg),
        }
    }
    let path = path.ok_or("usage: eval_addresses PATH.jsonl [--errors]")?;
    let registry = Registry::default();
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut all = Tally::default();
    for line in std::fs::read_to_string(&path)?.lines() {
        let item: serde_json::Value = serde_json::from_str(line)?;
        let text = item["text"].as_str().ok_or("text")?;
        let locale = item["locale"].as_str().ok_or("locale")?.to_owned();
        // Offsets are characters; spans are bytes.
        let mut bytes: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        bytes.push(text.len());
        let n = normalise(text);
        let found: Vec<(Span, EntityKind)> = registry
            .detect(&n.text)
            .into_iter()
            .map(|d| (n.map.to_original(d.span), d.kind))
            .collect();
        for s in item["spans"].as_array().ok_or("spans")? {
            let at = |i: usize| {
                s[i].as_u64()
                    .and_then(|v| bytes.get(v as usize).copied())
                    .ok_or("span outside its text")
            };
            let label = Span::new(at(0)?, at(1)?);
            let hit = found.iter().any(|(f, k)| {
                *k == EntityKind::StreetAddress && f.start < label.end && label.start < f.end
            });
            let masked = |i: usize| found.iter().any(|(f, _)| f.start <= i && i < f.end);
            let left: String = text[label.start..label.end]
                .char_indices()
                .map(|(i, c)| if masked(label.start + i) { '_' } else { c })
                .collect();
            let leak = left
                .chars()
                .any(|c| c != '_' && !c.is_whitespace() && c != ',');
            for t in [tallies.entry(locale.clone()).or_default(), &mut all] {
                t.texts += 1;
                t.found += usize::from(hit);
                t.leaked += usize::from(leak);
            }
            if errors && leak {
                let what = if hit { "LEAK" } else { "MISS" };
                let got: Vec<String> = found
                    .iter()
                    .map(|(f, k)| format!("{}:{}", k.as_str(), &text[f.start..f.end]))
                    .collect();
                println!(
                    "{what} {locale} «{}» got {:?}",
                    left.replace('\n', "⏎"),
                    got.join(" | ").replace('\n', "⏎")
                );
            }
        }
    }
    if errors {
        return Ok(());
    }
    println!("| locale | addresses | recall | leaked |\n|---|---|---|---|");
    let row = |name: &str, t: &Tally| {
        println!(
            "| {name} | {} | {:.3} | {:.1}% |",
            t.texts,
            t.found as f64 / t.texts.max(1) as f64,
            100.0 * t.leaked as f64 / t.texts.max(1) as f64
        );
    };
    for (locale, t) in &tallies {
        row(locale, t);
    }
    row("all", &all);
    Ok(())
}
