//! `candor train` and `candor eval`: Candor's intent classifier on your own labelled texts.
//!
//! `train` reads CSV (with a header), TSV (with a header) or JSON Lines by extension, trains
//! with early stopping on `--valid` or a stratified holdout, prints the validation accuracy of
//! every epoch, and writes a checksummed model file with its datasheet. `eval` scores a model
//! on labelled texts as Markdown or JSON.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use candor_classify::{
    ClassWeighting, DataInfo, Evaluation, Example, FeatureConfig, IntentModel, LanguageConfig,
    LanguageIdentifier, Progress, Scaling, TrainConfig, WeightEncoding, evaluate, read_examples,
};
use candor_fairness::{BalanceReport, balance_check};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Map, Value, json};

/// Class weighting in the loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Weighting {
    /// Every class counts the same in total, however rare.
    Balanced,
    /// Every example counts the same.
    None,
}

/// How a text's feature occurrences become feature values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FeatureScaling {
    /// Sublinear counts scaled to unit length.
    Sublinear,
    /// Sublinear counts times inverse document frequency, scaled to unit length (as TF-IDF).
    Tfidf,
    /// Sublinear counts, word features and character n-grams each scaled to unit length.
    SublinearByKind,
    /// Every occurrence 1/sqrt(occurrences): models of format version 1.
    Sqrt,
}

/// Weight precision in the model file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Precision {
    /// One byte per weight, one scale per feature row.
    Int8,
    /// Four bytes per weight.
    F32,
}

/// How `eval` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EvalFormat {
    /// Tables for people.
    Markdown,
    /// One JSON object.
    Json,
}

fn defaults() -> TrainConfig {
    TrainConfig::default()
}

