//! Retention purges and master-key rotation on both backends, with data made old by moving
//! its timestamps into the past and purges run at an injected `now`.

use std::sync::Arc;

use candor_core::Timestamp;
use candor_pipeline::retention::{PurgeReport, Retention, RetentionClass, purge};
use candor_pipeline::rotation::rotate;
use candor_pipeline::vault::MasterKey;
use candor_pipeline::{DEFAULT_POLICY, Limits, Pipeline, Policy, verify_ledger};
use candor_server::{AppState, Metrics, ServerConfig};
use candor_store::testing::{Target, backdate_customer};
use candor_store::{EventKind, NewEvent, RewrappedKey, Store};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{Backend, TestApp, per_backend, spawn_app};

per_backend!(
    a_purge_removes_exactly_what_expired_per_class_and_records_it,
    rotation_rewraps_every_data_key_while_a_server_with_both_keys_serves
);

const DAY_MS: i64 = 24 * 60 * 60 * 1000;
const EMAIL: &str = "karen.holm@example.dk";

/// A message with personal data, an agent's reply, feedback and an override, for one customer.
async fn conversation_of(app: &TestApp, customer: &str) -> (Uuid, String) {
    let created = app
        .accept(
            customer,
            None,
            &format!("Min mail er {EMAIL}, pakken kom aldrig"),
        )
        .await;
    let id = Uuid::parse_str(created["message_id"].as_str().unwrap()).unwrap();
    let conversation = created["conversation_id"].as_str().unwrap().to_owned();
    for (kind, detail) in [
        (
            EventKind::AgentReply,
            json!({"text": "Hej Karen, vi kigger på det"}),
        ),
        (
            EventKind::Feedback,
            json!({"correct": false, "comment": "Karen was upset", "text": "Min mail er <EMAIL_1>", "intent": "track_order"}),
        ),
        (
            EventKind::Override,
            json!({"field": "route", "from": "bot", "to": "human", "reason": "Karen asked twice"}),
        ),
    ] {
        app.store
            .add_event(NewEvent {
                conversation_id: conversation.clone(),
                at: Pipeline::now(),
                kind,
                actor: "token:test".into(),
                message_id: Some(id),
                detail: detail.to_string(),
                audit_payload: None,
            })
            .await
            .unwrap();
    }
    (id, conversation)
}

fn counts(report: &PurgeReport) -> Vec<(&'static str, u64)> {
    report
        .classes
        .iter()
        .map(|c| (c.class.as_str(), c.count))
        .collect()
}

async fn event_detail(app: &TestApp, conversation: &str, kind: EventKind) -> Value {
    let events = app.store.events(conversation).await.unwrap();
    let e = events.iter().find(|e| e.kind == kind).unwrap();
    serde_json::from_str(&e.detail).unwrap()
}

