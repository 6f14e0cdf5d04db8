//! Bad input gets a JSON error naming the problem, and nothing accepted before it is lost.

use candor_pipeline::Limits;
use candor_server::ServerConfig;
use serde_json::json;

use crate::{Backend, per_backend, spawn_app, spawn_app_with};

per_backend!(
    every_kind_of_bad_request_is_named_and_loses_nothing,
    bodies_over_the_limit_get_413_and_texts_over_the_limit_422,
    unknown_routes_and_methods_get_json_errors,
);

/// A bad request: name, body, content type, expected status, error code and field.
type Case = (
    &'static str,
    Vec<u8>,
    Option<&'static str>,
    u16,
    &'static str,
    Option<&'static str>,
);

async fn every_kind_of_bad_request_is_named_and_loses_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let kept = app
        .accept("cust-1", Some("keep-me"), "My parcel never arrived.")
        .await;

    let valid = || json!({"customer_id": "c", "channel": "chat", "text": "hello there"});
    let cases: Vec<Case> = vec![
        (
            "malformed JSON",
            b"{\"customer_id\": \"c\",".to_vec(),
            Some("application/json"),
            400,
            "malformed_json",
            None,
        ),
        (
            "not JSON at all",
            b"hello".to_vec(),
            Some("application/json"),
            400,
            "malformed_json",
            None,
        ),
        (
            "empty body",
            Vec::new(),
            Some("application/json"),
            400,
            "malformed_json",
            None,
        ),
        (
            "trailing garbage",
            b"{\"customer_id\":\"c\",\"channel\":\"chat\",\"text\":\"hi\"} x".to_vec(),
            Some("application/json"),
            400,
            "malformed_json",
            None,
        ),
        (
            "non-UTF-8 inside a string",
            [
                &b"{\"customer_id\":\"c\",\"channel\":\"chat\",\"text\":\"caf"[..],
                &[0xE9, 0xFF],
                &b"\"}"[..],
            ]
            .concat(),
            Some("application/json"),
            400,
            "malformed_json",
            None,
        ),
        (
            "array instead of object",
            b"[1,2]".to_vec(),
            Some("application/json"),
            422,
            "invalid_field",
            None,
        ),
        (
            "missing text",
            br#"{"customer_id":"c","channel":"chat"}"#.to_vec(),
            Some("application/json"),
            422,
            "missing_field",
            Some("text"),
        ),
        (
            "missing customer",
            br#"{"channel":"chat","text":"hi"}"#.to_vec(),
            Some("application/json"),
            422,
            "missing_field",
            Some("customer_id"),
        ),
        (
            "missing channel",
            br#"{"customer_id":"c","text":"hi"}"#.to_vec(),
            Some("application/json"),
            422,
            "missing_field",
            Some("channel"),
        ),
        (
            "empty text",
            br#"{"customer_id":"c","channel":"chat","text":"   "}"#.to_vec(),
            Some("application/json"),
            422,
            "invalid_field",
            Some("text"),
        ),
        (
            "empty customer",
            br#"{"customer_id":"","channel":"chat","text":"hi"}"#.to_vec(),
            Some("application/json"),
            422,
            "invalid_field",
            Some("customer_id"),
        ),
        (
            "unknown channel",
            br#"{"customer_id":"c","channel":"fax","text":"hi"}"#.to_vec(),
            Some("application/json"),
            422,
            "invalid_field",
            Some("channel"),
        ),
        (
            "text is a number",
            br#"{"customer_id":"c","channel":"chat","text":5}"#.to_vec(),
            Some("application/json"),
            422,
            "invalid_field",
            Some("text"),
        ),
        (
            "unknown field",
            br#"{"customer_id":"c","channel":"chat","text":"hi","priority":"vip"}"#.to_vec(),
            Some("application/json"),
            422,
            "unknown_field",
            Some("priority"),
        ),
        (
            "metadata not an object",
            br#"{"customer_id":"c","channel":"chat","text":"hi","metadata":[1]}"#.to_vec(),
            Some("application/json"),
            422,
            "invalid_field",
            Some("metadata"),
        ),
        (
            "bad conversation id",
            br#"{"customer_id":"c","conversation_id":"a b/../c","channel":"chat","text":"hi"}"#
                .to_vec(),
            Some("application/json"),
            422,
            "invalid_field",
            Some("conversation_id"),
        ),
        (
            "control chars in customer",
            b"{\"customer_id\":\"c\\u0000x\",\"channel\":\"chat\",\"text\":\"hi\"}".to_vec(),
            Some("application/json"),
            422,
            "invalid_field",
            Some("customer_id"),
        ),
        (
            "customer id too long",
            serde_json::to_vec(
                &json!({"customer_id": "c".repeat(300), "channel": "chat", "text": "hi"}),
            )
            .unwrap(),
            Some("application/json"),
            422,
            "invalid_field",
            Some("customer_id"),
        ),
        (
            "form content type",
            serde_json::to_vec(&valid()).unwrap(),
            Some("application/x-www-form-urlencoded"),
            415,
            "unsupported_media_type",
            None,
        ),
    ];
    for (name, body, ct, status, code, field) in cases {
        let (got, err) = app.post_raw(body, ct).await;
        assert_eq!(got, status, "{name}: {err}");
        assert_eq!(err["error"]["code"], code, "{name}: {err}");
        assert!(
            !err["error"]["message"].as_str().unwrap().is_empty(),
            "{name}"
        );
        if let Some(field) = field {
            assert_eq!(err["error"]["field"], field, "{name}: {err}");
            assert!(
                err["error"]["message"].as_str().unwrap().contains(field),
                "{name}: message should name {field}: {err}"
            );
        }
    }

    // A body without a content type is accepted as JSON.
    let (status, _) = app
        .post_raw(serde_json::to_vec(&valid()).unwrap(), None)
        .await;
    assert_eq!(status, 201);

    // Everything accepted before is intact.
    let (status, conv) = app.get("/v1/conversations/keep-me").await;
    assert_eq!(status, 200);
    assert_eq!(conv["messages"][0]["message_id"], kept["message_id"]);
    assert_eq!(app.store.message_count().await.unwrap(), 2);
    assert_eq!(app.store.audit_entries(0, 10).await.unwrap().len(), 2);
}

