//! Accounts for people: usernames, argon2id password hashes, and sessions, which are ordinary
//! API tokens of the user's role that expire and are revoked when the user is disabled.

use std::sync::LazyLock;
use std::time::Duration;

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Argon2, password_hash};
use candor_core::{Role, Timestamp};
use candor_store::{Store, StoreError, StoredUser};

use crate::access::{IssueError, IssuedToken, TokenOptions, issue_token_with};

/// Shorter passwords are refused (NIST SP 800-63B asks for at least 8; people here reach
/// personal data, so more).
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Longer passwords are refused: nobody types more, and it bounds the work a login costs.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Why an account operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AccountError {
    /// The username is unusable.
    #[error("username must be 1 to 64 characters of ASCII letters, digits, `-`, `_` or `.`")]
    BadUsername,
    /// The password is too short.
    #[error("password must be at least {MIN_PASSWORD_CHARS} characters")]
    PasswordTooShort,
    /// The password is too long.
    #[error("password must be at most {MAX_PASSWORD_BYTES} bytes")]
    PasswordTooLong,
    /// Users are people; the channel role is for integrations, which get tokens.
    #[error(
        "a user is a person: role `channel` is for integrations (`candor token create --role channel`)"
    )]
    ChannelRole,
    /// Hashing or verifying failed for a reason other than a wrong password (a stored hash
    /// that is not a PHC string, say).
    #[error("password hashing failed: {0}")]
    Hash(String),
    /// The session token could not be issued.
    #[error(transparent)]
    Issue(#[from] IssueError),
    /// Storage failed, or the username is taken ([`StoreError::InvalidState`]).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The form a username is stored and compared in: trimmed and lower-case.
///
/// # Errors
///
/// [`AccountError::BadUsername`] for an empty or longer than 64 characters name, or one with
/// characters other than ASCII letters, digits, `-`, `_`, `.`. (Session tokens are named
/// after the user, so a username is always a valid token name.)
pub fn normalise_username(raw: &str) -> Result<String, AccountError> {
    let name = raw.trim().to_ascii_lowercase();
    let valid = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    if valid {
        Ok(name)
    } else {
        Err(AccountError::BadUsername)
    }
}

/// Checks a new password's length (in characters, not bytes, so that `æøå` count as three).
///
/// # Errors
///
/// Too short or too long.
pub fn check_password(password: &str) -> Result<(), AccountError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AccountError::PasswordTooShort);
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(AccountError::PasswordTooLong);
    }
    Ok(())
}

/// Argon2id with the crate's defaults (19 MiB, 2 passes, 1 lane: OWASP's minimum).
fn hasher() -> Argon2<'static> {
    Argon2::default()
}

fn hash_now(password: &[u8]) -> Result<String, AccountError> {
    hasher()
        .hash_password(password)
        .map(|h| h.to_string())
        .map_err(|e| AccountError::Hash(e.to_string()))
}

/// Whether `password` matches `phc`. A wrong password is `Ok(false)`; a hash that cannot be
/// read is an error.
fn verify_now(password: &[u8], phc: &str) -> Result<bool, AccountError> {
    match hasher().verify_password(password, phc) {
        Ok(()) => Ok(true),
        Err(password_hash::Error::PasswordInvalid) => Ok(false),
        Err(e) => Err(AccountError::Hash(e.to_string())),
    }
}

/// A hash of a random password with the same parameters as real ones, verified against when
/// the user is unknown or disabled so that a login takes as long whether or not the username
/// exists.
static DUMMY_HASH: LazyLock<Result<String, String>> =
    LazyLock::new(|| hash_now(&rand::random::<[u8; 32]>()).map_err(|e| e.to_string()));

/// Argon2 takes tens of milliseconds of CPU on purpose: off the async workers.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, AccountError> + Send + 'static,
) -> Result<T, AccountError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AccountError::Hash(format!("hashing task failed: {e}")))?
}

/// Hashes `password` as an argon2id PHC string.
///
/// # Errors
///
/// When the password's length is not allowed or hashing fails.
pub async fn hash_password(password: &str) -> Result<String, AccountError> {
    check_password(password)?;
    let password = password.as_bytes().to_vec();
    blocking(move || hash_now(&password)).await
}