/// Every file of the SQLite database (the file and its write-ahead log), as bytes.
fn sqlite_bytes(target: &Target) -> Vec<u8> {
    let Target::Sqlite(dir) = target else {
        unreachable!("only for SQLite")
    };
    let mut all = Vec::new();
    for suffix in ["", "-wal"] {
        let path = dir.join(format!("{}{suffix}", candor_store::SqliteStore::FILE_NAME));
        if let Ok(bytes) = std::fs::read(path) {
            all.extend(bytes);
        }
    }
    all
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

async fn a_purge_removes_exactly_what_expired_per_class_and_records_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let (old, old_conv) = conversation_of(&app, "old-customer").await;
    let (middle, middle_conv) = conversation_of(&app, "middle-customer").await;
    let (young, young_conv) = conversation_of(&app, "young-customer").await;
    backdate_customer(&app.target, "old-customer", 100 * DAY_MS).await;
    backdate_customer(&app.target, "middle-customer", 50 * DAY_MS).await;
    let (_, old_sealed) = app.store.message_original(old).await.unwrap().unwrap();
    let retention = Retention::from_days([
        (RetentionClass::MessageOriginals, 30),
        (RetentionClass::PseudonymisedText, 60),
        (RetentionClass::Decisions, 110),
        (RetentionClass::Feedback, 75),
    ]);
    let now = Pipeline::now();
    let store = app.store.as_ref();

    // A dry run counts and names the oldest, and changes nothing.
    let size = store.audit_size().await.unwrap();
    let dry = purge(store, &retention, now, true).await.unwrap();
    assert_eq!(
        counts(&dry),
        [
            // Two originals, both conversations' vault values and their pseudonym mappings.
            ("message_originals", 6),
            // The old message and the old agent reply.
            ("pseudonymised_text", 2),
            ("decisions", 0),
            // The old feedback and override.
            ("feedback", 2),
        ]
    );
    let oldest = dry.classes[0].oldest.as_ref().unwrap();
    assert_eq!(
        (oldest.kind, oldest.id.as_str()),
        ("original", old.to_string().as_str())
    );
    assert!(dry.classes.iter().all(|c| c.audit_indexes.is_empty()));
    assert_eq!(store.audit_size().await.unwrap(), size);
    assert!(store.message_original(old).await.unwrap().is_some());
    assert_ne!(
        store
            .message(old)
            .await
            .unwrap()
            .unwrap()
            .pseudonymised_text,
        "[purged]"
    );
    if matches!(backend, Backend::Sqlite) {
        assert!(contains(&sqlite_bytes(&app.target), &old_sealed[1..33]));
    }

    // The real purge removes exactly that, and records each class's batch.
    let done = purge(store, &retention, now, false).await.unwrap();
    assert_eq!(counts(&done), counts(&dry));
    for (id, kept) in [(old, false), (middle, false), (young, true)] {
        assert_eq!(store.message_original(id).await.unwrap().is_some(), kept);
    }
    for (conv, kept) in [
        (&old_conv, false),
        (&middle_conv, false),
        (&young_conv, true),
    ] {
        assert_eq!(
            store
                .vault_entry(conv, "<EMAIL_1>")
                .await
                .unwrap()
                .is_some(),
            kept
        );
    }
    let texts = |id| async move { store.message(id).await.unwrap().unwrap() };
    assert_eq!(texts(old).await.pseudonymised_text, "[purged]");
    assert!(texts(middle).await.pseudonymised_text.contains("<EMAIL_1>"));
    assert!(
        !texts(old)
            .await
            .decision
            .explanation
            .summary
            .contains("[purged]")
    );
    assert_eq!(
        event_detail(&app, &old_conv, EventKind::AgentReply).await["text"],
        "[purged]"
    );
    let feedback = event_detail(&app, &old_conv, EventKind::Feedback).await;
    assert_eq!(feedback["comment"], "[purged]");
    assert_eq!(feedback["text"], "[purged]");
    assert_eq!(feedback["correct"], false, "the label stays");
    let over = event_detail(&app, &old_conv, EventKind::Override).await;
    assert_eq!(
        (over["reason"].as_str(), over["to"].as_str()),
        (Some("[purged]"), Some("human"))
    );
    assert_eq!(
        event_detail(&app, &middle_conv, EventKind::Feedback).await["comment"],
        "Karen was upset"
    );
    assert_eq!(
        event_detail(&app, &young_conv, EventKind::AgentReply).await["text"],
        "Hej Karen, vi kigger på det"
    );
    let mut recorded = Vec::new();
    for c in &done.classes {
        assert_eq!(c.audit_indexes.len(), usize::from(c.count > 0), "{c:?}");
        for index in &c.audit_indexes {
            let (_, entry) = app.get(&format!("/v1/audit/entries/{index}")).await;
            assert_eq!(entry["record"]["type"], "retention_purge");
            assert_eq!(entry["record"]["class"], c.class.as_str());
            assert_eq!(entry["record"]["count"], c.count);
            assert_eq!(entry["record"]["cutoff_ms"], c.cutoff.unwrap().millis());
            assert!(!entry["record"].to_string().contains("Karen"));
            recorded.push(*index);
        }
    }
    assert_eq!(recorded.len(), 3);
    verify_ledger(store, &app.ledger.verifier(), |_| {})
        .await
        .expect("the ledger verifies after a purge");
    if matches!(backend, Backend::Sqlite) {
        assert!(
            !contains(&sqlite_bytes(&app.target), &old_sealed[1..33]),
            "the purged original's bytes are still in the database file"
        );
    }

    // Twenty days on, the middle text and the old decision expire too, and nothing else.
    let later = Timestamp(now.millis() + 20 * DAY_MS);
    let next = purge(store, &retention, later, false).await.unwrap();
    assert_eq!(
        counts(&next),
        [
            ("message_originals", 0),
            ("pseudonymised_text", 2),
            ("decisions", 1),
            ("feedback", 0),
        ]
    );
    let old_message = texts(old).await;
    assert_eq!(old_message.decision.explanation.summary, "[purged]");
    assert!(old_message.decision.explanation.reasons.is_empty());
    // What was decided, by which rule, stays; so does its place in the ledger.
    assert!(!old_message.decision.rule.is_empty());
    assert!(old_message.audit_index < size);
    assert_ne!(texts(middle).await.decision.explanation.summary, "[purged]");
    assert!(texts(young).await.pseudonymised_text.contains("<EMAIL_1>"));

    // Running again finds nothing and records nothing.
    let size = store.audit_size().await.unwrap();
    let again = purge(store, &retention, later, false).await.unwrap();
    assert!(again.classes.iter().all(|c| c.count == 0), "{again:?}");
    assert_eq!(store.audit_size().await.unwrap(), size);
    verify_ledger(store, &app.ledger.verifier(), |_| {})
        .await
        .unwrap();
    // A class without a period is never touched.
    let keep_all = purge(store, &Retention::default(), Timestamp(i64::MAX / 2), false)
        .await
        .unwrap();
    assert!(
        keep_all
            .classes
            .iter()
            .all(|c| c.count == 0 && c.cutoff.is_none())
    );
}

