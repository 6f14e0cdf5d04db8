//! Signed checkpoints in the C2SP formats, so that anyone can check them with standard tools.
//!
//! A checkpoint (C2SP `tlog-checkpoint`) is three lines: the log's origin, the tree size in
//! decimal, and the root hash in base64. It is wrapped in a signed note (C2SP `signed-note`):
//! the text, a blank line, and one signature line `— <name> <base64(key id || signature)>`,
//! where the key id is the first four bytes of `SHA-256(name || "\n" || 0x01 || public key)`
//! and the signature is Ed25519 over the text. The verifier key is published as
//! `<name>+<key id hex>+<base64(0x01 || public key)>`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::merkle::{Hash, RootHash};

const ALG_ED25519: u8 = 0x01;

/// A tree head of a named log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's unique name, e.g. `candor.example/audit/3f2a9c1d`.
    pub origin: String,
    /// The tree head.
    pub root: RootHash,
}

impl Checkpoint {
    /// The checkpoint text that is signed.
    pub fn body(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.root.size,
            B64.encode(self.root.hash)
        )
    }
}

/// Signs checkpoints with an Ed25519 key.
pub struct CheckpointSigner {
    name: String,
    key: SigningKey,
}

impl std::fmt::Debug for CheckpointSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckpointSigner")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

fn key_id(name: &str, public: &VerifyingKey) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([ALG_ED25519]);
    h.update(public.as_bytes());
    let digest = h.finalize();
    [digest[0], digest[1], digest[2], digest[3]]
}

/// A key name that cannot be used in a signed note.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("key name `{0}` must be non-empty and contain no spaces, newlines or `+`")]
pub struct BadKeyName(pub String);

impl CheckpointSigner {
    /// A signer from a 32-byte Ed25519 seed. The key name is also the log's origin.
    ///
    /// # Errors
    ///
    /// When the name is empty or holds a space, newline or `+` (the note format's separators).
    pub fn new(name: &str, seed: &[u8; 32]) -> Result<CheckpointSigner, BadKeyName> {
        if name.is_empty() || name.contains([' ', '\n', '+', '\t']) {
            return Err(BadKeyName(name.to_owned()));
        }
        Ok(CheckpointSigner {
            name: name.to_owned(),
            key: SigningKey::from_bytes(seed),
        })
    }

    /// The key (and log) name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The verifier for this signer's notes.
    pub fn verifier(&self) -> CheckpointVerifier {
        CheckpointVerifier {
            name: self.name.clone(),
            key: self.key.verifying_key(),
        }
    }

    /// Signs a checkpoint of this log, returning the signed note text.
    pub fn sign(&self, root: RootHash) -> String {
        let body = Checkpoint {
            origin: self.name.clone(),
            root,
        }
        .body();
        let signature = self.key.sign(body.as_bytes());
        let mut blob = Vec::with_capacity(68);
        blob.extend_from_slice(&key_id(&self.name, &self.key.verifying_key()));
        blob.extend_from_slice(&signature.to_bytes());
        format!("{body}\n\u{2014} {} {}\n", self.name, B64.encode(blob))
    }
}

/// Checks notes signed by one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointVerifier {
    name: String,
    key: VerifyingKey,
}

