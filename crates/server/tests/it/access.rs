//! Authentication and the role × action matrix, walked over HTTP for every role and route.

use candor_core::{Action, Role, permits};
use serde_json::{Value, json};

use crate::{Backend, TestApp, client_with_token, per_backend, spawn_app};

per_backend!(
    every_role_gets_exactly_what_the_matrix_grants,
    tokens_are_shown_once_hashed_and_revocable,
    requests_without_a_valid_token_are_refused
);

/// Every protected route, with the action it needs.
fn protected_routes(
    message_id: &str,
    conversation_id: &str,
) -> Vec<(&'static str, String, Option<Value>, Action)> {
    vec![
        (
            "POST",
            "/v1/messages".to_owned(),
            Some(
                json!({"customer_id": "m", "channel": "api", "text": "Hello, where is my parcel?"}),
            ),
            Action::SubmitMessage,
        ),
        (
            "GET",
            format!("/v1/messages/{message_id}"),
            None,
            Action::ReadMessage,
        ),
        (
            "GET",
            format!("/v1/conversations/{conversation_id}"),
            None,
            Action::ReadConversation,
        ),
        ("GET", "/v1/queue".to_owned(), None, Action::ReadQueue),
        (
            "GET",
            "/v1/audit/entries/0".to_owned(),
            None,
            Action::ReadAudit,
        ),
        (
            "GET",
            "/v1/audit/consistency?from=1&to=1".to_owned(),
            None,
            Action::ReadAudit,
        ),
        (
            "POST",
            "/v1/audit/checkpoint".to_owned(),
            None,
            Action::SignCheckpoint,
        ),
        ("GET", "/v1/tokens".to_owned(), None, Action::ManageTokens),
        (
            "POST",
            "/v1/tokens".to_owned(),
            Some(json!({"name": "made-in-test", "role": "agent"})),
            Action::ManageTokens,
        ),
        (
            "DELETE",
            "/v1/tokens/tok_doesnotexist".to_owned(),
            None,
            Action::ManageTokens,
        ),
        (
            "GET",
            "/v1/customers/matrix-customer/export".to_owned(),
            None,
            Action::ExportCustomer,
        ),
        (
            "DELETE",
            "/v1/customers/nobody-at-all".to_owned(),
            None,
            Action::EraseCustomer,
        ),
        (
            "POST",
            format!("/v1/conversations/{conversation_id}/reveal"),
            Some(json!({"token": "<EMAIL_9>", "reason": "matrix test"})),
            Action::RevealPii,
        ),
        (
            "GET",
            format!("/v1/conversations/{conversation_id}/handoff"),
            None,
            Action::HandleConversation,
        ),
        (
            "POST",
            "/v1/conversations/no-such-conversation/claim".to_owned(),
            None,
            Action::HandleConversation,
        ),
        (
            "POST",
            "/v1/conversations/no-such-conversation/replies".to_owned(),
            Some(json!({"text": "Hello"})),
            Action::HandleConversation,
        ),
        (
            "POST",
            "/v1/conversations/no-such-conversation/resolve".to_owned(),
            None,
            Action::HandleConversation,
        ),
        (
            "POST",
            format!("/v1/decisions/{message_id}/override"),
            Some(json!({"field": "priority", "to": "2", "reason": "matrix test"})),
            Action::OverrideDecision,
        ),
        (
            "POST",
            format!("/v1/decisions/{message_id}/feedback"),
            Some(json!({"correct": true})),
            Action::OverrideDecision,
        ),
        (
            "GET",
            format!("/v1/decisions/{message_id}/explanation?audience=customer"),
            None,
            Action::ReadCustomerExplanation,
        ),
        (
            "GET",
            format!("/v1/decisions/{message_id}/explanation?audience=staff"),
            None,
            Action::ReadStaffExplanation,
        ),
        (
            "POST",
            format!("/v1/decisions/{message_id}/complaints"),
            Some(json!({"text": "matrix test"})),
            Action::FileComplaint,
        ),
        (
            "GET",
            "/v1/complaints".to_owned(),
            None,
            Action::ManageComplaints,
        ),
        (
            "POST",
            "/v1/complaints/no-such-complaint/resolution".to_owned(),
            Some(json!({"upheld": false, "resolution": "matrix test"})),
            Action::ManageComplaints,
        ),
        (
            "PUT",
            "/v1/customers/matrix-other/ai-preference".to_owned(),
            Some(json!({"opt_out": false})),
            Action::SetAiPreference,
        ),
        (
            "PUT",
            "/v1/customers/matrix-other/consent".to_owned(),
            Some(json!({"analytics": "granted"})),
            Action::SetAiPreference,
        ),
        (
            "GET",
            "/v1/customers/matrix-other/consent".to_owned(),
            None,
            Action::ReadConversation,
        ),
        (
            "POST",
            "/v1/kb/articles".to_owned(),
            Some(json!({"articles": ["not an article"]})),
            Action::ManageKnowledgeBase,
        ),
        (
            "GET",
            "/v1/fairness/report?since=1d".to_owned(),
            None,
            Action::ReadFairness,
        ),
        // Last: logging out revokes the token the walk uses.
        (
            "DELETE",
            "/v1/sessions".to_owned(),
            None,
            Action::EndSession,
        ),
    ]
}

