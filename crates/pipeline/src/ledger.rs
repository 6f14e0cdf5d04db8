//! The audit ledger over a store: tree heads, signed checkpoints, proofs and verification.
//!
//! The Merkle math lives in `candor_audit::merkle`; the hashes live in the store. This module
//! fetches what a [`ProofPlan`] names and hands it back, and walks the whole log to verify it.

use std::sync::Arc;

use candor_audit::merkle::{
    Frontier, Hash, ProofPlan, ProofRequestError, RootHash, leaf_hash, root_from_plan,
    stored_hash_count, verify_consistency,
};
use candor_audit::{AuditRecord, CheckpointError, CheckpointSigner, CheckpointVerifier};
use candor_core::Timestamp;
use candor_store::{Store, StoreError, StoredCheckpoint};

/// A ledger operation that failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// The proof asked for does not exist (an index or size beyond the log).
    #[error(transparent)]
    Request(#[from] ProofRequestError),
    /// A size beyond the current log.
    #[error("the log has {size} entries; {asked} is beyond it")]
    BeyondLog {
        /// The size asked for.
        asked: u64,
        /// The log's size.
        size: u64,
    },
    /// Storage failed.
    #[error("storage failed: {0}")]
    Store(#[from] StoreError),
}

/// A signed tree head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCheckpoint {
    /// The tree head.
    pub root: RootHash,
    /// The C2SP signed note.
    pub note: String,
    /// When it was made.
    pub created_at: Timestamp,
}

/// An entry with its inclusion proof.
#[derive(Debug, Clone)]
pub struct EntryProof {
    /// Leaf index.
    pub index: u64,
    /// The canonical record.
    pub payload: Vec<u8>,
    /// `SHA-256(0x00 || payload)`.
    pub leaf_hash: Hash,
    /// The tree head the proof leads to.
    pub root: RootHash,
    /// The inclusion proof, leaf first.
    pub proof: Vec<Hash>,
}

/// A consistency proof between two tree heads.
#[derive(Debug, Clone)]
pub struct ConsistencyProof {
    /// The older head.
    pub from: RootHash,
    /// The newer head.
    pub to: RootHash,
    /// The proof.
    pub proof: Vec<Hash>,
}

/// The audit ledger of one deployment.
pub struct Ledger {
    store: Arc<dyn Store>,
    signer: CheckpointSigner,
}

impl Ledger {
    /// A ledger over `store`, signing checkpoints with `signer` (whose name is the log origin).
    pub fn new(store: Arc<dyn Store>, signer: CheckpointSigner) -> Ledger {
        Ledger { store, signer }
    }

    /// The verifier for this ledger's checkpoints; publish its `to_vkey()`.
    pub fn verifier(&self) -> CheckpointVerifier {
        self.signer.verifier()
    }

