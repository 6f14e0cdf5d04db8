//! The customers' wrapped data keys as a whole, for re-wrapping them under a new master key.
//!
//! [`KeyStore`] is a supertrait of [`Store`](crate::Store), implemented for both backends by
//! `key_store_impl!` with the same shared SQL.

use async_trait::async_trait;

use crate::StoreError;

/// One data key re-wrapped: replaces `old` by `new` only if `old` is still the stored one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RewrappedKey {
    /// The customer.
    pub customer_id: String,
    /// The wrapped key as read.
    pub old: Vec<u8>,
    /// The same data key wrapped by the new master key.
    pub new: Vec<u8>,
}

/// Bulk access to wrapped data keys.
#[async_trait]
pub trait KeyStore: Send + Sync {
    /// Up to `limit` wrapped data keys of customers whose id sorts after `after` (all from the
    /// start for `None`), in customer-id order.
    async fn wrapped_data_keys(
        &self,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<(String, Vec<u8>)>, StoreError>;

    /// Replaces wrapped keys in one transaction, each only if it is unchanged since it was read
    /// (a customer erased meanwhile stays erased). Returns how many were replaced.
    async fn replace_wrapped_data_keys(&self, keys: &[RewrappedKey]) -> Result<u64, StoreError>;
}

/// Implements [`KeyStore`] inside `shared_store_impl!`, where the backend's helpers are in
/// scope.
macro_rules! key_store_impl {
    ($store:ty) => {
        use crate::keys::{KeyStore, RewrappedKey};

        #[async_trait]
        impl KeyStore for $store {
            async fn wrapped_data_keys(&self, after: Option<&str>, limit: u32) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
                let rows = match after {
                    None => {
                        sqlx::query("SELECT customer_id, wrapped_key FROM customer_keys ORDER BY customer_id LIMIT $1")
                            .bind(i64::from(limit))
                            .fetch_all(self.reader())
                            .await?
                    }
                    Some(after) => {
                        sqlx::query(
                            "SELECT customer_id, wrapped_key FROM customer_keys WHERE customer_id > $1 \
                             ORDER BY customer_id LIMIT $2",
                        )
                        .bind(after)
                        .bind(i64::from(limit))
                        .fetch_all(self.reader())
                        .await?
                    }
                };
                rows.iter().map(|r| Ok((r.try_get("customer_id")?, r.try_get("wrapped_key")?))).collect()
            }

            async fn replace_wrapped_data_keys(&self, keys: &[RewrappedKey]) -> Result<u64, StoreError> {
                let mut tx = self.writer().begin().await?;
                let mut replaced = 0;
                for k in keys {
                    replaced += sqlx::query(
                        "UPDATE customer_keys SET wrapped_key = $1 WHERE customer_id = $2 AND wrapped_key = $3",
                    )
                    .bind(&k.new)
                    .bind(&k.customer_id)
                    .bind(&k.old)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                }
                tx.commit().await?;
                Ok(replaced)
            }
        }
    };
}

pub(crate) use key_store_impl;
