//! Candor's audit records and the append-only hash chain that makes them tamper-evident.
//!
//! Every decision becomes an [`AuditRecord`], encoded canonically ([`AuditRecord::encode`]) so
//! that the same record always has the same bytes. Records are chained: each entry's hash
//! covers its sequence number, the previous entry's hash and the record bytes
//! ([`link_hash`]), so changing, removing, inserting or reordering any entry breaks every hash
//! after it, and [`verify_chain`] names the first entry that does not fit.
//!
//! A record never holds raw personal data: only pseudonymised text, keyed hashes of
//! identifiers, versions, outputs and explanations.
//!
//! ```
//! use candor_audit::{link_hash, verify_chain, ChainEntry, GENESIS};
//! let h1 = link_hash(1, &GENESIS, b"first");
//! let entries = vec![ChainEntry { seq: 1, prev_hash: GENESIS, hash: h1, payload: b"first".to_vec() }];
//! assert!(verify_chain(&GENESIS, 0, &entries).is_ok());
//! ```
#![deny(missing_docs)]

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The hash that the first entry chains to.
pub const GENESIS: [u8; 32] = [0; 32];

/// The version of the record encoding; bumped on any change to the fields or their meaning.
pub const RECORD_VERSION: u32 = 1;

/// The hash of entry `seq`: SHA-256 over a domain tag, the sequence number, the previous hash
/// and the SHA-256 of the payload.
///
/// The domain tag keeps these hashes apart from any other SHA-256 use; hashing the payload
/// first keeps the link a fixed 80 bytes whatever the record size.
pub fn link_hash(seq: u64, prev: &[u8; 32], payload: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"candor/audit-chain/v1\0");
    h.update(seq.to_be_bytes());
    h.update(prev);
    h.update(Sha256::digest(payload));
    h.finalize().into()
}

/// One stored entry of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainEntry {
    /// Position in the log, starting at 1, without gaps.
    pub seq: u64,
    /// The hash of the entry before (or [`GENESIS`]).
    pub prev_hash: [u8; 32],
    /// This entry's hash, [`link_hash`]`(seq, prev_hash, payload)`.
    pub hash: [u8; 32],
    /// The encoded record.
    pub payload: Vec<u8>,
}

/// Why a chain does not verify, naming the first entry that does not fit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// An entry is missing or out of order.
    #[error(
        "entry {found}: expected sequence number {expected} (an entry was removed, inserted or reordered)"
    )]
    Sequence {
        /// The sequence number expected at this position.
        expected: u64,
        /// The sequence number found.
        found: u64,
    },
    /// An entry does not point at the hash of the entry before it.
    #[error("entry {seq}: its previous-hash does not match the entry before it")]
    BrokenLink {
        /// The entry.
        seq: u64,
    },
    /// An entry's stored hash does not match its contents.
    #[error("entry {seq}: its hash does not match its contents (the record was changed)")]
    Tampered {
        /// The entry.
        seq: u64,
    },
}

impl ChainError {
    /// The sequence number of the first entry that does not verify.
    pub fn seq(&self) -> u64 {
        match self {
            ChainError::Sequence { found, .. } => *found,
            ChainError::BrokenLink { seq } | ChainError::Tampered { seq } => *seq,
        }
    }
}

/// Checks that `entries` continue a chain whose last verified entry was `after_seq` with hash
/// `after_hash` (use `0` and [`GENESIS`] for the whole log).
///
/// Returns the hash of the last entry, to continue verifying the next batch from.
///
/// # Errors
///
/// The first entry that does not fit, and why.
pub fn verify_chain(
    after_hash: &[u8; 32],
    after_seq: u64,
    entries: &[ChainEntry],
) -> Result<[u8; 32], ChainError> {
    let mut prev = *after_hash;
    for (expected, e) in (after_seq + 1..).zip(entries) {
        if e.seq != expected {
            return Err(ChainError::Sequence {
                expected,
                found: e.seq,
            });
        }
        if e.prev_hash != prev {
            return Err(ChainError::BrokenLink { seq: e.seq });
        }
        if link_hash(e.seq, &e.prev_hash, &e.payload) != e.hash {
            return Err(ChainError::Tampered { seq: e.seq });
        }
        prev = e.hash;
    }
    Ok(prev)
}

/// One audit record. Field meanings are specified in `docs/specs/audit-record.md`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum AuditRecord {
    /// The pipeline decided where a message goes.
    Decision(DecisionRecord),
}