    /// The log origin.
    pub fn origin(&self) -> &str {
        self.signer.name()
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    async fn run(&self, plan: &ProofPlan) -> Result<Vec<Hash>, LedgerError> {
        let fetched = self.store.audit_hashes(plan.indexes()).await?;
        Ok(plan.finish(&fetched))
    }

    async fn head_at(&self, size: u64) -> Result<RootHash, LedgerError> {
        let plan = ProofPlan::tree_hash(size);
        let fetched = self.store.audit_hashes(plan.indexes()).await?;
        Ok(root_from_plan(size, &plan, &fetched))
    }

    async fn check_size(&self, asked: u64) -> Result<u64, LedgerError> {
        let size = self.store.audit_size().await?;
        if asked > size {
            return Err(LedgerError::BeyondLog { asked, size });
        }
        Ok(size)
    }

    /// The tree head at `size` (the current size when `None`).
    ///
    /// # Errors
    ///
    /// A size beyond the log, or storage failure.
    pub async fn root(&self, size: Option<u64>) -> Result<RootHash, LedgerError> {
        let current = self.store.audit_size().await?;
        let size = size.unwrap_or(current);
        self.check_size(size).await?;
        self.head_at(size).await
    }

    /// Appends one record.
    ///
    /// # Errors
    ///
    /// Storage failure.
    pub async fn append(&self, record: &AuditRecord, at: Timestamp) -> Result<u64, LedgerError> {
        Ok(self.store.append_audit(&[record.encode()], at).await?)
    }

    /// Signs and saves a checkpoint of the current tree, unless the latest checkpoint already
    /// covers it; returns the checkpoint in force.
    ///
    /// # Errors
    ///
    /// Storage failure.
    pub async fn checkpoint(&self, now: Timestamp) -> Result<SignedCheckpoint, LedgerError> {
        let size = self.store.audit_size().await?;
        if let Some(latest) = self.latest_checkpoint().await?
            && latest.root.size == size
        {
            return Ok(latest);
        }
        let root = self.head_at(size).await?;
        let note = self.signer.sign(root);
        self.store
            .save_checkpoint(&StoredCheckpoint {
                size,
                root_hash: root.hash,
                note: note.clone(),
                created_at: now,
            })
            .await?;
        Ok(SignedCheckpoint {
            root,
            note,
            created_at: now,
        })
    }

    /// The latest saved checkpoint.
    ///
    /// # Errors
    ///
    /// Storage failure.
    pub async fn latest_checkpoint(&self) -> Result<Option<SignedCheckpoint>, LedgerError> {
        Ok(self
            .store
            .latest_checkpoint()
            .await?
            .map(|c| SignedCheckpoint {
                root: RootHash {
                    hash: c.root_hash,
                    size: c.size,
                },
                note: c.note,
                created_at: c.created_at,
            }))
    }

    /// Entry `index` with its inclusion proof in the tree of `tree_size` entries (default: the
    /// current size).
    ///
    /// # Errors
    ///
    /// An index or size beyond the log, or storage failure.
    pub async fn entry(
        &self,
        index: u64,
        tree_size: Option<u64>,
    ) -> Result<EntryProof, LedgerError> {
        let current = self.store.audit_size().await?;
        let size = tree_size.unwrap_or(current);
        self.check_size(size).await?;
        let plan = ProofPlan::inclusion(index, size)?;
        let proof = self.run(&plan).await?;
        let root = self.head_at(size).await?;
        let entry = self
            .store
            .audit_entries(index, 1)
            .await?
            .into_iter()
            .find(|e| e.index == index)
            .ok_or_else(|| StoreError::Corrupt(format!("audit entry {index} is missing")))?;
        Ok(EntryProof {
            index,
            leaf_hash: leaf_hash(&entry.payload),
            payload: entry.payload,
            root,
            proof,
        })
    }

    /// The consistency proof between the trees of `from` and `to` entries.
    ///
    /// # Errors
    ///
    /// Sizes out of order or beyond the log, or storage failure.
    pub async fn consistency(&self, from: u64, to: u64) -> Result<ConsistencyProof, LedgerError> {
        self.check_size(to).await?;
        let plan = ProofPlan::consistency(from, to)?;
        let proof = self.run(&plan).await?;
        Ok(ConsistencyProof {
            from: self.head_at(from).await?,
            to: self.head_at(to).await?,
            proof,
        })
    }
}

/// What a successful verification covered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Entries recomputed.
    pub entries: u64,
    /// Checkpoints whose signature, root and consistency were checked.
    pub checkpoints: usize,
    /// The tree head recomputed from the records.
    pub root: RootHash,
}

/// Where and why verification failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyFailure {
    /// An entry does not fit: changed, missing, inserted or reordered.
    #[error("entry {index}: {reason}")]
    Entry {
        /// The first bad leaf index.
        index: u64,
        /// Why.
        reason: String,
    },
    /// A checkpoint does not verify or does not match the log.
    #[error("checkpoint at size {size}: {reason}")]
    Checkpoint {
        /// The checkpoint's tree size.
        size: u64,
        /// Why.
        reason: String,
    },
    /// The database could not be read.
    #[error("cannot read the ledger: {0}")]
    Unreadable(String),
}

impl VerifyFailure {
    /// The first entry index known to be bad, if the failure names one.
    pub fn index(&self) -> Option<u64> {
        match self {
            VerifyFailure::Entry { index, .. } => Some(*index),
            _ => None,
        }
    }
}

const VERIFY_BATCH: u32 = 10_000;

