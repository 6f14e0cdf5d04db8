//! The `candor` binary's commands, as a library so that tests can reach them.

pub mod activate_cmd;
pub mod app;
pub mod audit_cmd;
pub mod config;
pub mod customer_cmd;
pub mod demo;
pub mod fairness_cmd;
mod jsonl;
pub mod kb_cmd;
pub mod keys_cmd;
pub mod pii_cmd;
pub mod retention_cmd;
pub mod serve;
pub mod token_cmd;
pub mod train_cmd;
pub mod triage;
pub mod user_cmd;

use anyhow::Context;
use tracing_subscriber::EnvFilter;

use crate::config::CandorConfig;

/// Sends logs to stderr, as text or JSON lines. `RUST_LOG` overrides the configured level.
///
/// Logs carry ids, hashes, counts and timings, never message text or personal data.
///
/// # Errors
///
/// When the filter does not parse.
pub fn init_logging(config: &CandorConfig) -> anyhow::Result<()> {
    let filter = match std::env::var("RUST_LOG") {
        Ok(v) if !v.is_empty() => EnvFilter::try_new(v),
        _ => EnvFilter::try_new(&config.log.level),
    }
    .context("invalid log level (log.level or RUST_LOG)")?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if config.log.format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
    Ok(())
}
