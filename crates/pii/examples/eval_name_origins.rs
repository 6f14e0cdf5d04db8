//! Are names of every origin masked equally well? Scores every pair of a hand-written full
//! name (`tests/fixtures/name_origins.txt`, about 20 per origin) and a customer-service
//! template (`tests/fixtures/name_origin_templates.txt`, 8 per language in da, nl, de, en)
//! with `Registry::default()`, and prints Markdown tables.
//!
//! ```text
//! cargo run -p candor-pii --release --example eval_name_origins
//! ```
//!
//! "masked": every non-space character of the name lies inside some detection (of any kind),
//! so nothing of it reaches a model. "PERSON": some `PERSON` detection overlaps the name.
//! "false PERSON": `PERSON` detections elsewhere in the message (the templates hold no other
//! names).

use std::collections::BTreeMap;

use candor_pii::Registry;
use candor_pii::eval::{
    OriginScore, OriginTemplate, read_origin_names, read_origin_templates, score_origin,
};

const LANGS: [&str; 4] = ["da", "nl", "de", "en"];

#[derive(Default, Clone, Copy)]
struct Tally {
    pairs: usize,
    masked: usize,
    person: usize,
    false_persons: usize,
}

impl Tally {
    fn add(&mut self, s: OriginScore) {
        self.pairs += 1;
        self.masked += usize::from(s.masked);
        self.person += usize::from(s.person);
        self.false_persons += s.false_persons;
    }
    fn masked(&self) -> f64 {
        self.masked as f64 / self.pairs.max(1) as f64
    }
    fn person(&self) -> f64 {
        self.person as f64 / self.pairs.max(1) as f64
    }
}

fn pct(x: f64) -> String {
    format!("{:.1}", 100.0 * x)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let names = read_origin_names(include_str!("../tests/fixtures/name_origins.txt"))?;
    let templates: Vec<OriginTemplate> =
        read_origin_templates(include_str!("../tests/fixtures/name_origin_templates.txt"))?;
    let kinds: Vec<String> = templates.iter().fold(Vec::new(), |mut v, t| {
        if !v.contains(&t.kind) {
            v.push(t.kind.clone());
        }
        v
    });
    let mut origins: Vec<String> = Vec::new();
    for n in &names {
        if !origins.contains(&n.origin) {
            origins.push(n.origin.clone());
        }
    }
    let registry = Registry::default();
    // (origin, lang or "", kind or "") → tally.
    let mut tally: BTreeMap<(String, String, String), Tally> = BTreeMap::new();
    let mut total = Tally::default();
    for n in &names {
        for t in &templates {
            let s = score_origin(&registry, t, &n.name);
            for key in [
                (n.origin.clone(), String::new(), String::new()),
                (n.origin.clone(), t.lang.clone(), String::new()),
                (n.origin.clone(), String::new(), t.kind.clone()),
                (String::new(), t.lang.clone(), t.kind.clone()),
                (String::new(), t.lang.clone(), String::new()),
            ] {
                tally.entry(key).or_default().add(s);
            }
            total.add(s);
        }
    }
    let get = |o: &str, l: &str, k: &str| {
        tally
            .get(&(o.to_owned(), l.to_owned(), k.to_owned()))
            .copied()
            .unwrap_or_default()
    };
    println!(
        "{} names of {} origins × {} templates = {} messages\n",
        names.len(),
        origins.len(),
        templates.len(),
        total.pairs
    );
    println!("### Fully masked (%) by origin and message language\n");
    println!("| origin | names | da | nl | de | en | all | PERSON (all) | false PERSON |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for o in &origins {
        let all = get(o, "", "");
        let count = names.iter().filter(|n| &n.origin == o).count();
        let by_lang: Vec<String> = LANGS.iter().map(|l| pct(get(o, l, "").masked())).collect();
        println!(
            "| {o} | {count} | {} | {} | {} | {} |",
            by_lang.join(" | "),
            pct(all.masked()),
            pct(all.person()),
            all.false_persons
        );
    }
    let by_lang: Vec<String> = LANGS.iter().map(|l| pct(get("", l, "").masked())).collect();
    println!(
        "| **all** | {} | {} | {} | {} | {} |\n",
        names.len(),
        by_lang.join(" | "),
        pct(total.masked()),
        pct(total.person()),
        total.false_persons
    );
    let rate = |o: &String| get(o, "", "").masked();
    let best = origins.iter().max_by(|a, b| rate(a).total_cmp(&rate(b)));
    let worst = origins.iter().min_by(|a, b| rate(a).total_cmp(&rate(b)));
    if let (Some(best), Some(worst)) = (best, worst) {
        println!(
            "Spread of fully masked, best − worst origin: {best} {} − {worst} {} = {} points\n",
            pct(rate(best)),
            pct(rate(worst)),
            pct(rate(best) - rate(worst))
        );
    }
    println!("### Fully masked (%) by origin and template kind (all four languages)\n");
    println!("| origin | {} |", kinds.join(" | "));
    println!("|---|{}", "---|".repeat(kinds.len()));
    for o in &origins {
        let row: Vec<String> = kinds.iter().map(|k| pct(get(o, "", k).masked())).collect();
        println!("| {o} | {} |", row.join(" | "));
    }
    println!("\n### Fully masked (%) / false PERSON by language and template kind (all origins)\n");
    println!("| lang | {} |", kinds.join(" | "));
    println!("|---|{}", "---|".repeat(kinds.len()));
    for l in LANGS {
        let row: Vec<String> = kinds
            .iter()
            .map(|k| {
                let t = get("", l, k);
                format!("{} / {}", pct(t.masked()), t.false_persons)
            })
            .collect();
        println!("| {l} | {} |", row.join(" | "));
    }
    Ok(())
}