/// `candor train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Labelled texts: .csv or .tsv with a header row, or .jsonl (one object per line).
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    /// The column (or JSON field) with the text.
    #[arg(long, value_name = "NAME")]
    pub text_col: String,
    /// The column (or JSON field) with the label.
    #[arg(long, value_name = "NAME")]
    pub label_col: String,
    /// Where to write the model.
    #[arg(long, value_name = "MODEL")]
    pub out: PathBuf,
    /// Validation texts with the same columns, for early stopping and calibration
    /// [default: a stratified holdout of --data, see --valid-fraction].
    #[arg(long, value_name = "FILE")]
    pub valid: Option<PathBuf>,
    /// Most epochs to train.
    #[arg(long, value_name = "N", default_value_t = defaults().max_epochs)]
    pub epochs: u32,
    /// Stop after this many epochs without a better validation accuracy.
    #[arg(long, value_name = "N", default_value_t = defaults().patience)]
    pub patience: u32,
    /// Examples per optimiser step.
    #[arg(long, value_name = "N", default_value_t = defaults().batch_size)]
    pub batch_size: u32,
    /// Adam's learning rate.
    #[arg(long, value_name = "RATE", default_value_t = defaults().learning_rate)]
    pub learning_rate: f32,
    /// Learning-rate decay: epoch E steps with RATE / (1 + DECAY · (E - 1)).
    #[arg(long, value_name = "DECAY", default_value_t = defaults().lr_decay)]
    pub lr_decay: f32,
    /// L2 penalty on the weights.
    #[arg(long, value_name = "LAMBDA", default_value_t = defaults().l2)]
    pub l2: f32,
    /// Hash features into 2^BITS buckets (10 to 24).
    #[arg(long, value_name = "BITS", default_value_t = defaults().features.bucket_bits)]
    pub buckets_bits: u8,
    /// Word n-grams from 1 up to N (1 to 3).
    #[arg(long, value_name = "N", default_value_t = defaults().features.word_ngrams)]
    pub word_ngrams: u8,
    /// Word pairs up to N tokens apart (0: none).
    #[arg(long, value_name = "N", default_value_t = defaults().features.skip_window)]
    pub word_pairs: u8,
    /// Shortest character n-gram inside words (0 with --char-max 0: none).
    #[arg(long, value_name = "N", default_value_t = defaults().features.char_min)]
    pub char_min: u8,
    /// Longest character n-gram inside words (at most 8).
    #[arg(long, value_name = "N", default_value_t = defaults().features.char_max)]
    pub char_max: u8,
    /// Keep digits as they are instead of folding them all to 0.
    #[arg(long)]
    pub keep_digits: bool,
    /// How feature occurrences become feature values.
    #[arg(long, value_enum, default_value_t = FeatureScaling::Sublinear)]
    pub scaling: FeatureScaling,
    /// Class weighting in the loss.
    #[arg(long, value_enum, default_value_t = Weighting::Balanced)]
    pub class_weighting: Weighting,
    /// After early stopping, train again on the training and validation examples together for
    /// the chosen number of epochs (more data; the temperature and validation scores stay those
    /// of the first run).
    #[arg(long)]
    pub refit: bool,
    /// No early stopping: train exactly --epochs epochs and keep the last weights (with
    /// --refit, the refit runs as many); the validation set then only calibrates and scores.
    #[arg(long)]
    pub fixed_epochs: bool,
    /// Share of each class held out for validation when --valid is not given.
    #[arg(long, value_name = "FRACTION", default_value_t = defaults().valid_fraction)]
    pub valid_fraction: f32,
    /// Seed of the holdout split and the example order; the same seed gives the same model.
    #[arg(long, value_name = "N", default_value_t = defaults().seed)]
    pub seed: u64,
    /// Abstain below this calibrated confidence.
    #[arg(long, value_name = "P", default_value_t = defaults().min_confidence)]
    pub min_confidence: f32,
    /// Weight precision in the model file.
    #[arg(long, value_enum, default_value_t = Precision::Int8)]
    pub weights: Precision,
    /// The data's source, for the datasheet [default: the --data path].
    #[arg(long, value_name = "TEXT")]
    pub source: Option<String>,
    /// The data's licence, for the datasheet.
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub licence: String,
    /// Also write the datasheet as Markdown to this file.
    #[arg(long, value_name = "FILE.md")]
    pub datasheet: Option<PathBuf>,
    /// The column (or JSON field) with each example's language, for the balance check
    /// [default: identified from the text among da, nl, de, en].
    #[arg(long, value_name = "NAME")]
    pub lang_col: Option<String>,
    /// The column (or JSON field) with each example's group (e.g. region or tenure band), for
    /// the balance check.
    #[arg(long, value_name = "NAME")]
    pub group_col: Option<String>,
    /// Warn about label x language (x group) cells with fewer examples than this.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub min_cell: usize,
}

/// `candor eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The model file.
    #[arg(long, value_name = "MODEL")]
    pub model: PathBuf,
    /// Labelled texts: .csv or .tsv with a header row, or .jsonl.
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    /// The column (or JSON field) with the text.
    #[arg(long, value_name = "NAME")]
    pub text_col: String,
    /// The column (or JSON field) with the label.
    #[arg(long, value_name = "NAME")]
    pub label_col: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = EvalFormat::Markdown)]
    pub format: EvalFormat,
    /// How many of the most confused label pairs to list.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub confused: usize,
}

/// Today's date (UTC), or the date of `SOURCE_DATE_EPOCH` when set, so that a scripted
/// training run can reproduce a model byte for byte.
fn training_date() -> anyhow::Result<String> {
    let secs = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => v
            .trim()
            .parse::<i64>()
            .with_context(|| format!("SOURCE_DATE_EPOCH is not a number of seconds: `{v}`"))?,
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64),
    };
    Ok(civil_date(secs.div_euclid(86_400)))
}

/// `YYYY-MM-DD` of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

fn bar() -> ProgressBar {
    if io::stderr().is_terminal() {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {msg} [{elapsed_precise}] {wide_bar} {pos}/{len} batches ({per_sec})",
            )
            .expect("valid progress template"),
        );
        bar
    } else {
        ProgressBar::hidden()
    }
}

