//! Encryption at rest: every customer's originals and vault values are sealed with that
//! customer's data key (XChaCha20-Poly1305), and each data key is wrapped by the master key,
//! which lives in a key file and never in the database.
//!
//! Erasing a customer deletes their wrapped data key (crypto-shredding): any copy of their
//! ciphertext left in a backup or replica can no longer be opened.
//!
//! A wrapped key names the master key that wrapped it (its key id), so that during a rotation
//! a node holding the new key and the previous ones opens each wrapped key with the right one.
//! Keys wrapped before key ids existed (format byte 1) are still opened, by trying each key.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};

/// Format byte of sealed values, so that a future scheme can be told apart.
const SEALED_V1: u8 = 1;
/// Format byte of wrapped data keys that carry the id of their master key.
const WRAPPED_V2: u8 = 2;
const NONCE_LEN: usize = 24;
const KEY_ID_LEN: usize = 8;

/// The key that wraps data keys, with the keys it replaced while a rotation is under way.
/// Kept out of the database.
#[derive(Clone)]
pub struct MasterKey {
    current: KeyWithId,
    /// Keys that may still have wrapped some data keys; they unwrap but never wrap.
    previous: Vec<KeyWithId>,
}

#[derive(Clone)]
struct KeyWithId {
    key: [u8; 32],
    id: [u8; KEY_ID_LEN],
}

impl KeyWithId {
    fn new(key: [u8; 32]) -> KeyWithId {
        // A hash of the key under its own domain: it names the key without revealing it.
        let digest = Sha256::new()
            .chain_update(b"candor/master-key-id/v1\0")
            .chain_update(key)
            .finalize();
        let mut id = [0; KEY_ID_LEN];
        id.copy_from_slice(&digest[..KEY_ID_LEN]);
        KeyWithId { key, id }
    }
}

/// One customer's data key, unwrapped.
#[derive(Clone)]
pub struct DataKey([u8; 32]);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(..)")
    }
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(..)")
    }
}

/// Sealed data that cannot be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VaultError {
    /// The bytes are not a sealed value of a known format.
    #[error("not a sealed value (unknown format or truncated)")]
    Malformed,
    /// Authentication failed: wrong key, wrong context, or the bytes were changed.
    #[error("cannot open: wrong key or the data was changed")]
    Forged,
    /// The data key was wrapped by a master key this node does not hold.
    #[error(
        "the data key was wrapped by master key {0}, which is neither privacy.master_key_file nor in privacy.previous_master_key_files"
    )]
    UnknownMasterKey(String),
}

