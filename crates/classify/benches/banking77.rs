//! Banking77: training time, test accuracy, and one-at-a-time prediction speed and latency.
//!
//! `taskset -c 0 cargo bench -p candor-classify --bench banking77` (release, one core).
//! Reads `train.csv` and `test.csv` from `BANKING77_DIR` (default: `../shared/data/banking77`
//! next to the repository). Trains with the default settings of `candor train --refit`
//! (early stopping on a stratified 10% holdout of the training set, then the same number of
//! epochs on the whole training set), scores the official test set, then times
//! `IntentModel::predict` on every test text, one call at a time, for `BENCH_PASSES` passes
//! (default 10). `BANKING77_FIXED`, `BANKING77_REFIT` and `BANKING77_VALID` change the
//! training settings (see `main`).

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use candor_classify::{DataInfo, TrainConfig, evaluate, read_examples, train};

/// Nanoseconds this thread has spent on a CPU (Linux), so that a loaded machine, where the
/// thread waits for a core, does not count against the classifier.
fn cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn main() {
    // `cargo test --all-targets` runs bench binaries without `--bench`: nothing to measure there.
    if !std::env::args().any(|a| a == "--bench") {
        println!("banking77: run with `cargo bench -p candor-classify --bench banking77`");
        return;
    }
    let dir = std::env::var_os("BANKING77_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/banking77"),
        PathBuf::from,
    );
    let passes: usize = std::env::var("BENCH_PASSES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let train_set =
        read_examples(&dir.join("train.csv"), "text", "category").unwrap_or_else(|e| panic!("{e}"));
    let test_set =
        read_examples(&dir.join("test.csv"), "text", "category").unwrap_or_else(|e| panic!("{e}"));

    // `BANKING77_FIXED=N`: exactly N epochs instead of early stopping (`--fixed-epochs
    // --epochs N`); `BANKING77_REFIT=0`: no refit; `BANKING77_VALID`: the holdout's share.
    let defaults = TrainConfig::default();
    let fixed: Option<u32> = std::env::var("BANKING77_FIXED")
        .ok()
        .and_then(|v| v.parse().ok());
    let config = TrainConfig {
        refit: std::env::var("BANKING77_REFIT").map_or(true, |v| v != "0"),
        fixed_epochs: fixed.is_some(),
        max_epochs: fixed.unwrap_or(defaults.max_epochs),
        valid_fraction: std::env::var("BANKING77_VALID")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(defaults.valid_fraction),
        ..defaults
    };
    let train_cpu = cpu_ns();
    let started = Instant::now();
    let model = train(&train_set, None, &config, &DataInfo::default(), &mut |_| {})
        .unwrap_or_else(|e| panic!("{e}"));
    let train_time = started.elapsed();
    let train_cpu = train_cpu
        .zip(cpu_ns())
        .map_or(f64::NAN, |(a, b)| (b - a) as f64 / 1e9);
    let sheet = model.datasheet();
    println!(
        "training: {:.2} s wall-clock, {:.2} s CPU ({} train / {} validation rows, {} epochs, best {}), {} feature rows, {} KiB file",
        train_time.as_secs_f64(),
        train_cpu,
        sheet.train_rows,
        sheet.valid_rows,
        sheet.epochs_run,
        sheet.best_epoch,
        model.rows(),
        model.to_bytes().len() / 1024
    );
    println!(
        "validation: accuracy {:.2}%, temperature {:.3}",
        sheet.valid_accuracy * 100.0,
        model.temperature()
    );
    let eval = evaluate(&model, &test_set);
    println!(
        "test: accuracy {:.2}%, macro-F1 {:.2}% ({} texts)",
        eval.accuracy() * 100.0,
        eval.macro_f1() * 100.0,
        eval.total()
    );

    // Warm up caches and the thread's scratch buffers.
    for e in &test_set {
        black_box(model.predict(black_box(&e.text)));
    }
    let mut latencies = Vec::with_capacity(passes * test_set.len());
    let cpu_started = cpu_ns();
    let started = Instant::now();
    for _ in 0..passes {
        for e in &test_set {
            let t = Instant::now();
            black_box(model.predict(black_box(&e.text)));
            latencies.push(t.elapsed());
        }
    }
    let total = started.elapsed();
    let cpu = cpu_started.zip(cpu_ns()).map(|(a, b)| (b - a) as f64 / 1e9);
    latencies.sort_unstable();
    let n = latencies.len();
    let mean_chars = test_set
        .iter()
        .map(|e| e.text.chars().count())
        .sum::<usize>() as f64
        / test_set.len() as f64;
    println!(
        "predict: {n} calls one at a time, {:.0} predictions/s; latency p50 {:.1} µs, p99 {:.1} µs, p99.9 {:.1} µs, max {:.1} µs (mean text {:.0} chars)",
        n as f64 / total.as_secs_f64(),
        percentile(&latencies, 0.50).as_secs_f64() * 1e6,
        percentile(&latencies, 0.99).as_secs_f64() * 1e6,
        percentile(&latencies, 0.999).as_secs_f64() * 1e6,
        latencies[n - 1].as_secs_f64() * 1e6,
        mean_chars
    );
    if let Some(cpu) = cpu {
        println!(
            "predict: {:.2} s on the CPU of {:.2} s elapsed: {:.0} predictions per CPU-second",
            cpu,
            total.as_secs_f64(),
            n as f64 / cpu
        );
    }
}
