//! The cost of encryption at rest, side by side with the message path it is part of.
//!
//! Candor has no switch that turns encryption off (and should not have one), so instead of
//! "with and without" this measures, in one run, taking turns in blocks of 250 messages:
//!
//! - `process`: `Pipeline::process` end to end on SQLite `synchronous=NORMAL`;
//! - `sealing`: the encryption work of the same messages as `process` does it: read the
//!   customer's wrapped data key from the same kind of store, unwrap it with the master key
//!   (XChaCha20-Poly1305), seal the original and every personal-data value found (an upper
//!   bound: the path seals only values new to the conversation);
//! - `crypto`: the same without the key read: unwrap and seals only.
//!
//! Prints p50/p90/p99/max per lane, the lanes' ratios to `process`, and the share of the
//! path's total time that sealing takes.
//!
//! `CANDOR_BENCH_MESSAGES=2000 cargo bench -p candor-pipeline --bench encryption`

use std::sync::Arc;
use std::time::{Duration, Instant};

use candor_core::Timestamp;
use candor_pii::{Registry, normalise};
use candor_pipeline::Inbound;
use candor_pipeline::vault::MasterKey;
use candor_store::{SqliteStore, SqliteSync, Store};
use uuid::Uuid;

// Shared with the other benches, which use the parts this one does not.
#[allow(dead_code)]
mod common;

use common::{SAMPLES, inbound, percentile, sqlite_pipeline};

const WARM_UP: usize = 200;
const BLOCK: usize = 250;
const CUSTOMERS: usize = 500;

fn ms(d: Duration) -> String {
    format!("{:.4} ms", d.as_secs_f64() * 1e3)
}

#[derive(Default)]
struct Lane {
    took: Vec<Duration>,
    sent: usize,
}

impl Lane {
    fn sorted(&mut self) -> &[Duration] {
        self.took.sort_unstable();
        &self.took
    }

    fn total(&self) -> Duration {
        self.took.iter().sum()
    }
}

/// What a message's sealing needs: its text and the personal-data values found in it.
struct Sample {
    text: String,
    values: Vec<String>,
}

fn samples(registry: &Registry) -> Vec<Sample> {
    SAMPLES
        .iter()
        .map(|(_, text)| {
            let normalised = normalise(text);
            let values = registry
                .detect(&normalised.text)
                .into_iter()
                .map(|d| normalised.text[d.span.start..d.span.end].to_owned())
                .collect();
            Sample {
                text: (*text).to_owned(),
                values,
            }
        })
        .collect()
}

