//! Latency percentiles of in-process [`candor_pipeline::Pipeline::process`], which criterion
//! (means and confidence intervals) does not give.
//!
//! Three lanes, each fed `CANDOR_BENCH_MESSAGES` messages (default 5,000) one after another
//! after a warm-up of 200:
//!
//! - `process`, SQLite `synchronous=NORMAL`, on a fresh store;
//! - `process`, SQLite `synchronous=FULL` (the server's default), on another fresh store;
//! - the CPU stages alone, without storage (`common::cpu_stages`);
//! - `process`, SQLite `synchronous=NORMAL`, with the sample knowledge base imported, fed
//!   `common::inbound_with_questions` (every other message a question it answers);
//! - the same stream on a pipeline without a knowledge base (those questions go to a person),
//!   the baseline for the lane before.
//!
//! The lanes take turns in blocks of 250 messages, so that noise from other work on the
//! machine falls on all of them alike and their ratios are fair. Prints p50/p90/p99/p99.9/max
//! and messages/s per lane, and each stage's p50/p99 for the `process` lanes.
//!
//! `cargo bench -p candor-pipeline --bench latency`

use std::time::{Duration, Instant};

use candor_pii::Registry;
use candor_pipeline::{Inbound, Pipeline, Stage};
use candor_store::SqliteSync;

mod common;

use common::{
    SAMPLES, cpu_stages, inbound, inbound_with_questions, language_identifier, percentile,
    sample_articles, sqlite_pipeline,
};

const WARM_UP: usize = 200;
const BLOCK: usize = 250;

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

/// What one lane measured.
#[derive(Default)]
struct Lane {
    /// Per message, end to end.
    total: Vec<Duration>,
    /// Per stage (in `Stage::ALL` order), per message; empty for the CPU-only lane.
    stages: Vec<Vec<Duration>>,
    /// Time spent in this lane's blocks.
    busy: Duration,
    /// Messages sent so far, warm-up included.
    sent: usize,
}

impl Lane {
    fn report(mut self, name: &str) {
        self.total.sort_unstable();
        let n = self.total.len();
        println!("== {name}: {n} messages, sequential, one at a time");
        println!(
            "   {:.0} messages/s   p50 {}   p90 {}   p99 {}   p99.9 {}   max {}",
            n as f64 / self.busy.as_secs_f64(),
            ms(percentile(&self.total, 50.0)),
            ms(percentile(&self.total, 90.0)),
            ms(percentile(&self.total, 99.0)),
            ms(percentile(&self.total, 99.9)),
            ms(*self.total.last().expect("at least one message")),
        );
        for (stage, mut took) in Stage::ALL.iter().zip(self.stages) {
            took.sort_unstable();
            let sum: Duration = took.iter().sum();
            println!(
                "   stage {:<13} p50 {}   p99 {}   share of the time {:>5.1}%",
                stage.as_str(),
                ms(percentile(&took, 50.0)),
                ms(percentile(&took, 99.0)),
                100.0 * sum.as_secs_f64() / self.busy.as_secs_f64(),
            );
        }
    }
}

/// Counts the bot's answers in a lane, to show that the knowledge-base lane takes that path.
#[derive(Default)]
struct Routes {
    bot_answers: usize,
    messages: usize,
}

fn process_block(
    rt: &tokio::runtime::Runtime,
    pipeline: &Pipeline,
    lane: &mut Lane,
    n: usize,
    message: fn(usize) -> Inbound,
    routes: &mut Routes,
) {
    if lane.stages.is_empty() {
        lane.stages = vec![Vec::new(); Stage::ALL.len()];
    }
    let block = Instant::now();
    for _ in 0..n {
        let t = Instant::now();
        let outcome = rt
            .block_on(pipeline.process(message(lane.sent)))
            .expect("the message is processed");
        lane.total.push(t.elapsed());
        routes.messages += 1;
        if outcome
            .decision
            .reply
            .as_ref()
            .is_some_and(|r| r.article_id.is_some())
        {
            routes.bot_answers += 1;
        }
        lane.sent += 1;
        for (stage, took) in outcome.timings.0 {
            let at = Stage::ALL
                .iter()
                .position(|s| *s == stage)
                .expect("a known stage");
            lane.stages[at].push(took);
        }
    }
    lane.busy += block.elapsed();
}

