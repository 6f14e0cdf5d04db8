//! `candor audit`: verify the whole ledger, print proofs, sign a checkpoint.

use std::io::IsTerminal;

use anyhow::{Context, bail};
use candor_audit::CheckpointVerifier;
use candor_pipeline::{Ledger, Pipeline, verify_ledger};
use candor_server::{ConsistencyView, EntryView};
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::CandorConfig;

/// `candor audit verify`: exits 0 only when everything verifies.
///
/// Checkpoints are checked against `public_key` (a signed-note verifier key, as published at
/// `/v1/audit/public-key`) or, without it, against the local signing key's public half.
///
/// # Errors
///
/// When verification fails (naming the first bad index or checkpoint) or the ledger cannot
/// be read.
pub async fn verify(config: &CandorConfig, public_key: Option<&str>) -> anyhow::Result<()> {
    let verifier = match public_key {
        Some(vkey) => CheckpointVerifier::from_vkey(vkey).context("--public-key")?,
        None => crate::app::signer(config, false)
            .context("no --public-key given and the local signing key cannot be read")?
            .verifier(),
    };
    let store = crate::app::open_store(config).await?;
    let size = store.audit_size().await?;
    let bar = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(size);
        bar.set_style(
            ProgressStyle::with_template("{spinner} verifying [{elapsed_precise}] {wide_bar} {pos}/{len} entries ({per_sec})")
                .expect("valid progress template"),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let started = std::time::Instant::now();
    let result = verify_ledger(store.as_ref(), &verifier, |n| bar.set_position(n)).await;
    bar.finish_and_clear();
    match result {
        Ok(report) => {
            println!(
                "audit verify: OK: {} entries, {} checkpoints, root {} ({:.2} s)",
                report.entries,
                report.checkpoints,
                hex::encode(report.root.hash),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Err(failure) => bail!("audit verify FAILED: {failure}"),
    }
}

async fn ledger(config: &CandorConfig) -> anyhow::Result<Ledger> {
    let store = crate::app::open_store(config).await?;
    Ok(Ledger::new(
        store,
        crate::app::signer(config, false).context("the signing key cannot be read")?,
    ))
}

/// `candor audit proof --entry N [--tree-size M]`: the entry and its inclusion proof as JSON.
///
/// # Errors
///
/// An index or size beyond the log, or a storage failure.
pub async fn entry_proof(
    config: &CandorConfig,
    index: u64,
    tree_size: Option<u64>,
) -> anyhow::Result<()> {
    let ledger = ledger(config).await?;
    let size = ledger.store().audit_size().await?;
    if index >= tree_size.unwrap_or(size).min(size) {
        bail!(
            "entry {index} is not in a tree of {} entries",
            tree_size.unwrap_or(size).min(size)
        );
    }
    let proof = ledger.entry(index, tree_size).await?;
    println!(
        "{}",
        serde_json::to_string_pretty(&EntryView::from_proof(&proof))?
    );
    Ok(())
}

/// `candor audit proof --consistency A B`: the consistency proof as JSON.
///
/// # Errors
///
/// Sizes out of order or beyond the log, or a storage failure.
pub async fn consistency_proof(config: &CandorConfig, from: u64, to: u64) -> anyhow::Result<()> {
    let proof = ledger(config).await?.consistency(from, to).await?;
    println!(
        "{}",
        serde_json::to_string_pretty(&ConsistencyView::from_proof(&proof))?
    );
    Ok(())
}

/// `candor audit checkpoint`: signs a checkpoint of the log as it is now and prints the note.
///
/// # Errors
///
/// When the key or store cannot be used.
pub async fn checkpoint(config: &CandorConfig) -> anyhow::Result<()> {
    let store = crate::app::open_store(config).await?;
    let ledger = crate::app::build_ledger(config, store)?;
    let checkpoint = ledger.checkpoint(Pipeline::now()).await?;
    print!("{}", checkpoint.note);
    eprintln!("verifier key: {}", ledger.verifier().to_vkey());
    Ok(())
}