/// The encryption work of one message: unwrap the data key, seal the original and the values.
fn seal(master: &MasterKey, customer: &str, wrapped: &[u8], sample: &Sample) -> usize {
    let key = master
        .unwrap(customer, wrapped)
        .expect("the bench's own key unwraps");
    let mut bytes = key
        .seal(
            &format!("original:{}", Uuid::now_v7()),
            sample.text.as_bytes(),
        )
        .len();
    for (i, value) in sample.values.iter().enumerate() {
        bytes += key
            .seal(&format!("vault:bench-conv:<V_{i}>"), value.as_bytes())
            .len();
    }
    bytes
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
    let path_dir = tempfile::tempdir().expect("create a temporary directory");
    let keys_dir = tempfile::tempdir().expect("create a temporary directory");
    let pipeline = rt.block_on(sqlite_pipeline(path_dir.path(), SqliteSync::Normal));
    let store: Arc<dyn Store> = Arc::new(
        rt.block_on(SqliteStore::open(keys_dir.path(), SqliteSync::Normal))
            .expect("open the SQLite store"),
    );
    // The same master key as the pipeline's, and one wrapped data key per bench customer.
    let master = MasterKey::from_bytes([8; 32]);
    for c in 0..CUSTOMERS {
        let customer = format!("bench-customer-{c}");
        let (_, wrapped) = master.new_data_key(&customer);
        rt.block_on(store.insert_wrapped_data_key(&customer, &wrapped, Timestamp(0)))
            .expect("store a wrapped key");
    }
    let registry = Registry::default();
    let samples = samples(&registry);
    let wrapped_in_memory: Vec<Vec<u8>> = (0..CUSTOMERS)
        .map(|c| {
            rt.block_on(store.wrapped_data_key(&format!("bench-customer-{c}")))
                .expect("read a wrapped key")
                .expect("the key exists")
        })
        .collect();

    let (mut process, mut sealing, mut crypto) =
        (Lane::default(), Lane::default(), Lane::default());
    let run_block = |process: &mut Lane, sealing: &mut Lane, crypto: &mut Lane, n: usize| {
        for _ in 0..n {
            let message: Inbound = inbound(process.sent);
            let t = Instant::now();
            rt.block_on(pipeline.process(message))
                .expect("the message is processed");
            process.took.push(t.elapsed());
            process.sent += 1;
        }
        for _ in 0..n {
            let i = sealing.sent;
            let customer = format!("bench-customer-{}", i % CUSTOMERS);
            let t = Instant::now();
            let wrapped = rt
                .block_on(store.wrapped_data_key(&customer))
                .expect("read a wrapped key")
                .expect("the key exists");
            std::hint::black_box(seal(
                &master,
                &customer,
                &wrapped,
                &samples[i % samples.len()],
            ));
            sealing.took.push(t.elapsed());
            sealing.sent += 1;
        }
        for _ in 0..n {
            let i = crypto.sent;
            let customer = format!("bench-customer-{}", i % CUSTOMERS);
            let t = Instant::now();
            std::hint::black_box(seal(
                &master,
                &customer,
                &wrapped_in_memory[i % CUSTOMERS],
                &samples[i % samples.len()],
            ));
            crypto.took.push(t.elapsed());
            crypto.sent += 1;
        }
    };
    run_block(&mut process, &mut sealing, &mut crypto, WARM_UP);
    for lane in [&mut process, &mut sealing, &mut crypto] {
        lane.took.clear();
    }
    let mut left = messages;
    while left > 0 {
        let n = left.min(BLOCK);
        run_block(&mut process, &mut sealing, &mut crypto, n);
        left -= n;
    }

    let values: usize = samples.iter().map(|s| s.values.len()).sum();
    println!(
        "== {messages} messages per lane after {WARM_UP} warm-up, blocks of {BLOCK} taking turns; \
         {:.2} personal-data values sealed per message on average",
        values as f64 / samples.len() as f64
    );
    let (p_total, s_total, c_total) = (process.total(), sealing.total(), crypto.total());
    let (p50, p99) = {
        let s = process.sorted();
        (percentile(s, 50.0), percentile(s, 99.0))
    };
    for (name, lane) in [
        ("process (Pipeline::process, SQLite NORMAL)", &mut process),
        ("sealing (key read + unwrap + seals)", &mut sealing),
        ("crypto (unwrap + seals only)", &mut crypto),
    ] {
        let s = lane.sorted();
        println!(
            "   {name:<44} p50 {}   p90 {}   p99 {}   max {}   ratio to process: p50 {:.4}  p99 {:.4}",
            ms(percentile(s, 50.0)),
            ms(percentile(s, 90.0)),
            ms(percentile(s, 99.0)),
            ms(*s.last().expect("at least one message")),
            percentile(s, 50.0).as_secs_f64() / p50.as_secs_f64(),
            percentile(s, 99.0).as_secs_f64() / p99.as_secs_f64(),
        );
    }
    println!(
        "== share of the message path's total time: sealing {:.2}%, crypto alone {:.2}%",
        100.0 * s_total.as_secs_f64() / p_total.as_secs_f64(),
        100.0 * c_total.as_secs_f64() / p_total.as_secs_f64(),
    );
}
