//! Consent per purpose through the real server: withdrawal takes effect on the next message,
//! re-granting is recorded (not retroactive), every change is in the history and the audit
//! ledger, and feedback on a customer without `model_training` is marked for training exports.

use candor_core::Role;
use serde_json::{Value, json};

use crate::{Backend, TestApp, call, per_backend, spawn_app};

per_backend!(
    withdrawn_ai_answers_sends_a_bot_answerable_question_to_a_person,
    withdrawn_ai_triage_runs_no_model,
    consent_history_and_audit_record_every_change,
    feedback_without_model_training_consent_is_marked,
    bad_consent_bodies_are_named,
);

const PASSWORD: &str = "How do I reset my password? I forgot it.";

async fn put_consent(
    app: &TestApp,
    client: &reqwest::Client,
    customer: &str,
    body: Value,
) -> Value {
    let (status, answer) = call(
        client,
        reqwest::Method::PUT,
        format!("{}/v1/customers/{customer}/consent", app.base),
        Some(body),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    answer
}

async fn withdrawn_ai_answers_sends_a_bot_answerable_question_to_a_person(backend: Backend) {
    let app = spawn_app(backend).await;
    app.import_sample_kb().await;
    let channel = app.client_as(Role::Channel).await;

    let before = app.accept("answers", None, PASSWORD).await;
    assert_eq!(before["decision"]["route"], "bot", "{before}");

    let view = put_consent(
        &app,
        &channel,
        "answers",
        json!({"ai_answers": "withdrawn"}),
    )
    .await;
    assert_eq!(
        view["consents"]["ai_answers"]["status"], "withdrawn",
        "{view}"
    );
    assert_eq!(view["consents"]["ai_answers"]["default"], false);
    assert_eq!(view["consents"]["ai_triage"]["status"], "granted");
    assert_eq!(view["consents"]["ai_triage"]["default"], true);

    // A new conversation, so that the bot's earlier answer to the same intent does not hand
    // over by itself (`bot_failed`).
    let after = app.accept("answers", None, PASSWORD).await;
    let d = &after["decision"];
    assert_eq!(d["route"], "human", "{d}");
    assert_eq!(d["escalation_reason"], "no_consent", "{d}");
    assert!(d["reply"].is_null(), "{d}");
    // AI triage is still consented to: the intent was understood, only the answer withheld.
    assert_eq!(d["intent"]["label"], "recover_password", "{d}");

    // Re-granting applies to the next message, in a new conversation; the earlier decision
    // stands as it was made.
    put_consent(&app, &channel, "answers", json!({"ai_answers": "granted"})).await;
    let regranted = app.accept("answers", None, PASSWORD).await;
    assert_eq!(regranted["decision"]["route"], "bot", "{regranted}");
    let message = after["message_id"].as_str().unwrap();
    let (status, stored) = app.get(&format!("/v1/messages/{message}")).await;
    assert_eq!(status, 200, "{stored}");
    assert_eq!(
        stored["decision"]["escalation_reason"], "no_consent",
        "{stored}"
    );
}

async fn withdrawn_ai_triage_runs_no_model(backend: Backend) {
    let app = spawn_app(backend).await;
    app.import_sample_kb().await;
    let agent = app.client_as(Role::Agent).await;
    put_consent(&app, &agent, "triage", json!({"ai_triage": "withdrawn"})).await;
    let created = app.accept("triage", None, PASSWORD).await;
    let d = &created["decision"];
    assert_eq!(d["route"], "human", "{d}");
    assert_eq!(d["escalation_reason"], "no_consent", "{d}");
    assert!(d["intent"].is_null(), "{d}");
    assert!(
        d["sentiment"].is_null() && d["frustration"].is_null(),
        "{d}"
    );

    // Another customer is untouched.
    let other = app.accept("someone-else", None, PASSWORD).await;
    assert_eq!(other["decision"]["route"], "bot", "{other}");
}

async fn consent_history_and_audit_record_every_change(backend: Backend) {
    let app = spawn_app(backend).await;
    let channel = app.client_as(Role::Channel).await;
    let agent = app.client_as(Role::Agent).await;
    put_consent(
        &app,
        &channel,
        "history",
        json!({"model_training": "granted", "analytics": "granted"}),
    )
    .await;
    put_consent(
        &app,
        &agent,
        "history",
        json!({"model_training": "withdrawn"}),
    )
    .await;

    let (status, view) = call(
        &agent,
        reqwest::Method::GET,
        format!("{}/v1/customers/history/consent", app.base),
        None,
    )
    .await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["customer_id"], "history");
    assert_eq!(view["consents"]["model_training"]["status"], "withdrawn");
    assert_eq!(view["consents"]["analytics"]["status"], "granted");
    assert_eq!(view["consents"]["analytics"]["default"], false);
    let history = view["history"].as_array().unwrap();
    let seen: Vec<(&str, &str, &str)> = history
        .iter()
        .map(|h| {
            (
                h["purpose"].as_str().unwrap(),
                h["status"].as_str().unwrap(),
                h["source"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            ("analytics", "granted", "api"),
            ("model_training", "granted", "api"),
            ("model_training", "withdrawn", "agent"),
        ],
        "{view}"
    );
    for h in history {
        assert_eq!(h["policy_text_version"], "2026-11-01", "{h}");
        assert!(h["at"].as_str().unwrap().ends_with('Z'), "{h}");
    }

    // A customer who never changed anything has the policy's defaults and no history.
    let (_, fresh) = call(
        &agent,
        reqwest::Method::GET,
        format!("{}/v1/customers/nobody/consent", app.base),
        None,
    )
    .await;
    assert_eq!(
        fresh["consents"]["ai_triage"]["status"], "granted",
        "{fresh}"
    );
    assert_eq!(fresh["consents"]["model_training"]["status"], "withdrawn");
    assert_eq!(fresh["consents"]["model_training"]["default"], true);
    assert_eq!(fresh["history"], json!([]));

    let entries = app.store.audit_entries(0, 1000).await.unwrap();
    let changes: Vec<Value> = entries
        .iter()
        .map(|e| serde_json::from_slice::<Value>(&e.payload).unwrap())
        .filter(|r| r["type"] == "consent_change")
        .collect();
    assert_eq!(changes.len(), 3, "{changes:?}");
    for r in &changes {
        assert_eq!(r["policy_text_version"], "2026-11-01", "{r}");
        // The ledger holds a keyed hash, never the customer id itself.
        assert_ne!(r["customer_hash"], "history", "{r}");
        assert!(!r.to_string().contains("\"history\""), "{r}");
    }
    assert_eq!(changes[2]["purpose"], "model_training");
    assert_eq!(changes[2]["granted"], false);
}

async fn feedback_without_model_training_consent_is_marked(backend: Backend) {
    let app = spawn_app(backend).await;
    let agent = app.client_as(Role::Agent).await;
    let channel = app.client_as(Role::Channel).await;
    put_consent(
        &app,
        &channel,
        "trains",
        json!({"model_training": "granted"}),
    )
    .await;
    let mut marks = Vec::new();
    for customer in ["trains", "default-no-training"] {
        let created = app.accept(customer, None, PASSWORD).await;
        let message = created["message_id"].as_str().unwrap();
        let (status, body) = call(
            &agent,
            reqwest::Method::POST,
            format!("{}/v1/decisions/{message}/feedback", app.base),
            Some(json!({"correct": true, "comment": ""})),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        let conversation = created["conversation_id"].as_str().unwrap();
        let events = app.store.events(conversation).await.unwrap();
        let feedback = events
            .iter()
            .find(|e| e.kind == candor_store::EventKind::Feedback)
            .unwrap();
        let detail: Value = serde_json::from_str(&feedback.detail).unwrap();
        marks.push(detail["model_training"].clone());
    }
    assert_eq!(marks, vec![json!(true), json!(false)]);
}

async fn bad_consent_bodies_are_named(backend: Backend) {
    let app = spawn_app(backend).await;
    let channel = app.client_as(Role::Channel).await;
    let url = format!("{}/v1/customers/bad/consent", app.base);
    for (body, field) in [
        (json!({"marketing": "granted"}), "marketing"),
        (json!({"ai_answers": "yes"}), "ai_answers"),
        (
            json!({"ai_triage": "withdrawn", "analytics": "maybe"}),
            "analytics",
        ),
        (json!({}), "body"),
    ] {
        let (status, answer) = call(
            &channel,
            reqwest::Method::PUT,
            url.clone(),
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, 422, "{body}: {answer}");
        assert_eq!(answer["error"]["field"], field, "{body}: {answer}");
    }
    let (status, answer) = call(
        &channel,
        reqwest::Method::PUT,
        url.clone(),
        Some(json!({"ai_triage": true})),
    )
    .await;
    assert_eq!(status, 422, "{answer}");
    // Nothing of a rejected body was recorded, not even its valid part.
    let agent = app.client_as(Role::Agent).await;
    let (_, view) = call(&agent, reqwest::Method::GET, url, None).await;
    assert_eq!(view["history"], json!([]), "{view}");
    // Consent is the customer's or an agent's call, not an admin's.
    let (status, _) = call(
        &app.client,
        reqwest::Method::PUT,
        format!("{}/v1/customers/bad/consent", app.base),
        Some(json!({"ai_triage": "withdrawn"})),
    )
    .await;
    assert_eq!(status, 403);
}
