//! Candor's audit ledger: an append-only Merkle-tree log (RFC 6962 / RFC 9162 hashing) of
//! canonically encoded records, with signed checkpoints and inclusion and consistency proofs.
//!
//! - [`record`]: what is logged ([`AuditRecord`]) and its canonical encoding.
//! - [`merkle`]: the tree math. No storage, no SQL, no HTTP, no signing: a store keeps the
//!   hashes [`merkle::append_hashes`] produces, and a [`merkle::ProofPlan`] says which of them a
//!   tree head or proof needs.
//! - [`checkpoint`]: C2SP signed-note checkpoints with Ed25519.
//!
//! A record never holds raw personal data, so erasing a customer's data elsewhere leaves
//! every record and proof valid.
//!
//! ```
//! use candor_audit::merkle::{leaf_hash, node_hash, verify_inclusion, RootHash};
//! let (a, b) = (leaf_hash(b"first"), leaf_hash(b"second"));
//! let root = RootHash { hash: node_hash(&a, &b), size: 2 };
//! assert!(verify_inclusion(1, &b, &[a], &root).is_ok());
//! ```
#![deny(missing_docs)]

pub mod checkpoint;
pub mod merkle;
pub mod record;

pub use checkpoint::{Checkpoint, CheckpointError, CheckpointSigner, CheckpointVerifier};
pub use merkle::{Hash, RootHash};
pub use record::{AuditRecord, DecisionRecord, FairnessAlert, RECORD_VERSION};
