//! Criterion benchmarks of the message path.
//!
//! - `cpu/*`: the stages that need no storage, over all forty sample messages per iteration
//!   (throughput is in messages).
//! - `process/*`: [`candor_pipeline::Pipeline::process`] end to end, one message per
//!   iteration, over a real SQLite store in a temporary directory, with `synchronous=NORMAL`
//!   and with `synchronous=FULL` (the server's default).
//!
//! The difference between the two groups is the cost of storage.
//!
//! `cargo bench -p candor-pipeline --bench pipeline`; percentiles come from the `latency`
//! bench beside this one. Results are written to `docs/BENCHMARKS.md` by hand.

use std::hint::black_box;
use std::time::Duration;

use candor_pii::{Registry, normalise, pseudonymise, without_tokens};
use candor_store::SqliteSync;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

mod common;

use common::{SAMPLES, cpu_stages, inbound, language_identifier, sqlite_pipeline};

/// The text the language stage sees in the pipeline: normalised, pseudonymised, tokens removed.
fn language_input(registry: &Registry, text: &str) -> String {
    let normalised = normalise(text);
    let detections = registry.detect(&normalised.text);
    let ordinals: Vec<u32> = (1..).take(detections.len()).collect();
    without_tokens(&pseudonymise(&normalised.text, &detections, &ordinals))
}

fn cpu(c: &mut Criterion) {
    let registry = Registry::default();
    let language = language_identifier();
    let texts: Vec<&str> = SAMPLES.iter().map(|(_, text)| *text).collect();
    let language_inputs: Vec<String> = texts
        .iter()
        .map(|text| language_input(&registry, text))
        .collect();

    let mut group = c.benchmark_group("cpu");
    group.throughput(Throughput::Elements(texts.len() as u64));

    group.bench_function("normalise", |b| {
        b.iter(|| {
            for text in &texts {
                black_box(normalise(black_box(text)));
            }
        });
    });

    group.bench_function("normalise+detect", |b| {
        b.iter(|| {
            for text in &texts {
                let normalised = normalise(black_box(text));
                black_box(registry.detect(&normalised.text));
            }
        });
    });

    group.bench_function("language_identify", |b| {
        b.iter(|| {
            for text in &language_inputs {
                black_box(language.identify(black_box(text)));
            }
        });
    });

    // Everything `process` does except storage; see `common::cpu_stages`.
    group.bench_function("all_cpu_stages", |b| {
        b.iter(|| {
            for text in &texts {
                black_box(cpu_stages(&registry, &language, black_box(text)));
            }
        });
    });

    group.finish();
}

fn process(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("build a tokio runtime");

    let mut group = c.benchmark_group("process");
    group.throughput(Throughput::Elements(1));

    for (name, sync) in [
        ("sqlite_normal", SqliteSync::Normal),
        ("sqlite_full", SqliteSync::Full),
    ] {
        let dir = tempfile::tempdir().expect("create a temporary directory");
        let pipeline = rt.block_on(sqlite_pipeline(dir.path(), sync));
        let mut i = 0usize;
        group.bench_function(name, |b| {
            b.iter(|| {
                i += 1;
                let outcome = rt
                    .block_on(pipeline.process(inbound(i)))
                    .expect("the message is processed");
                black_box(outcome)
            });
        });
        drop(pipeline);
        drop(dir);
    }

    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(50)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
}

criterion_group! {
    name = benches;
    config = config();
    targets = cpu, process
}
criterion_main!(benches);