/// `candor train`: trains, prints validation accuracy per epoch, and saves the model.
///
/// # Errors
///
/// When the data cannot be read, the settings are out of range, training cannot start, or the
/// model cannot be written.
pub fn train(args: &TrainArgs) -> anyhow::Result<()> {
    let config = TrainConfig {
        features: FeatureConfig {
            bucket_bits: args.buckets_bits,
            word_ngrams: args.word_ngrams,
            skip_window: args.word_pairs,
            char_min: args.char_min,
            char_max: args.char_max,
            fold_digits: !args.keep_digits,
            scaling: match args.scaling {
                FeatureScaling::Tfidf => Scaling::TfIdf,
                FeatureScaling::Sublinear => Scaling::Sublinear,
                FeatureScaling::SublinearByKind => Scaling::SublinearByKind,
                FeatureScaling::Sqrt => Scaling::SqrtCount,
            },
        },
        max_epochs: args.epochs,
        patience: args.patience,
        batch_size: args.batch_size,
        learning_rate: args.learning_rate,
        lr_decay: args.lr_decay,
        l2: args.l2,
        class_weighting: match args.class_weighting {
            Weighting::Balanced => ClassWeighting::Balanced,
            Weighting::None => ClassWeighting::None,
        },
        refit: args.refit,
        fixed_epochs: args.fixed_epochs,
        valid_fraction: args.valid_fraction,
        seed: args.seed,
        min_confidence: args.min_confidence,
        encoding: match args.weights {
            Precision::Int8 => WeightEncoding::Int8,
            Precision::F32 => WeightEncoding::F32,
        },
    };
    let started = Instant::now();
    let data = read_examples(&args.data, &args.text_col, &args.label_col)?;
    let valid = match &args.valid {
        Some(path) => Some(read_examples(path, &args.text_col, &args.label_col)?),
        None => None,
    };
    let info = DataInfo {
        source: args.source.clone().unwrap_or_else(|| file_name(&args.data)),
        licence: args.licence.clone(),
        created: training_date()?,
        validation: args
            .valid
            .as_deref()
            .map(|p| format!("the file {}", file_name(p)))
            .unwrap_or_default(),
    };
    let balance = balance(args, &data)?;
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "read {} examples from {}{}",
        data.len(),
        args.data.display(),
        match (&args.valid, &valid) {
            (Some(path), Some(v)) => format!(" and {} from {}", v.len(), path.display()),
            _ => String::new(),
        }
    )?;

    writeln!(
        out,
        "balance: {} label x language{} cells, {} with fewer than {} examples",
        balance.cells.len(),
        if args.group_col.is_some() {
            " (x group)"
        } else {
            ""
        },
        balance.warnings.len(),
        balance.min_cell
    )?;
    for w in &balance.warnings {
        eprintln!(
            "warning: under-represented: label `{}`, language `{}`{}: {} examples",
            w.label,
            w.language,
            w.group
                .as_ref()
                .map_or_else(String::new, |g| format!(", group `{g}`")),
            w.count
        );
    }

    let bar = bar();
    let mut failed: Option<io::Error> = None;
    let model = candor_classify::train(
        &data,
        valid.as_deref(),
        &config,
        &info,
        &mut |p| match p {
            Progress::Prepared {
                train,
                valid,
                rows,
                batches,
            } => {
                bar.set_length(*batches as u64);
                let line = format!(
                    "training on {train} examples, validating on {valid}; {rows} distinct features"
                );
                bar.suspend(|| {
                    if let Err(e) = writeln!(out, "{line}") {
                        failed.get_or_insert(e);
                    }
                });
            }
            Progress::Batch { epoch, done } => {
                if *done == 1 {
                    bar.reset();
                    bar.set_message(format!("epoch {epoch}"));
                }
                if bar.is_hidden() {
                    return;
                }
                bar.set_position(*done as u64);
            }
            Progress::Epoch(r) => {
                let line = format!(
                    "epoch {:>2}/{}: training loss {:.4}, validation accuracy {:.2}%, validation loss {:.4}{}",
                    r.epoch,
                    r.max_epochs,
                    r.train_loss,
                    r.valid_accuracy * 100.0,
                    r.valid_loss,
                    if r.best { " *" } else { "" }
                );
                bar.suspend(|| {
                    if let Err(e) = writeln!(out, "{line}").and_then(|()| out.flush()) {
                        failed.get_or_insert(e);
                    }
                });
            }
            Progress::Refit { examples, epochs } => {
                bar.set_message("refit");
                let line = format!(
                    "training again on all {examples} examples for {epochs} epochs (--refit)"
                );
                bar.suspend(|| {
                    if let Err(e) = writeln!(out, "{line}") {
                        failed.get_or_insert(e);
                    }
                });
            }
            Progress::RefitEpoch {
                epoch,
                epochs,
                train_loss,
            } => {
                let line =
                    format!("refit epoch {epoch:>2}/{epochs}: training loss {train_loss:.4}");
                bar.suspend(|| {
                    if let Err(e) = writeln!(out, "{line}").and_then(|()| out.flush()) {
                        failed.get_or_insert(e);
                    }
                });
            }
            _ => {}
        },
    )?;
    bar.finish_and_clear();
    if let Some(e) = failed {
        return Err(e).context("cannot write to standard output");
    }
    let digest = model.save(&args.out)?;
    let size = std::fs::metadata(&args.out)
        .with_context(|| format!("cannot read back {}", args.out.display()))?
        .len();
    let sheet = model.datasheet();
    writeln!(
        out,
        "kept epoch {} of {}; validation accuracy {:.2}%, macro-F1 {:.2}%, temperature {:.3}, ECE {:.4}",
        sheet.best_epoch,
        sheet.epochs_run,
        sheet.valid_accuracy * 100.0,
        sheet.valid_macro_f1 * 100.0,
        model.temperature(),
        sheet.valid_ece
    )?;
    writeln!(
        out,
        "wrote {} ({} labels, {} feature rows, {} bytes, sha256 {digest}) in {:.1} s",
        args.out.display(),
        model.labels().len(),
        model.rows(),
        size,
        started.elapsed().as_secs_f64()
    )?;
    if let Some(path) = &args.datasheet {
        let text = format!("{}\n{}", sheet.to_markdown(), balance_markdown(&balance));
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
        writeln!(out, "wrote the datasheet to {}", path.display())?;
    }
    Ok(())
}