/// Why a signed checkpoint is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckpointError {
    /// The text is not a signed note.
    #[error("not a signed note: {0}")]
    Malformed(&'static str),
    /// No signature line is by the expected key.
    #[error("no signature by key `{0}`")]
    NotSignedByKey(String),
    /// The signature by the expected key does not verify.
    #[error("the signature by key `{0}` does not verify")]
    BadSignature(String),
    /// The verifier key string is invalid.
    #[error("invalid verifier key: {0}")]
    BadVerifierKey(&'static str),
    /// The checkpoint names another log.
    #[error("checkpoint is for log `{found}`, expected `{expected}`")]
    WrongOrigin {
        /// The expected origin.
        expected: String,
        /// The origin found.
        found: String,
    },
}

impl CheckpointVerifier {
    /// The published verifier key: `<name>+<key id hex>+<base64(0x01 || public key)>`.
    pub fn to_vkey(&self) -> String {
        let mut blob = vec![ALG_ED25519];
        blob.extend_from_slice(self.key.as_bytes());
        format!(
            "{}+{}+{}",
            self.name,
            hex::encode(key_id(&self.name, &self.key)),
            B64.encode(blob)
        )
    }

    /// Parses a published verifier key.
    ///
    /// # Errors
    ///
    /// When it is not in the format above, or its key id does not match its key.
    pub fn from_vkey(vkey: &str) -> Result<CheckpointVerifier, CheckpointError> {
        let mut parts = vkey.trim().splitn(3, '+');
        let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(CheckpointError::BadVerifierKey("expected name+keyid+key"));
        };
        let blob = B64
            .decode(key)
            .map_err(|_| CheckpointError::BadVerifierKey("key is not base64"))?;
        let [alg, rest @ ..] = blob.as_slice() else {
            return Err(CheckpointError::BadVerifierKey("empty key"));
        };
        if *alg != ALG_ED25519 {
            return Err(CheckpointError::BadVerifierKey("not an Ed25519 key"));
        }
        let bytes: [u8; 32] = rest
            .try_into()
            .map_err(|_| CheckpointError::BadVerifierKey("Ed25519 keys are 32 bytes"))?;
        let key = VerifyingKey::from_bytes(&bytes)
            .map_err(|_| CheckpointError::BadVerifierKey("not a valid Ed25519 point"))?;
        if hex::encode(key_id(name, &key)) != id {
            return Err(CheckpointError::BadVerifierKey(
                "key id does not match the key",
            ));
        }
        Ok(CheckpointVerifier {
            name: name.to_owned(),
            key,
        })
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Verifies a signed checkpoint note and returns the checkpoint.
    ///
    /// # Errors
    ///
    /// When the note is malformed, not signed by this key, the signature fails, or the
    /// checkpoint is for another log.
    pub fn open(&self, note: &str) -> Result<Checkpoint, CheckpointError> {
        let Some(split) = note.find("\n\n") else {
            return Err(CheckpointError::Malformed(
                "no blank line before the signatures",
            ));
        };
        let (body, signatures) = (&note[..=split], &note[split + 2..]);
        let expected_id = key_id(&self.name, &self.key);
        let mut found = false;
        for line in signatures.lines() {
            let Some(rest) = line.strip_prefix("\u{2014} ") else {
                return Err(CheckpointError::Malformed(
                    "signature lines start with an em dash",
                ));
            };
            let Some((name, sig)) = rest.split_once(' ') else {
                return Err(CheckpointError::Malformed(
                    "signature line without a signature",
                ));
            };
            if name != self.name {
                continue;
            }
            let blob = B64
                .decode(sig)
                .map_err(|_| CheckpointError::Malformed("signature is not base64"))?;
            if blob.len() != 68 || blob[..4] != expected_id {
                continue;
            }
            found = true;
            let signature = Signature::from_bytes(blob[4..].try_into().expect("64 bytes"));
            self.key
                .verify_strict(body.as_bytes(), &signature)
                .map_err(|_| CheckpointError::BadSignature(self.name.clone()))?;
        }
        if !found {
            return Err(CheckpointError::NotSignedByKey(self.name.clone()));
        }
        let mut lines = body.lines();
        let (Some(origin), Some(size), Some(root)) = (lines.next(), lines.next(), lines.next())
        else {
            return Err(CheckpointError::Malformed(
                "a checkpoint has origin, size and root lines",
            ));
        };
        if origin != self.name {
            return Err(CheckpointError::WrongOrigin {
                expected: self.name.clone(),
                found: origin.to_owned(),
            });
        }
        let size: u64 = size
            .parse()
            .map_err(|_| CheckpointError::Malformed("size is not a decimal number"))?;
        let hash: Hash = B64
            .decode(root)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(CheckpointError::Malformed(
                "root is not a base64 SHA-256 hash",
            ))?;
        Ok(Checkpoint {
            origin: origin.to_owned(),
            root: RootHash { hash, size },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::EMPTY_ROOT;

    fn root(size: u64) -> RootHash {
        RootHash {
            hash: [size as u8; 32],
            size,
        }
    }

    #[test]
    fn sign_then_open_round_trips_through_the_published_key() {
        let signer = CheckpointSigner::new("candor.example/audit", &[9; 32]).unwrap();
        let note = signer.sign(root(42));
        assert!(note.starts_with("candor.example/audit\n42\n"));
        assert!(note.contains("\n\n\u{2014} candor.example/audit "));
        let verifier = CheckpointVerifier::from_vkey(&signer.verifier().to_vkey()).unwrap();
        assert_eq!(verifier, signer.verifier());
        let cp = verifier.open(&note).unwrap();
        assert_eq!(cp.root, root(42));
        assert_eq!(cp.origin, "candor.example/audit");
    }

    #[test]
    fn another_key_an_edited_body_or_a_wrong_origin_is_refused() {
        let signer = CheckpointSigner::new("log", &[1; 32]).unwrap();
        let impostor = CheckpointSigner::new("log", &[2; 32]).unwrap();
        let note = impostor.sign(root(3));
        assert_eq!(
            signer.verifier().open(&note),
            Err(CheckpointError::NotSignedByKey("log".into()))
        );

        let good = signer.sign(RootHash {
            hash: EMPTY_ROOT,
            size: 0,
        });
        let edited = good.replacen("\n0\n", "\n1\n", 1);
        assert_eq!(
            signer.verifier().open(&edited),
            Err(CheckpointError::BadSignature("log".into()))
        );
        assert!(matches!(
            signer.verifier().open("log\n1\n"),
            Err(CheckpointError::Malformed(_))
        ));
        assert!(CheckpointSigner::new("has space", &[1; 32]).is_err());
        assert!(CheckpointVerifier::from_vkey("log+00000000+AQ==").is_err());
    }
}
