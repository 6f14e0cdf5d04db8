//! The store against real SQLite and real PostgreSQL: every test runs once per backend
//! (`sqlite::…` and `postgres::…`). PostgreSQL tests fail, not skip, without a server.

mod pseudonyms;

use std::sync::Arc;

use candor_core::{
    Channel, Decision, Explanation, HumanRequestSignal, LanguageGuess, Route, Timestamp,
    Understanding, Versions,
};
use candor_store::testing::{ScratchDatabase, Target};
use candor_store::{NewMessage, PgStore, PseudonymScope, SqliteStore, SqliteSync, Store};
use uuid::Uuid;

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Keeps the database alive for the test.
#[allow(dead_code)]
enum Guard {
    Dir(tempfile::TempDir),
    Pg(ScratchDatabase),
}

pub struct TestStore {
    pub store: Arc<dyn Store>,
    pub target: Target,
    _guard: Guard,
}

pub async fn open(backend: Backend) -> TestStore {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let store = SqliteStore::open(dir.path(), SqliteSync::Normal)
                .await
                .unwrap();
            TestStore {
                store: Arc::new(store),
                target: Target::Sqlite(dir.path().to_owned()),
                _guard: Guard::Dir(dir),
            }
        }
        Backend::Postgres => {
            let db = ScratchDatabase::create().await;
            let store = PgStore::connect(&db.url).await.unwrap();
            TestStore {
                store: Arc::new(store),
                target: Target::Postgres(db.url.clone()),
                _guard: Guard::Pg(db),
            }
        }
    }
}

/// A message with no personal data and a plain bot decision, recorded in `conversation_id`
/// for `customer_id` at `at` with `scope`.
pub fn message(
    conversation_id: &str,
    customer_id: &str,
    scope: PseudonymScope,
    at: Timestamp,
) -> NewMessage {
    NewMessage {
        id: Uuid::now_v7(),
        conversation_id: conversation_id.to_owned(),
        customer_id: customer_id.to_owned(),
        channel: Channel::Chat,
        received_at: at,
        pseudonym_scope: scope,
        original_sealed: vec![1, 2, 3],
        pseudonymised_text: "hello".to_owned(),
        metadata: None,
        language: None,
        language_confidence: 0.0,
        pii: Vec::new(),
        vault: Vec::new(),
        decision: Decision {
            route: Route::Bot,
            rule: "test".to_owned(),
            escalation_reason: None,
            reply: None,
            notice: None,
            understanding: Understanding {
                language: LanguageGuess {
                    lang: None,
                    confidence: 0.0,
                },
                intent: None,
                sentiment: None,
                frustration: None,
                human_request: HumanRequestSignal {
                    detected: false,
                    confidence: 0.0,
                },
            },
            priority: None,
            explanation: Explanation {
                summary: "test".to_owned(),
                reasons: Vec::new(),
            },
            versions: Versions {
                pipeline: "test".to_owned(),
                policy: "test".to_owned(),
                language_model: "test".to_owned(),
                intent_model: String::new(),
                sentiment_model: String::new(),
                cues: String::new(),
                knowledge_base: String::new(),
            },
        },
        need: None,
        audit_payload: b"test record".to_vec(),
    }
}

macro_rules! per_backend {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    super::$name(crate::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    super::$name(crate::Backend::Postgres).await;
                }
            )*
        }
    };
}
pub(crate) use per_backend;
