//! The customer-service intent model by language, and xSID intent accuracy by language.
//!
//! ```sh
//! cargo run --release -p candor-classify --example eval_intent_languages -- \
//!     [--model FILE]... [--speed PASSES] [--xsid]
//! ```
//!
//! - Every `--model` (default `models/customer-service-intent.ctc`) is scored on the Bitext test
//!   split and on `data/intent/test/{da,nl,de,en}.tsv`: accuracy, macro-F1, abstentions.
//! - `--speed PASSES` times the first model's `predict`, one text at a time, over all those test
//!   texts, PASSES times (run it under `taskset -c 0` for one core).
//! - `--xsid` trains throwaway models on xSID's validation split (15 virtual-assistant intents,
//!   not customer service) with the default `candor train` settings, two ways: on the odd English
//!   items (1st, 3rd, …), scored on the even items of every language (what English-only training
//!   gives the other languages); and 5-fold by item within each language (items whose position
//!   modulo 5 is the fold are the test part), every item scored once.
//!
//! Paths are relative to the repository root; the data sets are read from `../shared/data`
//! (`CANDOR_DATA` overrides it).

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use candor_classify::{
    DataInfo, Evaluation, Example, IntentModel, TrainConfig, evaluate, read_examples, train,
};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const LANGS: [&str; 4] = ["da", "nl", "de", "en"];

struct Args {
    models: Vec<PathBuf>,
    speed: Option<usize>,
    xsid: bool,
}

fn parse_args() -> Result<Args> {
    let mut args = Args {
        models: Vec::new(),
        speed: None,
        xsid: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--model" => args
                .models
                .push(it.next().ok_or("--model needs a file")?.into()),
            "--speed" => {
                let n = it.next().ok_or("--speed needs a number of passes")?;
                args.speed = Some(n.parse().map_err(|e| format!("--speed {n}: {e}"))?);
            }
            "--xsid" => args.xsid = true,
            other => Err(format!(
                "unknown argument `{other}` (see the example's doc comment)"
            ))?,
        }
    }
    if args.models.is_empty() {
        args.models
            .push("models/customer-service-intent.ctc".into());
    }
    Ok(args)
}

fn main() -> Result<()> {
    let args = parse_args()?;
    let data =
        std::env::var_os("CANDOR_DATA").map_or_else(|| "../shared/data".into(), PathBuf::from);

    let mut sets = vec![(
        "Bitext test (en)".to_owned(),
        read_examples(
            &data.join(
                "bitext-customer-service-intent/Bitext_Sample_Customer_Service_Testing_Dataset.csv",
            ),
            "utterance",
            "intent",
        )?,
    )];
    for lang in LANGS {
        let path = Path::new("data/intent/test").join(format!("{lang}.tsv"));
        sets.push((
            format!("Candor test ({lang})"),
            read_examples(&path, "text", "label")?,
        ));
    }

    println!("| model | test set | messages | accuracy | macro-F1 | abstained |");
    println!("|---|---|---:|---:|---:|---:|");
    let mut first = None;
    for path in &args.models {
        let model =
            IntentModel::load(path).map_err(|e| format!("loading {}: {e}", path.display()))?;
        for (name, examples) in &sets {
            row(
                &path.display().to_string(),
                name,
                &evaluate(&model, examples),
            );
        }
        first.get_or_insert(model);
    }
    if let (Some(passes), Some(model)) = (args.speed, &first) {
        let texts: Vec<&str> = sets
            .iter()
            .flat_map(|(_, examples)| examples.iter().map(|e| e.text.as_str()))
            .collect();
        speed(model, &texts, passes);
    }
    if args.xsid {
        xsid(&data.join("xsid-valid"))?;
    }
    Ok(())
}

fn row(model: &str, set: &str, e: &Evaluation) {
    println!(
        "| {model} | {set} | {} | {:.2}% | {:.2}% | {} |",
        e.total(),
        e.accuracy() * 100.0,
        e.macro_f1() * 100.0,
        e.abstained()
    );
}