/// A second server on the same store whose pipeline holds `keys`.
async fn server_with(app: &TestApp, keys: MasterKey) -> (String, tokio::sync::oneshot::Sender<()>) {
    let policy = Policy::parse(DEFAULT_POLICY).unwrap();
    let key = candor_pii::PseudonymKey::from_bytes([42; 32]);
    let pipeline = Pipeline::new(policy, key, keys, Limits::default(), app.store.clone()).unwrap();
    let state = Arc::new(AppState {
        pipeline: Arc::new(pipeline),
        ledger: app.ledger.clone(),
        metrics: Metrics::default(),
        config: ServerConfig::default(),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(candor_server::serve(listener, state, async move {
        let _ = stopped.await;
    }));
    (base, stop)
}

async fn originals_open_with(store: &dyn Store, keys: &MasterKey, customer: &str) -> usize {
    let wrapped = store.wrapped_data_key(customer).await.unwrap().unwrap();
    let data_key = keys.unwrap(customer, &wrapped).unwrap();
    let originals = store.customer_originals(customer).await.unwrap();
    for (id, sealed) in &originals {
        let text = data_key.open(&format!("original:{id}"), sealed).unwrap();
        assert!(String::from_utf8(text).unwrap().contains(EMAIL));
    }
    originals.len()
}

async fn rotation_rewraps_every_data_key_while_a_server_with_both_keys_serves(backend: Backend) {
    // The app's master key is [9; 32]; the new one is [10; 32].
    let app = spawn_app(backend).await;
    let text = format!("Skriv til {EMAIL}");
    for customer in ["rot-a", "rot-b"] {
        app.accept(customer, None, &text).await;
    }
    let old = MasterKey::from_bytes([9; 32]);
    let new = MasterKey::from_bytes([10; 32]);
    let rotating = MasterKey::from_bytes([10; 32]).with_previous([[9; 32]]);
    let store = app.store.as_ref();

    // Rotation under way: rot-a is re-wrapped, rot-b not yet.
    let wrapped_a = store.wrapped_data_key("rot-a").await.unwrap().unwrap();
    let replaced = store
        .replace_wrapped_data_keys(&[RewrappedKey {
            customer_id: "rot-a".into(),
            new: rotating.rewrap("rot-a", &wrapped_a).unwrap(),
            old: wrapped_a.clone(),
        }])
        .await
        .unwrap();
    assert_eq!(replaced, 1);
    // A stale re-wrap (the key changed since it was read) is not applied.
    let stale = store
        .replace_wrapped_data_keys(&[RewrappedKey {
            customer_id: "rot-a".into(),
            new: wrapped_a.clone(),
            old: wrapped_a,
        }])
        .await
        .unwrap();
    assert_eq!(stale, 0);

    // A server with the new key and the previous one serves old, re-wrapped and new customers.
    let (base, _stop) = server_with(&app, rotating.clone()).await;
    for customer in ["rot-a", "rot-b", "rot-c"] {
        let r = app
            .client
            .post(format!("{base}/v1/messages"))
            .json(&json!({"customer_id": customer, "channel": "chat", "text": text}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status().as_u16(),
            201,
            "{customer}: {}",
            r.text().await.unwrap()
        );
    }
    let dpo = app.client_as(candor_core::Role::Dpo).await;
    for customer in ["rot-a", "rot-b"] {
        let export: Value = dpo
            .get(format!("{base}/v1/customers/{customer}/export"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(export["originals"].as_array().unwrap().len(), 2, "{export}");
    }

    // The rotation finishes: only rot-b was still wrapped by the old key.
    let report = rotate(store, &rotating, &app.ledger, 1, Pipeline::now())
        .await
        .unwrap();
    assert_eq!(
        (
            report.total,
            report.rewrapped,
            report.already_current,
            report.remaining
        ),
        (3, 1, 2, 0)
    );
    assert_eq!(report.key_id, new.key_id());
    for (customer, n) in [("rot-a", 2), ("rot-b", 2), ("rot-c", 1)] {
        assert_eq!(originals_open_with(store, &new, customer).await, n);
        let wrapped = store.wrapped_data_key(customer).await.unwrap().unwrap();
        assert!(old.unwrap(customer, &wrapped).is_err(), "{customer}");
    }
    let (_, entry) = app
        .get(&format!("/v1/audit/entries/{}", report.audit_index))
        .await;
    assert_eq!(entry["record"]["type"], "key_rotation");
    assert_eq!(entry["record"]["key_id"], new.key_id());
    assert_eq!(entry["record"]["rewrapped"], 1);
    assert_eq!(entry["record"]["remaining"], 0);

    // Re-running finds nothing left; the ledger verifies.
    let again = rotate(store, &rotating, &app.ledger, 500, Pipeline::now())
        .await
        .unwrap();
    assert_eq!(
        (again.rewrapped, again.remaining, again.already_current),
        (0, 0, 3)
    );
    verify_ledger(store, &app.ledger.verifier(), |_| {})
        .await
        .unwrap();
    // A node with only the new key now serves everyone; one with only the old key cannot.
    let (only_new, _stop_new) = server_with(&app, new).await;
    let (only_old, _stop_old) = server_with(&app, old).await;
    for (base, status) in [(only_new, 201), (only_old, 500)] {
        let r = app
            .client
            .post(format!("{base}/v1/messages"))
            .json(&json!({"customer_id": "rot-b", "channel": "chat", "text": "Hej igen"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), status, "{base}");
    }
}