/// Recomputes the whole tree from the stored records and checks it against every stored hash,
/// every checkpoint's signature and root, and the consistency of consecutive checkpoints.
/// `progress` is called with the number of entries verified so far.
///
/// # Errors
///
/// The first thing that does not verify, naming the entry index or checkpoint.
pub async fn verify_ledger(
    store: &dyn Store,
    verifier: &CheckpointVerifier,
    mut progress: impl FnMut(u64),
) -> Result<VerifyReport, VerifyFailure> {
    let unreadable = |e: StoreError| VerifyFailure::Unreadable(e.to_string());
    let size = store.audit_size().await.map_err(unreadable)?;

    // Checkpoints first: a signature that does not verify is the clearest finding.
    let stored = store.checkpoints().await.map_err(unreadable)?;
    let mut checkpoints: Vec<RootHash> = Vec::with_capacity(stored.len());
    for c in &stored {
        let opened = verifier
            .open(&c.note)
            .map_err(|e| VerifyFailure::Checkpoint {
                size: c.size,
                reason: match e {
                    CheckpointError::NotSignedByKey(_) | CheckpointError::BadSignature(_) => {
                        format!("{e} (the published key); it was not signed by this log")
                    }
                    other => other.to_string(),
                },
            })?;
        if opened.root.size != c.size || opened.root.hash != c.root_hash {
            return Err(VerifyFailure::Checkpoint {
                size: c.size,
                reason: "the stored size or root differs from the signed note".to_owned(),
            });
        }
        checkpoints.push(opened.root);
    }

    let mut frontier = Frontier::default();
    let mut next_checkpoint = 0;
    let mut last_good_checkpoint = 0;
    let mut expected = 0u64;
    loop {
        let batch = store
            .audit_entries(expected, VERIFY_BATCH)
            .await
            .map_err(unreadable)?;
        if batch.is_empty() {
            break;
        }
        let first = expected;
        let last = batch.last().map_or(first, |e| e.index);
        let stored_hashes = store
            .audit_hash_range(stored_hash_count(first), stored_hash_count(last + 1))
            .await
            .map_err(unreadable)?;
        let mut stored_iter = stored_hashes.into_iter().peekable();
        for entry in &batch {
            if entry.index != expected {
                return Err(VerifyFailure::Entry {
                    index: expected,
                    reason: format!(
                        "missing (the next stored entry is {}): an entry was removed",
                        entry.index
                    ),
                });
            }
            for (level, (idx, hash)) in frontier
                .push(leaf_hash(&entry.payload))
                .into_iter()
                .enumerate()
            {
                let found = loop {
                    match stored_iter.peek() {
                        Some((i, _)) if *i < idx => {
                            stored_iter.next();
                        }
                        Some((i, h)) if *i == idx => break Some(*h),
                        _ => break None,
                    }
                };
                match found {
                    Some(h) if h == hash => {}
                    Some(_) if level == 0 => {
                        return Err(VerifyFailure::Entry {
                            index: expected,
                            reason: "its record does not match its stored leaf hash: the record was changed, \
                                     inserted or moved"
                                .to_owned(),
                        });
                    }
                    Some(_) => {
                        return Err(VerifyFailure::Entry {
                            index: expected,
                            reason: format!(
                                "the stored tree hash {idx} it completes does not match the records"
                            ),
                        });
                    }
                    None => {
                        return Err(VerifyFailure::Entry {
                            index: expected,
                            reason: format!("the stored tree hash {idx} is missing"),
                        });
                    }
                }
            }
            expected += 1;
            while let Some(cp) = checkpoints.get(next_checkpoint) {
                if cp.size != expected {
                    break;
                }
                if frontier.root() != *cp {
                    return Err(VerifyFailure::Checkpoint {
                        size: cp.size,
                        reason: format!(
                            "its signed root does not match the records: an entry between {last_good_checkpoint} and {} \
                             was changed, removed, inserted or the log was truncated and regrown",
                            cp.size - 1
                        ),
                    });
                }
                last_good_checkpoint = cp.size;
                next_checkpoint += 1;
            }
        }
        progress(expected);
    }
    if expected != size {
        return Err(VerifyFailure::Entry {
            index: expected.min(size),
            reason: format!(
                "the log head says {size} entries, but {expected} are stored in sequence"
            ),
        });
    }
    if let Some(cp) = checkpoints.get(next_checkpoint) {
        return Err(VerifyFailure::Checkpoint {
            size: cp.size,
            reason: format!("it is beyond the log's {size} entries: the log was truncated"),
        });
    }
    // Consecutive checkpoints must be consistent, by proofs built from the stored hashes.
    for pair in checkpoints.windows(2) {
        let plan = ProofPlan::consistency(pair[0].size, pair[1].size)
            .map_err(|e| VerifyFailure::Unreadable(e.to_string()))?;
        let fetched = store
            .audit_hashes(plan.indexes())
            .await
            .map_err(unreadable)?;
        verify_consistency(&pair[0], &pair[1], &plan.finish(&fetched)).map_err(|e| {
            VerifyFailure::Checkpoint {
                size: pair[1].size,
                reason: e.to_string(),
            }
        })?;
    }
    let root = frontier.root();
    let plan = ProofPlan::tree_hash(size);
    let fetched = store
        .audit_hashes(plan.indexes())
        .await
        .map_err(unreadable)?;
    if root_from_plan(size, &plan, &fetched) != root {
        return Err(VerifyFailure::Entry {
            index: size.saturating_sub(1),
            reason: "the stored tree head does not match the records".to_owned(),
        });
    }
    Ok(VerifyReport {
        entries: size,
        checkpoints: checkpoints.len(),
        root,
    })
}
