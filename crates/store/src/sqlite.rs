//! The embedded default: one SQLite file in WAL mode.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::StoreError;

/// How hard SQLite works to make a commit durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SqliteSync {
    /// `synchronous=FULL`: a commit survives a power cut. The default.
    #[default]
    Full,
    /// `synchronous=NORMAL`: in WAL mode a commit survives the process being killed, but the
    /// last commits may be lost in a power cut. Faster.
    Normal,
}

impl FromStr for SqliteSync {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "full" => Ok(SqliteSync::Full),
            "normal" => Ok(SqliteSync::Normal),
            other => Err(format!(
                "`{other}` is not a SQLite sync mode (expected `full` or `normal`)"
            )),
        }
    }
}

/// A [`Store`](crate::Store) on one SQLite file.
///
/// Writes go through a pool of ONE connection, so writers queue in-process instead of
/// meeting SQLite's busy errors; reads use their own connections, which WAL lets run beside
/// the writer.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
    path: PathBuf,
}

impl SqliteStore {
    /// The database file's name inside the data directory.
    pub const FILE_NAME: &'static str = "candor.sqlite3";

    /// Opens (creating if needed) `DIR/candor.sqlite3` and brings its schema up to date.
    ///
    /// # Errors
    ///
    /// When the directory cannot be created, the file cannot be opened, or a migration fails.
    pub async fn open(data_dir: &Path, sync: SqliteSync) -> Result<SqliteStore, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
            path: data_dir.display().to_string(),
            source,
        })?;
        let path = data_dir.join(Self::FILE_NAME);
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(match sync {
                SqliteSync::Full => SqliteSynchronous::Full,
                SqliteSync::Normal => SqliteSynchronous::Normal,
            })
            .foreign_keys(true)
            // Deleted content is overwritten with zeros, so that erased or purged data does not
            // linger in free pages of the file.
            .pragma("secure_delete", "ON")
            // Another process (a `candor triage` beside `candor serve`) may hold the write lock.
            .busy_timeout(Duration::from_secs(10));
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&writer).await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.read_only(true))
            .await?;
        Ok(SqliteStore {
            writer,
            reader,
            path,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn writer(&self) -> &SqlitePool {
        &self.writer
    }

    fn reader(&self) -> &SqlitePool {
        &self.reader
    }
}

crate::backend::shared_store_impl! {
    store: SqliteStore,
    db: sqlx::Sqlite,
    backend: Backend::Sqlite,
    // The single writer connection already serialises writers.
    lock_conversation: None,
    select_audit_head: "SELECT size FROM audit_head WHERE id = 1",
}