/// `header || nonce || ciphertext-with-tag`.
fn seal_with_header(key: &[u8; 32], header: &[u8], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let cipher = XChaCha20Poly1305::new(&(*key).into());
    let nonce_bytes: [u8; NONCE_LEN] = rand::random();
    let nonce = XNonce::from(nonce_bytes);
    let ciphertext = cipher
        .encrypt(
            &nonce,
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .expect("XChaCha20-Poly1305 encrypts any input that fits in memory");
    let mut out = Vec::with_capacity(header.len() + NONCE_LEN + ciphertext.len());
    out.extend_from_slice(header);
    out.extend_from_slice(&nonce_bytes);
    out.extend_from_slice(&ciphertext);
    out
}

fn seal_with(key: &[u8; 32], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    seal_with_header(key, &[SEALED_V1], aad, plaintext)
}

fn open_with(key: &[u8; 32], aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, VaultError> {
    let [version, rest @ ..] = sealed else {
        return Err(VaultError::Malformed);
    };
    if *version != SEALED_V1 {
        return Err(VaultError::Malformed);
    }
    open_body(key, aad, rest)
}

/// Opens `nonce || ciphertext-with-tag`.
fn open_body(key: &[u8; 32], aad: &[u8], rest: &[u8]) -> Result<Vec<u8>, VaultError> {
    if rest.len() < NONCE_LEN + 16 {
        return Err(VaultError::Malformed);
    }
    let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
    let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| VaultError::Malformed)?;
    let cipher = XChaCha20Poly1305::new(&(*key).into());
    cipher
        .decrypt(
            &XNonce::from(nonce),
            Payload {
                msg: ciphertext,
                aad,
            },
        )
        .map_err(|_| VaultError::Forged)
}

impl MasterKey {
    /// A master key from 32 secret bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> MasterKey {
        MasterKey {
            current: KeyWithId::new(bytes),
            previous: Vec::new(),
        }
    }

    /// The same master key, also able to unwrap data keys that `previous` keys wrapped (while a
    /// rotation is under way). New data keys are always wrapped by the current key.
    pub fn with_previous(mut self, previous: impl IntoIterator<Item = [u8; 32]>) -> MasterKey {
        for key in previous {
            let key = KeyWithId::new(key);
            if key.id != self.current.id && self.previous.iter().all(|p| p.id != key.id) {
                self.previous.push(key);
            }
        }
        self
    }

    /// The id of the current key (16 hex digits), as recorded in the keys it wraps.
    pub fn key_id(&self) -> String {
        hex::encode(self.current.id)
    }

    /// How many previous keys this holds besides the current one.
    pub fn previous_count(&self) -> usize {
        self.previous.len()
    }

    /// A new random data key, and its wrapped form for `customer_id` (bound to it, so a
    /// wrapped key copied to another customer's row does not open).
    pub fn new_data_key(&self, customer_id: &str) -> (DataKey, Vec<u8>) {
        let key: [u8; 32] = rand::random();
        (DataKey(key), self.wrap(customer_id, &key))
    }

    fn wrap(&self, customer_id: &str, key: &[u8; 32]) -> Vec<u8> {
        let mut header = [0; 1 + KEY_ID_LEN];
        header[0] = WRAPPED_V2;
        header[1..].copy_from_slice(&self.current.id);
        seal_with_header(
            &self.current.key,
            &header,
            &wrap_context_v2(customer_id, &self.current.id),
            key,
        )
    }

    /// Unwraps a customer's data key, with the master key that wrapped it.
    ///
    /// # Errors
    ///
    /// When the wrapped key is malformed, was wrapped for another customer, was changed, or
    /// was wrapped by a master key this one does not hold.
    pub fn unwrap(&self, customer_id: &str, wrapped: &[u8]) -> Result<DataKey, VaultError> {
        let bytes = match wrapped {
            [WRAPPED_V2, rest @ ..] if rest.len() >= KEY_ID_LEN => {
                let (id, body) = rest.split_at(KEY_ID_LEN);
                let key = std::iter::once(&self.current)
                    .chain(&self.previous)
                    .find(|k| k.id == id)
                    .ok_or_else(|| VaultError::UnknownMasterKey(hex::encode(id)))?;
                open_body(&key.key, &wrap_context_v2(customer_id, &key.id), body)?
            }
            // Wrapped before key ids: whichever key opens it wrapped it.
            [SEALED_V1, ..] => {
                let context = wrap_context(customer_id);
                let mut result = Err(VaultError::Forged);
                for k in std::iter::once(&self.current).chain(&self.previous) {
                    result = open_with(&k.key, &context, wrapped);
                    if !matches!(result, Err(VaultError::Forged)) {
                        break;
                    }
                }
                result?
            }
            _ => return Err(VaultError::Malformed),
        };
        Ok(DataKey(
            bytes.try_into().map_err(|_| VaultError::Malformed)?,
        ))
    }

    /// Whether `wrapped` is wrapped by the current key (nothing to re-wrap).
    pub fn wraps_with_current(&self, wrapped: &[u8]) -> bool {
        matches!(wrapped, [WRAPPED_V2, rest @ ..] if rest.starts_with(&self.current.id))
    }

    /// The same data key wrapped by the current key.
    ///
    /// # Errors
    ///
    /// As [`MasterKey::unwrap`].
    pub fn rewrap(&self, customer_id: &str, wrapped: &[u8]) -> Result<Vec<u8>, VaultError> {
        let key = self.unwrap(customer_id, wrapped)?;
        Ok(self.wrap(customer_id, &key.0))
    }
}

fn wrap_context(customer_id: &str) -> Vec<u8> {
    [b"candor/data-key/v1\0".as_slice(), customer_id.as_bytes()].concat()
}

/// The key id is authenticated too, so that a wrapped key cannot be relabelled.
fn wrap_context_v2(customer_id: &str, key_id: &[u8]) -> Vec<u8> {
    [
        b"candor/data-key/v2\0".as_slice(),
        key_id,
        customer_id.as_bytes(),
    ]
    .concat()
}

impl DataKey {
    /// Seals `plaintext`; `context` (e.g. a message id) is authenticated, so a ciphertext moved
    /// to another row does not open.
    pub fn seal(&self, context: &str, plaintext: &[u8]) -> Vec<u8> {
        seal_with(&self.0, context.as_bytes(), plaintext)
    }

