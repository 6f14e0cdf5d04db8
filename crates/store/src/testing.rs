//! Scratch PostgreSQL databases for tests: each test gets a fresh database on the local
//! server, dropped when the guard goes.

use sqlx::Connection;
use sqlx::postgres::PgConnection;

/// The server tests use: `CANDOR_TEST_DATABASE_URL`, or the local server's `postgres`
/// database. A server that is not running is a test failure, not a skip.
pub fn admin_url() -> String {
    std::env::var("CANDOR_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A database that exists for one test.
#[derive(Debug)]
pub struct ScratchDatabase {
    /// Connection URL of the scratch database.
    pub url: String,
    name: String,
    admin: String,
}

impl ScratchDatabase {
    /// Creates a fresh, empty database.
    ///
    /// # Panics
    ///
    /// When the server cannot be reached: tests that need PostgreSQL must fail without it.
    pub async fn create() -> ScratchDatabase {
        let admin = admin_url();
        let name = format!("candor_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = PgConnection::connect(&admin).await.unwrap_or_else(|e| {
            panic!("PostgreSQL must be running for these tests ({admin}): {e}")
        });
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("create scratch database");
        let base = admin
            .rsplit_once('/')
            .map_or(admin.as_str(), |(base, _)| base);
        ScratchDatabase {
            url: format!("{base}/{name}"),
            name,
            admin,
        }
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        // Drop runs inside or outside a runtime; a thread with its own runtime works in both.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                let mut conn = PgConnection::connect(&admin).await.ok()?;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&mut conn)
                .await
                .ok()
            })
        })
        .join();
    }
}

/// Where a test's database lives, for tampering with it as an attacker with database access
/// would.
#[derive(Debug, Clone)]
pub enum Target {
    /// The SQLite file of a data directory.
    Sqlite(std::path::PathBuf),
    /// A PostgreSQL database URL.
    Postgres(String),
}

/// A change an attacker with write access to the database could make.
#[derive(Debug, Clone)]
pub enum Tamper {
    /// Flip one bit of the record at `index`.
    FlipPayloadByte {
        /// Leaf index.
        index: u64,
    },
    /// Remove the record at `index`.
    DeleteEntry {
        /// Leaf index.
        index: u64,
    },
    /// Swap the records at `a` and `b`.
    SwapPayloads {
        /// One leaf index.
        a: u64,
        /// The other.
        b: u64,
    },
    /// Insert a forged record at `index`, moving the later records up by one.
    InsertEntry {
        /// Leaf index.
        index: u64,
        /// The forged record.
        payload: Vec<u8>,
    },
    /// Drop every record from `keep` on, with their hashes, as if the log had only `keep`.
    Truncate {
        /// How many records remain.
        keep: u64,
    },
    /// Replace the signed note of the checkpoint at `size`.
    ReplaceCheckpointNote {
        /// Checkpoint size.
        size: u64,
        /// The new note.
        note: String,
    },
    /// Delete a customer's pseudonym mappings, vault values and originals (erasure, as far as
    /// this release stores them).
    EraseCustomer {
        /// The customer.
        customer_id: String,
    },
}

macro_rules! on_target {
    ($target:expr, |$conn:ident| $body:block) => {
        match $target {
            Target::Sqlite(path) => {
                let url = format!(
                    "sqlite://{}",
                    path.join(crate::SqliteStore::FILE_NAME).display()
                );
                let mut $conn = sqlx::SqliteConnection::connect(&url)
                    .await
                    .expect("open SQLite");
                $body
            }
            Target::Postgres(url) => {
                let mut $conn = PgConnection::connect(url).await.expect("open PostgreSQL");
                $body
            }
        }
    };
}