async fn send(
    client: &reqwest::Client,
    app: &TestApp,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let url = format!("{}{path}", app.base);
    let mut req = match method {
        "GET" => client.get(url),
        "POST" => client.post(url),
        "DELETE" => client.delete(url),
        "PUT" => client.put(url),
        other => panic!("unexpected method {other}"),
    };
    if let Some(b) = body {
        req = req.json(b);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn every_role_gets_exactly_what_the_matrix_grants(backend: Backend) {
    let app = spawn_app(backend).await;
    let created = app
        .accept("matrix-customer", None, "I want to change my address")
        .await;
    let (message_id, conversation_id) = (
        created["message_id"].as_str().unwrap(),
        created["conversation_id"].as_str().unwrap(),
    );
    for role in Role::ALL {
        let token = candor_pipeline::access::issue_token(
            app.store.as_ref(),
            "matrix",
            role,
            candor_pipeline::Pipeline::now(),
        )
        .await
        .unwrap();
        let client = client_with_token(&token.secret);
        for (method, path, body, action) in protected_routes(message_id, conversation_id) {
            let (status, answer) = send(&client, &app, method, &path, body.as_ref()).await;
            if permits(role, action) {
                assert!(
                    status != 401 && status != 403,
                    "{role} {method} {path}: expected access, got {status} {answer}"
                );
            } else {
                assert_eq!(
                    status, 403,
                    "{role} {method} {path}: expected 403, got {status} {answer}"
                );
                assert_eq!(answer["error"]["code"], "forbidden");
                assert!(
                    answer["error"]["message"]
                        .as_str()
                        .unwrap()
                        .contains(role.as_str())
                );
            }
        }
        // Public routes need no role at all.
        for path in [
            "/healthz",
            "/openapi.json",
            "/metrics",
            "/v1/audit/checkpoint",
            "/v1/audit/public-key",
            "/ai-policy",
        ] {
            let (status, _) = send(&reqwest::Client::new(), &app, "GET", path, None).await;
            assert_eq!(status, 200, "{path} should be public");
        }
        // Logging in needs no token: wrong credentials are refused as such, not for lack of
        // a token.
        let (status, answer) = send(
            &reqwest::Client::new(),
            &app,
            "POST",
            "/v1/sessions",
            Some(&json!({"username": "nobody", "password": "not the password"})),
        )
        .await;
        assert_eq!(status, 401, "{answer}");
        assert_eq!(answer["error"]["code"], "invalid_credentials");
    }
}

async fn tokens_are_shown_once_hashed_and_revocable(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, created) = send(
        &app.client,
        &app,
        "POST",
        "/v1/tokens",
        Some(&json!({"name": "chat-widget", "role": "channel"})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let secret = created["token"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("cnd_") && secret.len() > 60);
    let id = created["id"].as_str().unwrap().to_owned();

    // Listed without the secret; stored only as a hash.
    let (_, list) = send(&app.client, &app, "GET", "/v1/tokens", None).await;
    assert!(!list.to_string().contains(&secret));
    assert!(
        list["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == id.as_str() && t["role"] == "channel")
    );
    let stored = app.store.tokens().await.unwrap();
    assert!(
        stored
            .iter()
            .all(|t| !hex::encode(t.token_hash).contains(&secret[4..]))
    );

    let widget = client_with_token(&secret);
    let body = json!({"customer_id": "w", "channel": "chat", "text": "Hej, hvor er min pakke?"});
    assert_eq!(
        send(&widget, &app, "POST", "/v1/messages", Some(&body))
            .await
            .0,
        201
    );

    let (status, _) = send(
        &app.client,
        &app,
        "DELETE",
        &format!("/v1/tokens/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, answer) = send(&widget, &app, "POST", "/v1/messages", Some(&body)).await;
    assert_eq!(
        status, 401,
        "a revoked token stops working at once: {answer}"
    );
    assert_eq!(answer["error"]["code"], "invalid_token");
    assert_eq!(
        send(
            &app.client,
            &app,
            "DELETE",
            &format!("/v1/tokens/{id}"),
            None
        )
        .await
        .0,
        404
    );

    for (bad, field) in [
        (json!({"name": "x", "role": "root"}), "role"),
        (json!({"name": "has space", "role": "agent"}), "name"),
        (json!({"role": "agent"}), "name"),
    ] {
        let (status, answer) = send(&app.client, &app, "POST", "/v1/tokens", Some(&bad)).await;
        assert_eq!(status, 422, "{bad}: {answer}");
        assert_eq!(answer["error"]["field"], field, "{answer}");
    }
}

async fn requests_without_a_valid_token_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let anonymous = reqwest::Client::new();
    let body = json!({"customer_id": "a", "channel": "chat", "text": "hello"});
    let r = anonymous
        .post(format!("{}/v1/messages", app.base))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(r.headers().get("www-authenticate").unwrap(), "Bearer");
    let answer: Value = r.json().await.unwrap();
    assert_eq!(answer["error"]["code"], "missing_token");
    for bad in ["cnd_0000", "not-a-token", "", "cnd_\u{00e9}"] {
        let r = anonymous
            .get(format!("{}/v1/queue", app.base))
            .header("authorization", format!("Bearer {bad}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 401, "{bad:?}");
    }
    let r = anonymous
        .get(format!("{}/v1/queue", app.base))
        .header("authorization", "Basic dXNlcjpwYXNz")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    // Nothing was recorded by the refused requests.
    assert_eq!(app.store.message_count().await.unwrap(), 0);
}
