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
