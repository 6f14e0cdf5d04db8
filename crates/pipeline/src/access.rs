//! API tokens: issued with a role, shown once, kept only as a SHA-256 hash, revocable.

use candor_core::{Role, Timestamp};
use candor_store::{Store, StoreError, StoredToken};
use sha2::{Digest, Sha256};

/// Every token starts with this, so that a leaked one is recognisable (e.g. by secret scanners).
pub const TOKEN_PREFIX: &str = "cnd_";

/// A token just issued: the secret exists only here, and is never stored.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    /// The stored record (id, name, role, hash).
    pub record: StoredToken,
    /// The bearer secret, to show once.
    pub secret: String,
}

/// A token name that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("token name must be 1 to 64 characters of letters, digits, `-`, `_`, `.`")]
pub struct BadTokenName;

/// Why a token could not be issued.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IssueError {
    /// The name is unusable.
    #[error(transparent)]
    Name(#[from] BadTokenName),
    /// Storage failed.
    #[error("storage failed: {0}")]
    Store(#[from] StoreError),
}

/// The SHA-256 of a bearer secret. Tokens are 256 random bits, so a fast hash suffices here;
/// passwords, which are not, would need a slow one.
pub fn token_hash(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// Issues a new token with `role`.
///
/// # Errors
///
/// A bad name, or storage failure.
pub async fn issue_token(
    store: &dyn Store,
    name: &str,
    role: Role,
    now: Timestamp,
) -> Result<IssuedToken, IssueError> {
    let valid = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    if !valid {
        return Err(BadTokenName.into());
    }
    let secret = format!("{TOKEN_PREFIX}{}", hex::encode(rand::random::<[u8; 32]>()));
    let id = format!("tok_{}", hex::encode(rand::random::<[u8; 6]>()));
    let record = StoredToken {
        id,
        name: name.to_owned(),
        role,
        token_hash: token_hash(&secret),
        created_at: now,
        revoked_at: None,
    };
    store.create_token(&record).await?;
    Ok(IssuedToken { record, secret })
}

/// The unrevoked token a bearer secret belongs to.
///
/// # Errors
///
/// Storage failure.
pub async fn authenticate(
    store: &dyn Store,
    secret: &str,
) -> Result<Option<StoredToken>, StoreError> {
    if !secret.starts_with(TOKEN_PREFIX) {
        return Ok(None);
    }
    Ok(store
        .token_by_hash(&token_hash(secret))
        .await?
        .filter(|t| t.revoked_at.is_none()))
}