/// Times `predict` one text at a time, as a caller on the message path would call it.
fn speed(model: &IntentModel, texts: &[&str], passes: usize) {
    for t in texts {
        black_box(model.predict(black_box(t)));
    }
    let mut latencies: Vec<Duration> = Vec::with_capacity(passes * texts.len());
    let started = Instant::now();
    for _ in 0..passes {
        for t in texts {
            let s = Instant::now();
            black_box(model.predict(black_box(t)));
            latencies.push(s.elapsed());
        }
    }
    let total = started.elapsed();
    latencies.sort_unstable();
    let at =
        |p: f64| latencies[((latencies.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1e6;
    println!(
        "\npredict, one at a time: {} calls, {:.0} predictions/s; latency p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs; {} feature rows",
        latencies.len(),
        latencies.len() as f64 / total.as_secs_f64(),
        at(0.5),
        at(0.99),
        at(1.0),
        model.rows()
    );
}

/// xSID items of one language in file order: only the `# text =` line (the non-English files
/// also carry the English original in `# text-en =`, which must not leak in) and the intent.
fn read_xsid(path: &Path) -> Result<Vec<Example>> {
    let file =
        std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let mut items = Vec::new();
    for block in file.split("\n\n") {
        let field = |name: &str| {
            block
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .map(str::trim)
        };
        if let (Some(text), Some(intent)) = (field("# text = "), field("# intent = ")) {
            items.push(Example::new(text, intent));
        }
    }
    if items.is_empty() {
        return Err(format!("{}: no items", path.display()).into());
    }
    Ok(items)
}

fn fit(examples: &[Example]) -> Result<IntentModel> {
    Ok(train(
        examples,
        None,
        &TrainConfig::default(),
        &DataInfo::default(),
        &mut |_| {},
    )?)
}

fn xsid(dir: &Path) -> Result<()> {
    let mut items = Vec::new();
    for lang in LANGS {
        items.push((lang, read_xsid(&dir.join(format!("{lang}.valid.conll")))?));
    }
    // The file is grouped by source and intent, so halves by position would not share intents:
    // alternate items instead (1st, 3rd, … train; 2nd, 4th, … test).
    let english = &items
        .iter()
        .find(|(l, _)| *l == "en")
        .ok_or("no English")?
        .1;
    let odd: Vec<Example> = english.iter().step_by(2).cloned().collect();
    let model = fit(&odd)?;
    println!(
        "\nxSID, trained on the odd English items (1st, 3rd, …; {}), scored on the even items of each language:\n",
        odd.len()
    );
    println!("| model | test set | messages | accuracy | macro-F1 | abstained |");
    println!("|---|---|---:|---:|---:|---:|");
    for (lang, examples) in &items {
        let even: Vec<Example> = examples.iter().skip(1).step_by(2).cloned().collect();
        row("xSID en, odd items", lang, &evaluate(&model, &even));
    }

    println!("\nxSID, 5-fold by item within each language (every item scored once):\n");
    println!("| model | test set | messages | accuracy | macro-F1 | abstained |");
    println!("|---|---|---:|---:|---:|---:|");
    for (lang, examples) in &items {
        let mut pooled = Evaluation::new(&[]);
        for fold in 0..5 {
            let (test, training): (Vec<_>, Vec<_>) = examples
                .iter()
                .enumerate()
                .partition(|(i, _)| i % 5 == fold);
            let training: Vec<Example> = training.into_iter().map(|(_, e)| e.clone()).collect();
            let model = fit(&training)?;
            for (_, e) in test {
                let p = model.predict_top(&e.text, 1);
                pooled.add(&e.label, &p.top[0].0, p.abstained);
            }
        }
        row("xSID 5-fold", lang, &pooled);
    }
    Ok(())
}
