//! Cue detection speed: every detector on one message, as the pipeline runs them.
//!
//! `cargo bench -p candor-classify --bench cues` (release). Times `human_request`, `opt_out`,
//! `complaint`, `urgency` and `frustration` on a 200-byte message, and on short and unmatched
//! ones, and prints per call the mean CPU time of the measuring thread over the whole run (wall time
//! where Linux does not report it), and the median and 99th percentile of wall time per batch.
//! Written without criterion because `candor-classify` does not have it as a dev-dependency.

use std::hint::black_box;
use std::time::{Duration, Instant};

use candor_classify::cues::{CueLexicons, FrustrationInput};
use candor_core::Lang;

const BATCH: u32 = 200;
const BATCHES: usize = 1000;

/// Nanoseconds this thread has spent on a CPU (Linux), so that time spent waiting for a core on
/// a loaded machine does not count against the detectors.
fn cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn measure(name: &str, mut f: impl FnMut()) {
    for _ in 0..BATCH * 5 {
        f();
    }
    let (cpu_start, wall_start) = (cpu_ns(), Instant::now());
    let mut per_call: Vec<Duration> = (0..BATCHES)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..BATCH {
                f();
            }
            start.elapsed() / BATCH
        })
        .collect();
    let calls = u64::from(BATCH) * BATCHES as u64;
    // The scheduler's CPU clock ticks coarsely, so it is read once over the whole run.
    let cpu = match (cpu_start, cpu_ns()) {
        (Some(a), Some(b)) => Duration::from_nanos((b - a) / calls),
        _ => wall_start.elapsed() / calls as u32,
    };
    per_call.sort();
    let p = |q: f64| per_call[((per_call.len() - 1) as f64 * q) as usize];
    println!(
        "{name:<44} cpu mean {cpu:>9.2?}  wall median {:>9.2?}  p99 {:>9.2?}",
        p(0.5),
        p(0.99)
    );
}

fn main() {
    // `cargo test --all-targets` runs bench binaries without `--bench`: nothing to measure there.
    if !std::env::args().any(|a| a == "--bench") {
        println!("cues: run with `cargo bench -p candor-classify --bench cues`");
        return;
    }
    let cues = CueLexicons::builtin();
    let long = "Hello, I ordered a jacket three weeks ago (order <ORDER_1>) and it still has not \
                arrived. This is the third time I write to you about it!! Can I please talk to a \
                real person about a refund?";
    let danish = "Hej, jeg har stadig ikke fået min pakke, og det er tredje gang jeg skriver. \
                  Kan jeg ikke nok få lov at tale med en medarbejder om at få pengene tilbage?";
    let plain = "Where is my parcel? I ordered it on Monday and the tracking page shows nothing.";
    println!(
        "message lengths: {} / {} / {} bytes",
        long.len(),
        danish.len(),
        plain.len()
    );
    let input = FrustrationInput {
        negative_sentiment: 0.6,
        unresolved_customer_turns: 2,
        repeated_intent: false,
        previous_scores: vec![0.1, 0.3],
    };
    for (label, text, lang) in [
        ("en 200 B (matches)", long, Some(Lang::EN)),
        ("da 180 B (matches), no hint", danish, None),
        ("en 80 B (no match)", plain, Some(Lang::EN)),
    ] {
        measure(&format!("human_request {label}"), || {
            black_box(cues.human_request(black_box(text), lang));
        });
        measure(&format!("frustration {label}"), || {
            black_box(cues.frustration(black_box(text), lang, &input));
        });
        measure(&format!("all five {label}"), || {
            black_box(cues.human_request(black_box(text), lang));
            black_box(cues.opt_out(black_box(text), lang));
            black_box(cues.complaint(black_box(text), lang));
            black_box(cues.urgency(black_box(text), lang));
            black_box(cues.frustration(black_box(text), lang, &input));
        });
    }
    let start = Instant::now();
    for _ in 0..20 {
        black_box(CueLexicons::builtin());
    }
    println!(
        "builtin() (parse + compile 4 lexicons): {:.2?} each",
        start.elapsed() / 20
    );
}