/// Label x language (x group) counts of the training data (`candor_fairness::balance_check`).
/// Languages come from `--lang-col`, or are identified from each text ("unknown" when unsure).
fn balance(args: &TrainArgs, data: &[Example]) -> anyhow::Result<BalanceReport> {
    // Reading the label with the extra column keeps the rows aligned with `data`.
    let column = |col: &str| -> anyhow::Result<Vec<String>> {
        let rows = read_examples(&args.data, &args.label_col, col)
            .with_context(|| format!("reading column `{col}` for the balance check"))?;
        Ok(rows.into_iter().map(|r| r.label).collect())
    };
    let languages = match &args.lang_col {
        Some(col) => column(col)?,
        None => {
            let identifier = LanguageIdentifier::new(&LanguageConfig::default())
                .context("loading the language identifier")?;
            data.iter()
                .map(|e| {
                    identifier
                        .identify(&e.text)
                        .lang
                        .map_or_else(|| "unknown".to_owned(), |l| l.code().to_owned())
                })
                .collect()
        }
    };
    let groups = match &args.group_col {
        Some(col) => column(col)?.into_iter().map(Some).collect(),
        None => vec![None; data.len()],
    };
    let rows: Vec<(String, String, Option<String>)> = data
        .iter()
        .zip(languages)
        .zip(groups)
        .map(|((e, lang), group)| (e.label.clone(), lang, group))
        .collect();
    Ok(balance_check(&rows, args.min_cell))
}

