//! Master-key rotation: every customer's data key re-wrapped by a new master key, in batches,
//! while nodes keep serving.
//!
//! Nodes that hold the new key and the previous ones (`privacy.previous_master_key_files`)
//! open data keys wrapped by either, so the re-wrapping can run beside them. Each batch is one
//! transaction that replaces a wrapped key only if it is unchanged since it was read, so an
//! erasure or a second rotation at the same time is never undone. Re-running continues where
//! a stopped run left off: keys already wrapped by the new key are skipped.

use candor_audit::AuditRecord;
use candor_core::Timestamp;
use candor_store::{RewrappedKey, Store, StoreError};

use crate::vault::MasterKey;
use crate::{Ledger, LedgerError};

/// Data keys read and re-wrapped per transaction.
pub const ROTATION_BATCH: u32 = 500;

/// A rotation that could not finish.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RotationError {
    /// Storage failed; batches committed before stay re-wrapped.
    #[error("storage failed: {0}")]
    Store(#[from] StoreError),
    /// The rotation's audit record could not be appended.
    #[error("audit ledger: {0}")]
    Ledger(#[from] LedgerError),
}

/// What a rotation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotationReport {
    /// The new master key's id.
    pub key_id: String,
    /// Data keys found.
    pub total: u64,
    /// Data keys re-wrapped by this run.
    pub rewrapped: u64,
    /// Data keys that were already wrapped by the new key.
    pub already_current: u64,
    /// Data keys that none of the given keys opens (a master key is missing); never changed.
    pub unreadable: u64,
    /// Data keys still wrapped by another key when the run ended (the unreadable ones, and
    /// keys that nodes without the new key created meanwhile).
    pub remaining: u64,
    /// The rotation's record in the audit ledger.
    pub audit_index: u64,
}

/// Re-wraps every data key not yet wrapped by `keys`' current key, opening it with any of
/// `keys`' previous keys, and records the run in the audit ledger.
///
/// # Errors
///
/// Storage or ledger failure.
pub async fn rotate(
    store: &dyn Store,
    keys: &MasterKey,
    ledger: &Ledger,
    batch: u32,
    now: Timestamp,
) -> Result<RotationReport, RotationError> {
    let batch = batch.max(1);
    let (mut total, mut rewrapped, mut already_current, mut unreadable) = (0, 0, 0, 0);
    let mut after: Option<String> = None;
    loop {
        let page = store.wrapped_data_keys(after.as_deref(), batch).await?;
        let Some((last, _)) = page.last() else { break };
        after = Some(last.clone());
        total += page.len() as u64;
        let mut changes = Vec::new();
        for (customer_id, wrapped) in page {
            if keys.wraps_with_current(&wrapped) {
                already_current += 1;
                continue;
            }
            match keys.rewrap(&customer_id, &wrapped) {
                Ok(new) => changes.push(RewrappedKey {
                    customer_id,
                    old: wrapped,
                    new,
                }),
                Err(e) => {
                    unreadable += 1;
                    // The keyed hash would need the pseudonym key; the error kind is enough to
                    // act on, and customer ids are never logged.
                    tracing::warn!(error = %e, "A data key cannot be re-wrapped");
                }
            }
        }
        if !changes.is_empty() {
            rewrapped += store.replace_wrapped_data_keys(&changes).await?;
        }
        tracing::info!(
            total,
            rewrapped,
            already_current,
            unreadable,
            "Key rotation batch"
        );
    }
    let remaining = count_remaining(store, keys, batch).await?;
    let record = AuditRecord::KeyRotation {
        at_ms: now.millis(),
        key_id: keys.key_id(),
        rewrapped,
        remaining,
    };
    let audit_index = ledger.append(&record, now).await?;
    tracing::info!(
        key_id = %keys.key_id(),
        total,
        rewrapped,
        already_current,
        unreadable,
        remaining,
        audit_index,
        "Key rotation done"
    );
    Ok(RotationReport {
        key_id: keys.key_id(),
        total,
        rewrapped,
        already_current,
        unreadable,
        remaining,
        audit_index,
    })
}

/// Data keys not wrapped by the current key.
async fn count_remaining(
    store: &dyn Store,
    keys: &MasterKey,
    batch: u32,
) -> Result<u64, StoreError> {
    let mut remaining = 0;
    let mut after: Option<String> = None;
    loop {
        let page = store.wrapped_data_keys(after.as_deref(), batch).await?;
        let Some((last, _)) = page.last() else { break };
        after = Some(last.clone());
        remaining += page
            .iter()
            .filter(|(_, w)| !keys.wraps_with_current(w))
            .count() as u64;
    }
    Ok(remaining)
}
