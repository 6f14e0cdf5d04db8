//! `candor keys rotate`: re-wraps every customer's data key with a new master key while
//! nodes keep serving (docs/specs/privacy.md, "Master-key rotation").

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use candor_pipeline::Pipeline;
use candor_pipeline::rotation::{ROTATION_BATCH, RotationReport};
use candor_pipeline::vault::MasterKey;

use crate::app::{load_or_create_secret, master_key_path, read_secret};
use crate::config::CandorConfig;

/// What `candor keys rotate` was asked to do.
#[derive(Debug, Clone)]
pub struct RotateArgs {
    /// The new master key's file; created (0600) if missing. `None`: the configured
    /// `privacy.master_key_file` (for finishing a rotation the nodes already know about).
    pub new_key_file: Option<PathBuf>,
    /// Data keys per transaction.
    pub batch_size: u32,
    /// Only create the new key file and print the steps; re-wrap nothing.
    pub create_only: bool,
}

impl Default for RotateArgs {
    fn default() -> Self {
        RotateArgs {
            new_key_file: None,
            batch_size: ROTATION_BATCH,
            create_only: false,
        }
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Rotates and prints what was done and what is left to do; `None` with `create_only`.
///
/// # Errors
///
/// A key file that cannot be read or created, a storage or ledger failure, or data keys that
/// none of the given master keys opens (after re-wrapping every other one).
pub async fn rotate(
    config: &CandorConfig,
    args: &RotateArgs,
) -> anyhow::Result<Option<RotationReport>> {
    let configured = master_key_path(config);
    let new_path = args.new_key_file.clone().unwrap_or(configured.clone());
    let existed = new_path.exists();
    let new_key = load_or_create_secret(&new_path)?;
    let keys = MasterKey::from_bytes(new_key);
    let key_id = keys.key_id();
    if !existed {
        println!(
            "Created the new master key {} (key id {key_id}).",
            new_path.display()
        );
    }
    let mut previous = Vec::new();
    if !same_file(&configured, &new_path) {
        previous.push(read_secret(&configured).context(
            "the current master key (privacy.master_key_file) is needed to open data keys",
        )?);
    }
    for path in &config.privacy.previous_master_key_files {
        previous.push(read_secret(path).context("privacy.previous_master_key_files")?);
    }
    let keys = keys.with_previous(previous);
    let old_files: Vec<String> = std::iter::once(configured.clone())
        .filter(|c| !same_file(c, &new_path))
        .chain(config.privacy.previous_master_key_files.iter().cloned())
        .map(|p| format!("\"{}\"", p.display()))
        .collect();
    let steps = format!(
        "To finish the rotation:\n  1. On every node set privacy.master_key_file = \"{}\" and privacy.previous_master_key_files = [{}], and restart the nodes one at a time.\n  2. Run `candor keys rotate` again until it reports 0 left: nodes that still had the old key may have made data keys meanwhile.\n  3. Then empty privacy.previous_master_key_files, and destroy the old key file(s) once no backup you keep needs them.",
        new_path.display(),
        old_files.join(", ")
    );
    if args.create_only {
        println!("Nothing was re-wrapped (--create-only).\n{steps}");
        return Ok(None);
    }
    let store = crate::app::open_store(config).await?;
    let ledger = crate::app::build_ledger(config, store.clone())?;
    let report = candor_pipeline::rotation::rotate(
        store.as_ref(),
        &keys,
        &ledger,
        args.batch_size,
        Pipeline::now(),
    )
    .await
    .context("key rotation")?;
    println!(
        "Re-wrapped {} of {} data key(s) under master key {} ({} already were); {} left wrapped by another key; audit record {}.",
        report.rewrapped,
        report.total,
        report.key_id,
        report.already_current,
        report.remaining,
        report.audit_index
    );
    if report.remaining == 0 && same_file(&configured, &new_path) {
        println!(
            "Every data key is wrapped by the configured master key: privacy.previous_master_key_files can be emptied."
        );
    } else {
        println!("{steps}");
    }
    if report.unreadable > 0 {
        bail!(
            "{} data key(s) could not be opened with the new key, privacy.master_key_file or privacy.previous_master_key_files; add the master key that wrapped them to privacy.previous_master_key_files and run again",
            report.unreadable
        );
    }
    Ok(Some(report))
}