fn main() {
    let messages: usize = std::env::var("CANDOR_BENCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(5_000);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("build a tokio runtime");

    let normal_dir = tempfile::tempdir().expect("create a temporary directory");
    let full_dir = tempfile::tempdir().expect("create a temporary directory");
    let kb_dir = tempfile::tempdir().expect("create a temporary directory");
    let mixed_dir = tempfile::tempdir().expect("create a temporary directory");
    let normal = rt.block_on(sqlite_pipeline(normal_dir.path(), SqliteSync::Normal));
    let full = rt.block_on(sqlite_pipeline(full_dir.path(), SqliteSync::Full));
    let with_kb = rt.block_on(sqlite_pipeline(kb_dir.path(), SqliteSync::Normal));
    rt.block_on(with_kb.import_articles(&sample_articles(), Pipeline::now()))
        .expect("import the sample knowledge base");
    let without_kb = rt.block_on(sqlite_pipeline(mixed_dir.path(), SqliteSync::Normal));
    let registry = Registry::default();
    let language = language_identifier();

    let (mut normal_lane, mut full_lane, mut cpu_lane) =
        (Lane::default(), Lane::default(), Lane::default());
    let (mut kb_lane, mut mixed_lane) = (Lane::default(), Lane::default());
    let mut routes: [Routes; 4] = Default::default();
    let [normal_routes, full_routes, kb_routes, mixed_routes] = &mut routes;
    process_block(
        &rt,
        &normal,
        &mut normal_lane,
        WARM_UP,
        inbound,
        normal_routes,
    );
    process_block(&rt, &full, &mut full_lane, WARM_UP, inbound, full_routes);
    let q = inbound_with_questions;
    process_block(&rt, &with_kb, &mut kb_lane, WARM_UP, q, kb_routes);
    process_block(&rt, &without_kb, &mut mixed_lane, WARM_UP, q, mixed_routes);
    for i in 0..WARM_UP {
        cpu_stages(&registry, &language, SAMPLES[i % SAMPLES.len()].1);
    }
    for lane in [
        &mut normal_lane,
        &mut full_lane,
        &mut kb_lane,
        &mut mixed_lane,
    ] {
        *lane = Lane {
            sent: lane.sent,
            ..Lane::default()
        };
    }
    for r in routes.iter_mut() {
        *r = Routes::default();
    }
    let [normal_routes, full_routes, kb_routes, mixed_routes] = &mut routes;

    let mut left = messages;
    while left > 0 {
        let n = left.min(BLOCK);
        process_block(&rt, &normal, &mut normal_lane, n, inbound, normal_routes);
        process_block(&rt, &full, &mut full_lane, n, inbound, full_routes);
        process_block(&rt, &with_kb, &mut kb_lane, n, q, kb_routes);
        process_block(&rt, &without_kb, &mut mixed_lane, n, q, mixed_routes);
        let block = Instant::now();
        for _ in 0..n {
            let t = Instant::now();
            let text = SAMPLES[cpu_lane.sent % SAMPLES.len()].1;
            std::hint::black_box(cpu_stages(&registry, &language, text));
            cpu_lane.total.push(t.elapsed());
            cpu_lane.sent += 1;
        }
        cpu_lane.busy += block.elapsed();
        left -= n;
    }

    let rate = |lane: &Lane| lane.total.len() as f64 / lane.busy.as_secs_f64();
    let (normal_rate, full_rate) = (rate(&normal_lane), rate(&full_lane));
    let (kb_rate, mixed_rate) = (rate(&kb_lane), rate(&mixed_lane));
    let p50 = |lane: &mut Lane| {
        lane.total.sort_unstable();
        percentile(&lane.total, 50.0).as_secs_f64()
    };
    let p99 = |lane: &mut Lane| {
        lane.total.sort_unstable();
        percentile(&lane.total, 99.0).as_secs_f64()
    };
    let kb_ratios = (
        p50(&mut kb_lane) / p50(&mut mixed_lane),
        p99(&mut kb_lane) / p99(&mut mixed_lane),
        mixed_rate / kb_rate,
    );
    normal_lane.report("Pipeline::process, SQLite synchronous=NORMAL");
    full_lane.report("Pipeline::process, SQLite synchronous=FULL");
    cpu_lane.report("CPU stages only, no storage");
    kb_lane.report(&format!(
        "Pipeline::process, NORMAL, sample knowledge base, every other message a question \
         ({} of {} answered by the bot)",
        kb_routes.bot_answers, kb_routes.messages
    ));
    mixed_lane.report(&format!(
        "Pipeline::process, NORMAL, same messages, no knowledge base ({} of {} answered by the bot)",
        mixed_routes.bot_answers, mixed_routes.messages
    ));
    println!(
        "== NORMAL/FULL throughput ratio in this run: {:.2}",
        normal_rate / full_rate
    );
    println!(
        "== with/without knowledge base in this run: p50 {:.2}x, p99 {:.2}x, time per message {:.2}x",
        kb_ratios.0, kb_ratios.1, kb_ratios.2
    );
}
