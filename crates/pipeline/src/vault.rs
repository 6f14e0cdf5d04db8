//! Encryption at rest: every customer's originals and vault values are sealed with that
//! customer's data key (XChaCha20-Poly1305), and each data key is wrapped by the master key,
//! which lives in a key file and never in the database.
//!
//! Erasing a customer deletes their wrapped data key (crypto-shredding): any copy of their
//! ciphertext left in a backup or replica can no longer be opened.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

/// Format byte of sealed values, so that a future scheme can be told apart.
const SEALED_V1: u8 = 1;
const NONCE_LEN: usize = 24;

/// The key that wraps data keys. Kept out of the database.
#[derive(Clone)]
pub struct MasterKey([u8; 32]);

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
}

fn seal_with(key: &[u8; 32], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
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
    let mut out = Vec::with_capacity(1 + NONCE_LEN + ciphertext.len());
    out.push(SEALED_V1);
    out.extend_from_slice(&nonce_bytes);
    out.extend_from_slice(&ciphertext);
    out
}

fn open_with(key: &[u8; 32], aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, VaultError> {
    let [version, rest @ ..] = sealed else {
        return Err(VaultError::Malformed);
    };
    if *version != SEALED_V1 || rest.len() < NONCE_LEN + 16 {
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
        MasterKey(bytes)
    }

    /// A new random data key, and its wrapped form for `customer_id` (bound to it, so a
    /// wrapped key copied to another customer's row does not open).
    pub fn new_data_key(&self, customer_id: &str) -> (DataKey, Vec<u8>) {
        let key: [u8; 32] = rand::random();
        (
            DataKey(key),
            seal_with(&self.0, &wrap_context(customer_id), &key),
        )
    }

    /// Unwraps a customer's data key.
    ///
    /// # Errors
    ///
    /// When the wrapped key is malformed, or was wrapped by another master key or for another
    /// customer.
    pub fn unwrap(&self, customer_id: &str, wrapped: &[u8]) -> Result<DataKey, VaultError> {
        let bytes = open_with(&self.0, &wrap_context(customer_id), wrapped)?;
        Ok(DataKey(
            bytes.try_into().map_err(|_| VaultError::Malformed)?,
        ))
    }
}

fn wrap_context(customer_id: &str) -> Vec<u8> {
    [b"candor/data-key/v1\0".as_slice(), customer_id.as_bytes()].concat()
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
        assert_eq!(
            MasterKey::from_bytes([8; 32])
                .unwrap("c-1", &wrapped)
                .unwrap_err(),
            VaultError::Forged
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
}
