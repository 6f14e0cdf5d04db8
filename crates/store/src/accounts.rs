//! Accounts for people: a username, an argon2 password hash and one role.
//!
//! [`AccountStore`] is a supertrait of [`Store`](crate::Store), implemented for both backends
//! by `account_store_impl!` with the same shared SQL. The store keeps what it is given: the
//! pipeline normalises usernames and hashes passwords before they get here.

use async_trait::async_trait;
use candor_core::{Role, Timestamp};

use crate::StoreError;

/// A person's account as stored: never the password, only its argon2 PHC string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredUser {
    /// Its id.
    pub id: String,
    /// The login name, trimmed and lower-case.
    pub username: String,
    /// The password as an argon2 PHC string (`$argon2id$v=19$…`).
    pub password_hash: String,
    /// The role a session of this user grants.
    pub role: Role,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it was disabled, if it was; a disabled user cannot log in.
    pub disabled_at: Option<Timestamp>,
}

/// The accounts side of storage.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Saves a new user.
    ///
    /// # Errors
    ///
    /// [`StoreError::InvalidState`] when the username is taken (disabled users keep theirs).
    async fn create_user(&self, user: &StoredUser) -> Result<(), StoreError>;

    /// The user with exactly this (already normalised) username, disabled or not.
    async fn user_by_username(&self, username: &str) -> Result<Option<StoredUser>, StoreError>;

    /// Every user, by username.
    async fn users(&self) -> Result<Vec<StoredUser>, StoreError>;

    /// Disables an enabled user and revokes every unrevoked token issued to them, in one
    /// transaction. Returns how many tokens were revoked, or `None` when no enabled user has
    /// that username.
    async fn disable_user(&self, username: &str, at: Timestamp) -> Result<Option<u64>, StoreError>;
}

/// Implements [`AccountStore`] inside `shared_store_impl!`, where the backend's helpers are in
/// scope.
macro_rules! account_store_impl {
    ($store:ty) => {
        fn decode_user(r: &DbRow) -> Result<crate::accounts::StoredUser, StoreError> {
            let role: String = r.try_get("role")?;
            let disabled: Option<i64> = r.try_get("disabled_at_ms")?;
            Ok(crate::accounts::StoredUser {
                id: r.try_get("id")?,
                username: r.try_get("username")?,
                password_hash: r.try_get("password_hash")?,
                role: role.parse::<Role>().map_err(corrupt)?,
                created_at: Timestamp(r.try_get("created_at_ms")?),
                disabled_at: disabled.map(Timestamp),
            })
        }

        #[async_trait]
        impl crate::accounts::AccountStore for $store {
            async fn create_user(&self, u: &crate::accounts::StoredUser) -> Result<(), StoreError> {
                // ON CONFLICT instead of catching the unique violation: the two databases
                // report that error differently, and a race between two nodes ends the same way.
                let done = sqlx::query(
                    "INSERT INTO users (id, username, password_hash, role, created_at_ms, disabled_at_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (username) DO NOTHING",
                )
                .bind(&u.id)
                .bind(&u.username)
                .bind(&u.password_hash)
                .bind(u.role.as_str())
                .bind(u.created_at.millis())
                .bind(u.disabled_at.map(|d| d.millis()))
                .execute(self.writer())
                .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::InvalidState(format!("user `{}` already exists", u.username)));
                }
                Ok(())
            }

            async fn user_by_username(&self, username: &str) -> Result<Option<crate::accounts::StoredUser>, StoreError> {
                let row = sqlx::query(concat!(
                    "SELECT id, username, password_hash, role, created_at_ms, disabled_at_ms FROM users ",
                    "WHERE username = $1"
                ))
                .bind(username)
                .fetch_optional(self.reader())
                .await?;
                row.as_ref().map(decode_user).transpose()
            }

            async fn users(&self) -> Result<Vec<crate::accounts::StoredUser>, StoreError> {
                let rows = sqlx::query(concat!(
                    "SELECT id, username, password_hash, role, created_at_ms, disabled_at_ms FROM users ",
                    "ORDER BY username"
                ))
                .fetch_all(self.reader())
                .await?;
                rows.iter().map(decode_user).collect()
            }

            async fn disable_user(&self, username: &str, at: Timestamp) -> Result<Option<u64>, StoreError> {
                let mut tx = self.writer().begin().await?;
                let id: Option<String> = sqlx::query_scalar(
                    "UPDATE users SET disabled_at_ms = $1 WHERE username = $2 AND disabled_at_ms IS NULL RETURNING id",
                )
                .bind(at.millis())
                .bind(username)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(id) = id else {
                    return Ok(None);
                };
                let revoked = sqlx::query(
                    "UPDATE api_tokens SET revoked_at_ms = $1 WHERE user_id = $2 AND revoked_at_ms IS NULL",
                )
                .bind(at.millis())
                .bind(&id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                tx.commit().await?;
                Ok(Some(revoked))
            }
        }
    };
}

pub(crate) use account_store_impl;
