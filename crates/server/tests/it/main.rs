//! The API over real TCP on port 0, against real SQLite and real PostgreSQL.
//!
//! Every test runs once per backend (`sqlite::…` and `postgres::…`), through `spawn_app`.

mod access;
mod accounts;
mod api;
mod audit;
mod bad_input;
mod consent;
mod custom_pii;
mod decisions;
mod fairness;
mod policy_page;
mod privacy;
mod pseudonym_scope;
mod retention;

use std::sync::Arc;

use candor_audit::CheckpointSigner;
use candor_pii::PseudonymKey;
use candor_pipeline::{DEFAULT_POLICY, Ledger, Limits, Pipeline, Policy};
use candor_server::{AppState, Metrics, ServerConfig};
use candor_store::testing::{ScratchDatabase, Target};
use candor_store::{PgStore, SqliteStore, SqliteSync, Store};
use serde_json::{Value, json};
use tokio::sync::oneshot;

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

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub store: Arc<dyn Store>,
    pub ledger: Arc<Ledger>,
    pub target: Target,
    /// What the handlers see, for tests that run the server's background tasks.
    pub state: Arc<AppState>,
    stop: Option<oneshot::Sender<()>>,
    _guard: Guard,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// An HTTP client that sends `Authorization: Bearer <secret>` on every request.
pub fn client_with_token(secret: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {secret}").parse().unwrap(),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap()
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, ServerConfig::default(), Limits::default()).await
}

pub async fn spawn_app_with(backend: Backend, config: ServerConfig, limits: Limits) -> TestApp {
    let policy = Policy::parse(DEFAULT_POLICY).unwrap();
    spawn_app_with_policy(backend, config, limits, policy).await
}

pub async fn spawn_app_with_policy(
    backend: Backend,
    config: ServerConfig,
    limits: Limits,
    policy: Policy,
) -> TestApp {
    let (store, guard, target): (Arc<dyn Store>, Guard, Target) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let store = SqliteStore::open(dir.path(), SqliteSync::Normal)
                .await
                .unwrap();
            let target = Target::Sqlite(dir.path().to_owned());
            (Arc::new(store), Guard::Dir(dir), target)
        }
        Backend::Postgres => {
            let db = ScratchDatabase::create().await;
            let store = PgStore::connect(&db.url).await.unwrap();
            let target = Target::Postgres(db.url.clone());
            (Arc::new(store), Guard::Pg(db), target)
        }
    };
    let signer = CheckpointSigner::new("candor-test-log", &[5; 32]).unwrap();
    let ledger = Arc::new(Ledger::new(store.clone(), signer));
    let key = PseudonymKey::from_bytes([42; 32]);
    let master = candor_pipeline::vault::MasterKey::from_bytes([9; 32]);
    let pipeline = Pipeline::new(policy, key, master, limits, store.clone()).unwrap();
    let state = Arc::new(AppState {
        pipeline: Arc::new(pipeline),
        ledger: ledger.clone(),
        metrics: Metrics::default(),
        config,
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(candor_server::serve(listener, state.clone(), async move {
        let _ = stopped.await;
    }));
    // The suite acts as an admin unless a test says otherwise (tests/it/access.rs).
    let admin = candor_pipeline::access::issue_token(
        store.as_ref(),
        "test-admin",
        candor_core::Role::Admin,
        Pipeline::now(),
    )
    .await
    .unwrap();
    TestApp {
        base: format!("http://{addr}"),
        client: client_with_token(&admin.secret),
        store,
        ledger,
        target,
        state,
        stop: Some(stop),
        _guard: guard,
    }
}

impl TestApp {
    pub async fn post(&self, body: &Value) -> (u16, Value) {
        let r = self
            .client
            .post(format!("{}/v1/messages", self.base))
            .json(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap())
    }

    pub async fn post_raw(&self, body: Vec<u8>, content_type: Option<&str>) -> (u16, Value) {
        let mut req = self
            .client
            .post(format!("{}/v1/messages", self.base))
            .body(body);
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        let value = serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("error body is not JSON: {text:?}"));
        (status, value)
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// Imports the shipped sample knowledge base (`kb/`) through the API.
    pub async fn import_sample_kb(&self) {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kb");
        let articles: Vec<String> = candor_kb::load_dir(&dir)
            .unwrap()
            .iter()
            .map(candor_kb::Article::to_markdown)
            .collect();
        let r = self
            .client
            .post(format!("{}/v1/kb/articles", self.base))
            .json(&json!({ "articles": articles }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 201, "{}", r.text().await.unwrap());
    }

    /// A client acting with a fresh token of `role`.
    pub async fn client_as(&self, role: candor_core::Role) -> reqwest::Client {
        let token = candor_pipeline::access::issue_token(
            self.store.as_ref(),
            "test",
            role,
            Pipeline::now(),
        )
        .await
        .unwrap();
        client_with_token(&token.secret)
    }

    /// Sets an AI preference and a consent for `customer` through the pipeline's store, as a
    /// channel would.
    pub async fn pipeline_preference_and_consent(&self, customer: &str) {
        let at = candor_pipeline::Pipeline::now();
        self.store
            .set_ai_preference(
                customer,
                &candor_store::AiPreference {
                    opt_out: false,
                    source: "api".into(),
                    updated_at: at,
                },
                &candor_audit::AuditRecord::OptOut {
                    at_ms: at.millis(),
                    customer_hash: "test-hash".into(),
                    opted_out: false,
                    source: "api".into(),
                }
                .encode(),
            )
            .await
            .unwrap();
        self.store
            .record_consent(
                customer,
                &candor_store::ConsentChange {
                    purpose: "analytics".into(),
                    granted: true,
                    source: "api".into(),
                    policy_text_version: "test".into(),
                    at,
                },
                &candor_audit::AuditRecord::ConsentChange {
                    at_ms: at.millis(),
                    customer_hash: "test-hash".into(),
                    purpose: "analytics".into(),
                    granted: true,
                    source: "api".into(),
                    policy_text_version: "test".into(),
                }
                .encode(),
            )
            .await
            .unwrap();
        assert!(self.store.ai_preference(customer).await.unwrap().is_some());
    }

    /// Sends a valid message and returns the 201 body.
    pub async fn accept(&self, customer: &str, conversation: Option<&str>, text: &str) -> Value {
        let mut body = json!({"customer_id": customer, "channel": "chat", "text": text});
        if let Some(c) = conversation {
            body["conversation_id"] = json!(c);
        }
        let (status, value) = self.post(&body).await;
        assert_eq!(status, 201, "{value}");
        value
    }
}

/// Sends a request and returns the status and the JSON body (`null` when not JSON).
pub async fn call(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = client.request(method, url);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Declares each listed async test once per backend.
macro_rules! per_backend {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(crate::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(crate::Backend::Postgres).await;
                }
            )*
        }
    };
}
pub(crate) use per_backend;
