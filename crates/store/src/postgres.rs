//! PostgreSQL, for several Candor nodes sharing one database.

use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};

use crate::StoreError;

/// A [`Store`](crate::Store) on PostgreSQL.
///
/// Several nodes may write at once. The audit sequence is assigned inside the database
/// transaction, under a row lock on the single `audit_head` row, so nodes never fork the log;
/// pseudonym ordinals are assigned under a transaction-scoped advisory lock per conversation.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects to `url` (`postgres://user@host:port/db`) and brings the schema up to date.
    ///
    /// # Errors
    ///
    /// When the server cannot be reached or a migration fails.
    pub async fn connect(url: &str) -> Result<PgStore, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(PgStore { pool })
    }

    fn writer(&self) -> &PgPool {
        &self.pool
    }

    fn reader(&self) -> &PgPool {
        &self.pool
    }
}

crate::backend::shared_store_impl! {
    store: PgStore,
    db: sqlx::Postgres,
    backend: Backend::Postgres,
    lock_conversation: Some("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))"),
    select_audit_head: "SELECT size FROM audit_head WHERE id = 1 FOR UPDATE",
}