/// The facts of one decision, free of raw personal data.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionRecord {
    /// The message.
    pub message_id: String,
    /// The conversation it belongs to.
    pub conversation_id: String,
    /// Keyed hash of the customer id.
    pub customer_hash: String,
    /// The channel it arrived on.
    pub channel: String,
    /// When it was received, milliseconds since the Unix epoch.
    pub received_at_ms: i64,
    /// The route chosen.
    pub route: String,
    /// The policy rule that chose it.
    pub rule: String,
    /// The language, or `None` for unknown.
    pub language: Option<String>,
    /// Confidence of the language guess, in `[0, 1]`.
    pub language_confidence: f64,
    /// The kinds of personal data found, one per detection, in text order.
    pub pii_kinds: Vec<String>,
    /// The text with personal data replaced by pseudonyms.
    pub pseudonymised_text: String,
    /// The plain-language summary of the explanation.
    pub explanation: String,
    /// The reason codes behind it, in order.
    pub reason_codes: Vec<String>,
    /// Pipeline version.
    pub pipeline_version: String,
    /// Policy version (content hash).
    pub policy_version: String,
    /// Language model version.
    pub language_model_version: String,
}

impl AuditRecord {
    /// The canonical bytes of the record: JSON with keys in sorted order, no insignificant
    /// whitespace, and the confidence as a fixed four-decimal string (floats have no single
    /// canonical text form).
    pub fn encode(&self) -> Vec<u8> {
        let value = match self {
            AuditRecord::Decision(d) => json!({
                "v": RECORD_VERSION,
                "type": "decision",
                "message_id": d.message_id,
                "conversation_id": d.conversation_id,
                "customer_hash": d.customer_hash,
                "channel": d.channel,
                "received_at_ms": d.received_at_ms,
                "route": d.route,
                "rule": d.rule,
                "language": d.language,
                "language_confidence": format!("{:.4}", d.language_confidence),
                "pii_kinds": d.pii_kinds,
                "pseudonymised_text": d.pseudonymised_text,
                "explanation": d.explanation,
                "reason_codes": d.reason_codes,
                "versions": {
                    "pipeline": d.pipeline_version,
                    "policy": d.policy_version,
                    "language_model": d.language_model_version,
                },
            }),
        };
        // serde_json's map is ordered by key (the `preserve_order` feature is off), which
        // makes this encoding canonical.
        debug_assert!(matches!(value, Value::Object(_)));
        serde_json::to_vec(&value).expect("a JSON value always serialises")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: u64) -> Vec<ChainEntry> {
        let mut prev = GENESIS;
        (1..=n)
            .map(|seq| {
                let payload = format!("record {seq}").into_bytes();
                let hash = link_hash(seq, &prev, &payload);
                let e = ChainEntry {
                    seq,
                    prev_hash: prev,
                    hash,
                    payload,
                };
                prev = hash;
                e
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies_in_batches() {
        let entries = chain(10);
        let mid = verify_chain(&GENESIS, 0, &entries[..4]).unwrap();
        let end = verify_chain(&mid, 4, &entries[4..]).unwrap();
        assert_eq!(end, entries[9].hash);
    }

    #[test]
    fn tampering_is_detected_at_the_right_entry() {
        let mut flipped = chain(5);
        flipped[2].payload[0] ^= 1;
        assert_eq!(
            verify_chain(&GENESIS, 0, &flipped).unwrap_err(),
            ChainError::Tampered { seq: 3 }
        );

        let mut removed = chain(5);
        removed.remove(1);
        assert_eq!(verify_chain(&GENESIS, 0, &removed).unwrap_err().seq(), 3);

        let mut swapped = chain(5);
        swapped.swap(1, 2);
        assert_eq!(verify_chain(&GENESIS, 0, &swapped).unwrap_err().seq(), 3);

        // Re-hashing a changed entry does not help: the next entry's link breaks.
        let mut rehashed = chain(5);
        rehashed[1].payload = b"forged".to_vec();
        rehashed[1].hash = link_hash(2, &rehashed[1].prev_hash, &rehashed[1].payload);
        assert_eq!(
            verify_chain(&GENESIS, 0, &rehashed).unwrap_err(),
            ChainError::BrokenLink { seq: 3 }
        );
    }

    #[test]
    fn encoding_is_canonical_and_sorted() {
        let record = AuditRecord::Decision(DecisionRecord {
            message_id: "m".into(),
            conversation_id: "c".into(),
            customer_hash: "h".into(),
            channel: "chat".into(),
            received_at_ms: 1,
            route: "human_queue".into(),
            rule: "everyone-to-a-person".into(),
            language: Some("da".into()),
            language_confidence: 0.123456,
            pii_kinds: vec!["EMAIL".into()],
            pseudonymised_text: "hej <EMAIL_1>".into(),
            explanation: "x".into(),
            reason_codes: vec!["policy_rule_matched".into()],
            pipeline_version: "p".into(),
            policy_version: "q".into(),
            language_model_version: "l".into(),
        });
        let text = String::from_utf8(record.encode()).unwrap();
        assert!(text.starts_with(r#"{"channel":"chat","conversation_id":"c","customer_hash":"h","explanation":"x","language":"da","language_confidence":"0.1235""#), "{text}");
        assert_eq!(record.encode(), record.encode());
    }
}