/// Applies `tamper` directly to the database, bypassing Candor.
///
/// # Panics
///
/// When the database cannot be reached or a statement fails: this is test code.
pub async fn tamper(target: &Target, tamper: Tamper) {
    use sqlx::Executor;
    let i = |v: u64| v as i64;
    on_target!(target, |conn| {
        match &tamper {
            Tamper::FlipPayloadByte { index } => {
                let payload: Vec<u8> =
                    sqlx::query_scalar("SELECT payload FROM audit_log WHERE idx = $1")
                        .bind(i(*index))
                        .fetch_one(&mut conn)
                        .await
                        .unwrap();
                let mut forged = payload;
                forged[0] ^= 0x01;
                sqlx::query("UPDATE audit_log SET payload = $1 WHERE idx = $2")
                    .bind(forged)
                    .bind(i(*index))
                    .execute(&mut conn)
                    .await
                    .unwrap();
            }
            Tamper::DeleteEntry { index } => {
                sqlx::query("DELETE FROM audit_log WHERE idx = $1")
                    .bind(i(*index))
                    .execute(&mut conn)
                    .await
                    .unwrap();
            }
            Tamper::SwapPayloads { a, b } => {
                let get = "SELECT payload FROM audit_log WHERE idx = $1";
                let pa: Vec<u8> = sqlx::query_scalar(get)
                    .bind(i(*a))
                    .fetch_one(&mut conn)
                    .await
                    .unwrap();
                let pb: Vec<u8> = sqlx::query_scalar(get)
                    .bind(i(*b))
                    .fetch_one(&mut conn)
                    .await
                    .unwrap();
                let set = "UPDATE audit_log SET payload = $1 WHERE idx = $2";
                sqlx::query(set)
                    .bind(pb)
                    .bind(i(*a))
                    .execute(&mut conn)
                    .await
                    .unwrap();
                sqlx::query(set)
                    .bind(pa)
                    .bind(i(*b))
                    .execute(&mut conn)
                    .await
                    .unwrap();
            }
            Tamper::InsertEntry { index, payload } => {
                // Move later records up one by one from the end, so the primary key never clashes.
                let max: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(idx), -1) FROM audit_log")
                    .fetch_one(&mut conn)
                    .await
                    .unwrap();
                let mut at = max;
                while at >= i(*index) {
                    sqlx::query("UPDATE audit_log SET idx = idx + 1 WHERE idx = $1")
                        .bind(at)
                        .execute(&mut conn)
                        .await
                        .unwrap();
                    at -= 1;
                }
                sqlx::query(
                    "INSERT INTO audit_log (idx, payload, created_at_ms) VALUES ($1, $2, 0)",
                )
                .bind(i(*index))
                .bind(payload.clone())
                .execute(&mut conn)
                .await
                .unwrap();
                conn.execute("UPDATE audit_head SET size = size + 1 WHERE id = 1")
                    .await
                    .unwrap();
            }
            Tamper::Truncate { keep } => {
                sqlx::query("DELETE FROM audit_log WHERE idx >= $1")
                    .bind(i(*keep))
                    .execute(&mut conn)
                    .await
                    .unwrap();
                let stored = candor_audit::merkle::stored_hash_count(*keep);
                sqlx::query("DELETE FROM audit_hashes WHERE idx >= $1")
                    .bind(i(stored))
                    .execute(&mut conn)
                    .await
                    .unwrap();
                sqlx::query("UPDATE audit_head SET size = $1 WHERE id = 1")
                    .bind(i(*keep))
                    .execute(&mut conn)
                    .await
                    .unwrap();
            }
            Tamper::ReplaceCheckpointNote { size, note } => {
                sqlx::query("UPDATE audit_checkpoints SET note = $1 WHERE size = $2")
                    .bind(note.clone())
                    .bind(i(*size))
                    .execute(&mut conn)
                    .await
                    .unwrap();
            }
            Tamper::EraseCustomer { customer_id } => {
                for sql in [
                    "DELETE FROM pseudonyms WHERE conversation_id IN (SELECT id FROM conversations WHERE customer_id = $1)",
                    "DELETE FROM customer_pseudonyms WHERE customer_id = $1",
                    "DELETE FROM pii_vault WHERE conversation_id IN (SELECT id FROM conversations WHERE customer_id = $1)",
                    "DELETE FROM message_originals WHERE message_id IN (SELECT id FROM messages WHERE customer_id = $1)",
                ] {
                    sqlx::query(sql)
                        .bind(customer_id.clone())
                        .execute(&mut conn)
                        .await
                        .unwrap();
                }
            }
        }
    });
}

/// Moves everything recorded for a customer `by_ms` into the past (messages, their
/// conversations, the events in them and their pseudonym mappings), as if it had been
/// recorded then: retention tests need old data without waiting for it to age.
///
/// # Panics
///
/// When the database cannot be reached or a statement fails: this is test code.
pub async fn backdate_customer(target: &Target, customer_id: &str, by_ms: i64) {
    on_target!(target, |conn| {
        for sql in [
            "UPDATE messages SET received_at_ms = received_at_ms - $2 WHERE customer_id = $1",
            "UPDATE conversation_events SET at_ms = at_ms - $2 \
             WHERE conversation_id IN (SELECT id FROM conversations WHERE customer_id = $1)",
            "UPDATE conversations SET created_at_ms = created_at_ms - $2, \
             last_message_at_ms = last_message_at_ms - $2 WHERE customer_id = $1",
            "UPDATE customer_pseudonyms SET used_at_ms = used_at_ms - $2 WHERE customer_id = $1",
        ] {
            sqlx::query(sql)
                .bind(customer_id.to_owned())
                .bind(by_ms)
                .execute(&mut conn)
                .await
                .unwrap();
        }
    });
}
