//! How much memory a loaded detector holds: resident set size before and after building
//! `Registry::default()` (recognisers, word lists, the name model) and after the first
//! detections (which compile the lazily built patterns).
//!
//! ```text
//! cargo run -p candor-pii --release --example detector_memory
//! ```
//!
//! Linux only: it reads `VmRSS` from `/proc/self/status`.

use candor_pii::{Registry, normalise};

fn resident_kib() -> Result<u64, Box<dyn std::error::Error>> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .ok_or("no VmRSS line in /proc/self/status")?;
    Ok(line
        .split_whitespace()
        .nth(1)
        .ok_or("malformed VmRSS line")?
        .parse()?)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let before = resident_kib()?;
    let registry = Registry::default();
    let loaded = resident_kib()?;
    let samples = [
        "Hej, jeg hedder Mette Larsen, CPR 070761-4285, ring 22 33 44 55.",
        "Mijn BSN is 1112.22.333 en ik woon op Keizersgracht 123, 1015 CJ Amsterdam.",
        "Meine Steuer-ID lautet 86 095 742 719, IBAN DE89 3704 0044 0532 0130 00.",
        "My name is Sam Taylor, email sam.taylor@example.co.uk, 221B Baker Street, London NW1 6XE.",
    ];
    let mut found = 0;
    for s in samples {
        found += registry.detect(&normalise(s).text).len();
    }
    let warm = resident_kib()?;
    println!("| state | resident (MiB) | added (MiB) |");
    println!("|---|---:|---:|");
    let mib = |k: u64| k as f64 / 1024.0;
    println!("| process start | {:.1} | |", mib(before));
    println!(
        "| `Registry::default()` built | {:.1} | {:.1} |",
        mib(loaded),
        mib(loaded.saturating_sub(before))
    );
    println!(
        "| after the first detections | {:.1} | {:.1} |",
        mib(warm),
        mib(warm.saturating_sub(before))
    );
    println!("\n{found} spans found in {} samples", samples.len());
    Ok(())
}