fn balance_markdown(b: &BalanceReport) -> String {
    let mut out = format!(
        "## Balance\n\n{} examples; cells with fewer than {} examples are under-represented.\n\n| label | language | group | examples |\n|---|---|---|---:|\n",
        b.rows, b.min_cell
    );
    for c in &b.warnings {
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            c.label,
            c.language,
            c.group.as_deref().unwrap_or("all"),
            c.count
        ));
    }
    if b.warnings.is_empty() {
        out.push_str("| (none) | | | |\n");
    }
    out
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// `candor eval`: scores a model on labelled texts and prints the result.
///
/// # Errors
///
/// When the model or the data cannot be read.
pub fn eval(args: &EvalArgs) -> anyhow::Result<()> {
    let model = IntentModel::load(&args.model)?;
    let data = read_examples(&args.data, &args.text_col, &args.label_col)?;
    let evaluation = evaluate(&model, &data);
    let text = match args.format {
        EvalFormat::Json => {
            serde_json::to_string_pretty(&eval_json(&evaluation, args.confused))? + "\n"
        }
        EvalFormat::Markdown => eval_markdown(&evaluation, args),
    };
    io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .context("cannot write to standard output")?;
    Ok(())
}

/// The JSON shape of an evaluation: `accuracy`, `macro_f1`, `per_class`, `confused`, plus the
/// abstention counts.
pub fn eval_json(evaluation: &Evaluation, confused: usize) -> Value {
    let per_class: Map<String, Value> = evaluation
        .per_class()
        .into_iter()
        .map(|c| {
            (
                c.label,
                json!({
                    "precision": c.precision,
                    "recall": c.recall,
                    "f1": c.f1,
                    "support": c.support,
                }),
            )
        })
        .collect();
    let confused: Vec<Value> = evaluation
        .most_confused(confused)
        .into_iter()
        .map(|c| json!({"gold": c.gold, "predicted": c.predicted, "count": c.count}))
        .collect();
    json!({
        "examples": evaluation.total(),
        "accuracy": evaluation.accuracy(),
        "macro_f1": evaluation.macro_f1(),
        "abstained": evaluation.abstained(),
        "coverage": evaluation.coverage(),
        "answered_accuracy": evaluation.answered_accuracy(),
        "per_class": per_class,
        "confused": confused,
    })
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

fn eval_markdown(e: &Evaluation, args: &EvalArgs) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let pct = |x: f64| format!("{:.2}%", x * 100.0);
    let _ = writeln!(
        out,
        "## {} on {}\n",
        cell(&file_name(&args.model)),
        cell(&file_name(&args.data))
    );
    let _ = writeln!(
        out,
        "| examples | accuracy | macro-F1 | abstained | accuracy when answering |\n|---:|---:|---:|---:|---:|"
    );
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} ({}) | {} |\n",
        e.total(),
        pct(e.accuracy()),
        pct(e.macro_f1()),
        e.abstained(),
        pct(1.0 - e.coverage()),
        pct(e.answered_accuracy())
    );
    let _ = writeln!(
        out,
        "### Per class\n\n| class | precision | recall | F1 | support |\n|---|---:|---:|---:|---:|"
    );
    for c in e.per_class() {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            cell(&c.label),
            pct(c.precision),
            pct(c.recall),
            pct(c.f1),
            c.support
        );
    }
    let confused = e.most_confused(args.confused);
    let _ = writeln!(out, "\n### Most confused\n");
    if confused.is_empty() {
        let _ = writeln!(out, "No confusions.");
    } else {
        let _ = writeln!(out, "| gold | predicted | count |\n|---|---|---:|");
        for c in confused {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                cell(&c.gold),
                cell(&c.predicted),
                c.count
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(19_723), "2024-01-01");
        assert_eq!(civil_date(19_782), "2024-02-29");
        assert_eq!(civil_date(-1), "1969-12-31");
    }
}