async fn bodies_over_the_limit_get_413_and_texts_over_the_limit_422(backend: Backend) {
    let app = spawn_app_with(
        backend,
        ServerConfig {
            max_body_bytes: 4096,
            ..ServerConfig::default()
        },
        Limits {
            max_text_bytes: 1000,
        },
    )
    .await;
    let huge = json!({"customer_id": "c", "channel": "chat", "text": "a ".repeat(5000)});
    let (status, err) = app
        .post_raw(serde_json::to_vec(&huge).unwrap(), Some("application/json"))
        .await;
    assert_eq!(status, 413, "{err}");
    assert_eq!(err["error"]["code"], "payload_too_large");
    assert!(err["error"]["message"].as_str().unwrap().contains("4096"));

    let long = json!({"customer_id": "c", "channel": "chat", "text": "b ".repeat(600)});
    let (status, err) = app.post(&long).await;
    assert_eq!(status, 422, "{err}");
    assert_eq!(err["error"]["field"], "text");
    assert!(err["error"]["message"].as_str().unwrap().contains("1000"));

    // Adversarial but within limits: thousands of would-be addresses are handled, not choked on.
    let many: String = (0..150).map(|i| format!("u{i}@example.com ")).collect();
    let (status, body) = app
        .post(&json!({"customer_id": "c", "channel": "api", "text": many.trim_end()}))
        .await;
    assert_eq!(status, 422, "{body}"); // 150 addresses are over the 1000-byte text limit here
    let some: String = (0..40).map(|i| format!("u{i}@x.dk ")).collect();
    let (status, body) = app
        .post(&json!({"customer_id": "c", "channel": "api", "text": some.trim_end()}))
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["decision"]["pii"].as_array().unwrap().len(), 40);
    assert_eq!(app.store.message_count().await.unwrap(), 1);
}

async fn unknown_routes_and_methods_get_json_errors(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, body) = app.get("/v2/nothing").await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "not_found");
    let r = app
        .client
        .delete(format!("{}/v1/messages", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 405);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "method_not_allowed");
}