/// Creates a user with `role`.
///
/// # Errors
///
/// A bad username or password, the `channel` role, a taken username
/// ([`StoreError::InvalidState`]), or storage failure.
pub async fn create_user(
    store: &dyn Store,
    username: &str,
    password: &str,
    role: Role,
    now: Timestamp,
) -> Result<StoredUser, AccountError> {
    let username = normalise_username(username)?;
    if role == Role::Channel {
        return Err(AccountError::ChannelRole);
    }
    let password_hash = hash_password(password).await?;
    let user = StoredUser {
        id: format!("usr_{}", hex::encode(rand::random::<[u8; 6]>())),
        username,
        password_hash,
        role,
        created_at: now,
        disabled_at: None,
    };
    store.create_user(&user).await?;
    Ok(user)
}

/// A user just logged in.
#[derive(Debug, Clone)]
pub struct Session {
    /// The user.
    pub user: StoredUser,
    /// Their session token, of their role, expiring after the session lifetime.
    pub token: IssuedToken,
}

/// Checks a username and password and, when they match an enabled user, issues a session
/// token of the user's role named after them that expires `lifetime` after `now`. `None` for
/// every kind of wrong credentials alike, after the same work.
///
/// # Errors
///
/// Storage failure, an unreadable stored hash, or a session that cannot be issued.
pub async fn log_in(
    store: &dyn Store,
    username: &str,
    password: &str,
    lifetime: Duration,
    now: Timestamp,
) -> Result<Option<Session>, AccountError> {
    let user = match normalise_username(username) {
        Ok(name) => store
            .user_by_username(&name)
            .await?
            .filter(|u| u.disabled_at.is_none()),
        Err(_) => None,
    };
    // An overlong password is never right; it is checked against the dummy with an empty
    // input, so that its length does not buy a slower answer either.
    let overlong = password.len() > MAX_PASSWORD_BYTES;
    let input = if overlong {
        Vec::new()
    } else {
        password.as_bytes().to_vec()
    };
    let phc = match &user {
        Some(u) if !overlong => u.password_hash.clone(),
        _ => DUMMY_HASH.clone().map_err(AccountError::Hash)?,
    };
    let matched = blocking(move || verify_now(&input, &phc)).await?;
    let Some(user) = user.filter(|_| matched && !overlong) else {
        return Ok(None);
    };
    let millis = i64::try_from(lifetime.as_millis()).unwrap_or(i64::MAX);
    let token = issue_token_with(
        store,
        &user.username,
        user.role,
        now,
        TokenOptions {
            expires_at: Some(Timestamp(now.millis().saturating_add(millis))),
            user_id: Some(user.id.clone()),
        },
    )
    .await?;
    Ok(Some(Session { user, token }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_trimmed_lowercased_and_limited() {
        assert_eq!(normalise_username("  Jane.Doe ").unwrap(), "jane.doe");
        for bad in [
            "",
            "   ",
            "jane doe",
            "jane@example.com",
            "jæne",
            &"a".repeat(65),
        ] {
            assert!(normalise_username(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn passwords_are_counted_in_characters() {
        assert!(matches!(
            check_password("elevenchars"),
            Err(AccountError::PasswordTooShort)
        ));
        check_password("twelve chars").unwrap();
        // Twelve characters, 24 bytes.
        check_password("æøåæøåæøåæøå").unwrap();
        assert!(matches!(
            check_password(&"x".repeat(MAX_PASSWORD_BYTES + 1)),
            Err(AccountError::PasswordTooLong)
        ));
    }

    #[test]
    fn hashes_are_argon2id_phc_strings_that_verify_only_the_right_password() {
        let phc = hash_now(b"correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$"), "{phc}");
        assert!(verify_now(b"correct horse battery", &phc).unwrap());
        assert!(!verify_now(b"correct horse batterY", &phc).unwrap());
        assert!(verify_now(b"x", "not a phc string").is_err());
        assert!(DUMMY_HASH.as_ref().unwrap().starts_with("$argon2id$"));
    }
}