    /// Opens what [`DataKey::seal`] sealed with the same context.
    ///
    /// # Errors
    ///
    /// When the bytes are malformed, changed, or sealed with another key or context.
    pub fn open(&self, context: &str, sealed: &[u8]) -> Result<Vec<u8>, VaultError> {
        open_with(&self.0, context.as_bytes(), sealed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_keys_round_trip_and_are_bound_to_their_customer() {
        let master = MasterKey::from_bytes([7; 32]);
        let (key, wrapped) = master.new_data_key("c-1");
        let sealed = key.seal("message:1", "Min mail er ole@example.dk".as_bytes());
        let again = master.unwrap("c-1", &wrapped).unwrap();
        assert_eq!(
            again.open("message:1", &sealed).unwrap(),
            "Min mail er ole@example.dk".as_bytes()
        );
        assert_eq!(
            master.unwrap("c-2", &wrapped).unwrap_err(),
            VaultError::Forged
        );
        // Another master key does not hold the one that wrapped it, and says which that was.
        assert_eq!(
            MasterKey::from_bytes([8; 32])
                .unwrap("c-1", &wrapped)
                .unwrap_err(),
            VaultError::UnknownMasterKey(master.key_id())
        );
    }

    #[test]
    fn moved_changed_or_truncated_ciphertext_is_refused() {
        let (key, _) = MasterKey::from_bytes([1; 32]).new_data_key("c");
        let sealed = key.seal("message:1", b"secret");
        assert_eq!(
            key.open("message:2", &sealed).unwrap_err(),
            VaultError::Forged
        );
        let mut flipped = sealed.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert_eq!(
            key.open("message:1", &flipped).unwrap_err(),
            VaultError::Forged
        );
        assert_eq!(
            key.open("message:1", &sealed[..10]).unwrap_err(),
            VaultError::Malformed
        );
        assert_eq!(
            key.open("message:1", &[]).unwrap_err(),
            VaultError::Malformed
        );
        assert_ne!(
            key.seal("message:1", b"secret"),
            sealed,
            "fresh nonce every time"
        );
    }

    /// A data key wrapped the way it was before wrapped keys named their master key.
    fn wrapped_v1(master: &[u8; 32], customer_id: &str, key: &[u8; 32]) -> Vec<u8> {
        seal_with(master, &wrap_context(customer_id), key)
    }

    #[test]
    fn wrapped_keys_name_their_master_key_and_rewrap_under_a_new_one() {
        let old = MasterKey::from_bytes([1; 32]);
        let new = MasterKey::from_bytes([2; 32]);
        assert_ne!(old.key_id(), new.key_id());
        assert_eq!(old.key_id().len(), 16);
        let (key, wrapped) = old.new_data_key("c-1");
        let sealed = key.seal("original:1", b"secret");
        assert!(old.wraps_with_current(&wrapped));
        assert!(!new.wraps_with_current(&wrapped));
        assert_eq!(
            new.unwrap("c-1", &wrapped).unwrap_err(),
            VaultError::UnknownMasterKey(old.key_id())
        );

        let rotating = MasterKey::from_bytes([2; 32]).with_previous([[1; 32], [2; 32]]);
        assert_eq!(
            rotating.previous_count(),
            1,
            "the current key is not its own previous"
        );
        let rewrapped = rotating.rewrap("c-1", &wrapped).unwrap();
        assert!(new.wraps_with_current(&rewrapped));
        // The new key alone opens the re-wrapped key; the old one alone no longer does.
        let again = new.unwrap("c-1", &rewrapped).unwrap();
        assert_eq!(again.open("original:1", &sealed).unwrap(), b"secret");
        assert!(old.unwrap("c-1", &rewrapped).is_err());
        // Relabelling the key id or moving the key to another customer is refused.
        let mut relabelled = rewrapped.clone();
        relabelled[1..9].copy_from_slice(&hex::decode(old.key_id()).unwrap());
        assert!(rotating.unwrap("c-1", &relabelled).is_err());
        assert_eq!(
            new.unwrap("c-2", &rewrapped).unwrap_err(),
            VaultError::Forged
        );
    }

    #[test]
    fn keys_wrapped_before_key_ids_still_open_with_whichever_key_wrapped_them() {
        let data = [9; 32];
        let legacy = wrapped_v1(&[1; 32], "c-1", &data);
        let rotating = MasterKey::from_bytes([2; 32]).with_previous([[1; 32]]);
        let key = rotating.unwrap("c-1", &legacy).unwrap();
        assert_eq!(key.0, data);
        assert!(!rotating.wraps_with_current(&legacy));
        let rewrapped = rotating.rewrap("c-1", &legacy).unwrap();
        assert_eq!(
            MasterKey::from_bytes([2; 32])
                .unwrap("c-1", &rewrapped)
                .unwrap()
                .0,
            data
        );
        assert_eq!(
            MasterKey::from_bytes([3; 32])
                .unwrap("c-1", &legacy)
                .unwrap_err(),
            VaultError::Forged
        );
        assert_eq!(
            rotating.unwrap("c-1", &[7, 1, 2]).unwrap_err(),
            VaultError::Malformed
        );
    }
}
