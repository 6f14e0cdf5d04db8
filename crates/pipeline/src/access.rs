//! API tokens: issued with a role, shown once, kept only as a SHA-256 hash, revocable, and
//! optionally expiring.

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

/// An expiry that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a token must expire after 1 to {MAX_TOKEN_DAYS} days")]
pub struct BadExpiry;

/// The longest a token may be issued for, in days (about ten years): longer is "never", which
/// is said by giving no expiry.
pub const MAX_TOKEN_DAYS: u32 = 3650;

/// The moment `days` days after `now`.
///
/// # Errors
///
/// When `days` is 0 or more than [`MAX_TOKEN_DAYS`].
pub fn days_after(now: Timestamp, days: u32) -> Result<Timestamp, BadExpiry> {
    if !(1..=MAX_TOKEN_DAYS).contains(&days) {
        return Err(BadExpiry);
    }
    Ok(Timestamp(now.millis() + i64::from(days) * 86_400_000))
}

/// What a token is issued with besides its name and role.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenOptions {
    /// When it stops working; `None`: when revoked, and not before.
    pub expires_at: Option<Timestamp>,
    /// The user a session token belongs to.
    pub user_id: Option<String>,
}

/// Why a token could not be issued.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IssueError {
    /// The name is unusable.
    #[error(transparent)]
    Name(#[from] BadTokenName),
    /// The expiry is not after the moment of issue.
    #[error(transparent)]
    Expiry(#[from] BadExpiry),
    /// Storage failed.
    #[error("storage failed: {0}")]
    Store(#[from] StoreError),
}

/// The SHA-256 of a bearer secret. Tokens are 256 random bits, so a fast hash suffices here;
/// passwords, which are not, would need a slow one.
pub fn token_hash(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// Issues a new token with `role` that works until revoked.
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
    issue_token_with(store, name, role, now, TokenOptions::default()).await
}

/// Issues a new token with `role` and `options`.
///
/// # Errors
///
/// A bad name, an expiry not after `now`, or storage failure.
pub async fn issue_token_with(
    store: &dyn Store,
    name: &str,
    role: Role,
    now: Timestamp,
    options: TokenOptions,
) -> Result<IssuedToken, IssueError> {
    let valid = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    if !valid {
        return Err(BadTokenName.into());
    }
    if options.expires_at.is_some_and(|e| e <= now) {
        return Err(BadExpiry.into());
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
        expires_at: options.expires_at,
        user_id: options.user_id,
    };
    store.create_token(&record).await?;
    Ok(IssuedToken { record, secret })
}

/// What a bearer secret turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenCheck {
    /// A token that works now.
    Valid(StoredToken),
    /// No token has this secret.
    Unknown,
    /// The token was revoked (revocation wins over expiry).
    Revoked,
    /// The token's expiry has passed.
    Expired,
}

/// Checks a bearer secret at `now`.
///
/// # Errors
///
/// Storage failure.
pub async fn authenticate(
    store: &dyn Store,
    secret: &str,
    now: Timestamp,
) -> Result<TokenCheck, StoreError> {
    if !secret.starts_with(TOKEN_PREFIX) {
        return Ok(TokenCheck::Unknown);
    }
    Ok(match store.token_by_hash(&token_hash(secret)).await? {
        None => TokenCheck::Unknown,
        Some(t) if t.revoked_at.is_some() => TokenCheck::Revoked,
        Some(t) if t.expires_at.is_some_and(|e| e <= now) => TokenCheck::Expired,
        Some(t) => TokenCheck::Valid(t),
    })
}
