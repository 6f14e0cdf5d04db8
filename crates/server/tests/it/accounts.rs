//! Token expiry, user accounts and sessions (password login, cookie, logout), bad login
//! bodies, and CORS, over HTTP on both backends.

use std::time::Duration;

use candor_core::{Role, Timestamp};
use candor_pipeline::Limits;
use candor_pipeline::Pipeline;
use candor_pipeline::access::{TokenOptions, issue_token_with};
use candor_pipeline::accounts::create_user;
use candor_server::ServerConfig;
use serde_json::{Value, json};

use crate::{Backend, TestApp, call, client_with_token, per_backend, spawn_app, spawn_app_with};

per_backend!(
    revoked_and_expired_tokens_are_refused,
    a_person_logs_in_works_by_header_or_cookie_and_logs_out,
    wrong_credentials_get_one_answer_and_disabling_ends_sessions,
    sessions_expire_after_the_configured_lifetime,
    bad_login_bodies_get_json_errors,
    cors_is_off_by_default_and_exact_when_configured,
);

const PASSWORD: &str = "correct horse battery staple";

async fn login(app: &TestApp, username: &str, password: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/v1/sessions", app.base))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
}

/// A client that sends only the session cookie, as a browser would.
fn client_with_cookie(secret: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::COOKIE,
        format!("theme=dark; candor_session={secret}")
            .parse()
            .unwrap(),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap()
}

fn millis_of(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .timestamp_millis()
}

async fn revoked_and_expired_tokens_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let queue = format!("{}/v1/queue", app.base);

    // An admin makes a token that expires in 30 days; the listing shows when.
    let (status, created) = call(
        &app.client,
        reqwest::Method::POST,
        format!("{}/v1/tokens", app.base),
        Some(json!({"name": "contractor", "role": "agent", "expires_in_days": 30})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let in_30_days = Pipeline::now().millis() + 30 * 86_400_000;
    let expires = millis_of(created["expires_at"].as_str().unwrap());
    assert!((expires - in_30_days).abs() < 60_000, "{created}");
    let (_, list) = app.get("/v1/tokens").await;
    let listed = list["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == created["id"])
        .unwrap()
        .clone();
    assert_eq!(listed["expires_at"], created["expires_at"]);
    assert!(
        list["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "test-admin" && t["expires_at"].is_null()),
        "tokens without expiry list `null`: {list}"
    );
    let contractor = client_with_token(created["token"].as_str().unwrap());
    assert_eq!(
        call(&contractor, reqwest::Method::GET, queue.clone(), None)
            .await
            .0,
        200
    );

    for days in [0, 3651] {
        let (status, answer) = call(
            &app.client,
            reqwest::Method::POST,
            format!("{}/v1/tokens", app.base),
            Some(json!({"name": "x", "role": "agent", "expires_in_days": days})),
        )
        .await;
        assert_eq!(status, 422, "{days}: {answer}");
        assert_eq!(answer["error"]["field"], "expires_in_days");
    }

    // A token whose expiry has passed: 401 expired_token, in the API's error shape.
    let yesterday = Timestamp(Pipeline::now().millis() - 86_400_000);
    let stale = issue_token_with(
        app.store.as_ref(),
        "stale",
        Role::Admin,
        Timestamp(yesterday.millis() - 86_400_000),
        TokenOptions {
            expires_at: Some(yesterday),
            user_id: None,
        },
    )
    .await
    .unwrap();
    let r = client_with_token(&stale.secret)
        .get(&queue)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(r.headers().get("www-authenticate").unwrap(), "Bearer");
    let answer: Value = r.json().await.unwrap();
    assert_eq!(answer["error"]["code"], "expired_token", "{answer}");
    assert!(answer["error"]["message"].is_string());

    // A revoked token: 401 invalid_token, also when it has not expired yet.
    let (status, _) = call(
        &app.client,
        reqwest::Method::DELETE,
        format!("{}/v1/tokens/{}", app.base, created["id"].as_str().unwrap()),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, answer) = call(&contractor, reqwest::Method::GET, queue, None).await;
    assert_eq!(status, 401, "{answer}");
    assert_eq!(answer["error"]["code"], "invalid_token");
}

async fn a_person_logs_in_works_by_header_or_cookie_and_logs_out(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = create_user(
        app.store.as_ref(),
        "Jane.Doe",
        PASSWORD,
        Role::Agent,
        Pipeline::now(),
    )
    .await
    .unwrap();
    assert_eq!(user.username, "jane.doe");
    assert!(user.password_hash.starts_with("$argon2id$"));

    // Trimmed and case-insensitive.
    let r = login(&app, "  JANE.doe ", PASSWORD).await;
    assert_eq!(r.status().as_u16(), 201);
    let cookie = r
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(r.headers().get("cache-control").unwrap(), "no-store");
    let session: Value = r.json().await.unwrap();
    let secret = session["token"].as_str().unwrap().to_owned();
    assert_eq!(session["role"], "agent");
    let expires = millis_of(session["expires_at"].as_str().unwrap());
    let in_8_hours = Pipeline::now().millis() + 8 * 3_600_000;
    assert!((expires - in_8_hours).abs() < 60_000, "{session}");
    assert!(
        cookie.starts_with(&format!("candor_session={secret};")),
        "{cookie}"
    );
    for flag in [
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Path=/",
        "Max-Age=28800",
    ] {
        assert!(
            cookie.split("; ").any(|part| part == flag),
            "{flag} missing: {cookie}"
        );
    }

    // The session is a token named after the user, of their role, expiring, and only hashed.
    let stored = app.store.tokens().await.unwrap();
    let token = stored.iter().find(|t| t.name == "jane.doe").unwrap();
    assert_eq!(token.role, Role::Agent);
    assert_eq!(token.user_id.as_deref(), Some(user.id.as_str()));
    assert_eq!(token.expires_at.map(|e| e.millis()), Some(expires));

    // It grants the agent's role: by header, and by cookie alone.
    let by_header = client_with_token(&secret);
    let by_cookie = client_with_cookie(&secret);
    for client in [&by_header, &by_cookie] {
        let queue = call(
            client,
            reqwest::Method::GET,
            format!("{}/v1/queue", app.base),
            None,
        )
        .await;
        assert_eq!(queue.0, 200, "{}", queue.1);
        let tokens = call(
            client,
            reqwest::Method::GET,
            format!("{}/v1/tokens", app.base),
            None,
        )
        .await;
        assert_eq!(tokens.0, 403, "{}", tokens.1);
    }
    // An explicit header wins over the cookie.
    let r = by_cookie
        .get(format!("{}/v1/queue", app.base))
        .header("authorization", "Bearer cnd_0000")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);

    // Logging out with the cookie revokes the token and clears the cookie.
    let r = by_cookie
        .delete(format!("{}/v1/sessions", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    let cleared = r.headers().get("set-cookie").unwrap().to_str().unwrap();
    assert!(
        cleared.starts_with("candor_session=;") && cleared.contains("Max-Age=0"),
        "{cleared}"
    );
    for client in [&by_header, &by_cookie] {
        let (status, answer) = call(
            client,
            reqwest::Method::GET,
            format!("{}/v1/queue", app.base),
            None,
        )
        .await;
        assert_eq!(status, 401, "{answer}");
        assert_eq!(answer["error"]["code"], "invalid_token");
    }
    // Logging out without a session is refused like any protected route.
    let r = reqwest::Client::new()
        .delete(format!("{}/v1/sessions", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);

    // A taken username (in any case) is refused; so is a user with the channel role.
    assert!(
        create_user(
            app.store.as_ref(),
            "JANE.DOE",
            PASSWORD,
            Role::Dpo,
            Pipeline::now()
        )
        .await
        .is_err()
    );
    assert!(
        create_user(
            app.store.as_ref(),
            "widget",
            PASSWORD,
            Role::Channel,
            Pipeline::now()
        )
        .await
        .is_err()
    );
}

async fn wrong_credentials_get_one_answer_and_disabling_ends_sessions(backend: Backend) {
    let app = spawn_app(backend).await;
    create_user(
        app.store.as_ref(),
        "sam",
        PASSWORD,
        Role::Supervisor,
        Pipeline::now(),
    )
    .await
    .unwrap();
    create_user(
        app.store.as_ref(),
        "gone",
        PASSWORD,
        Role::Dpo,
        Pipeline::now(),
    )
    .await
    .unwrap();
    let r = login(&app, "gone", PASSWORD).await;
    assert_eq!(r.status().as_u16(), 201);
    let gone_session: Value = r.json().await.unwrap();
    assert_eq!(
        app.store
            .disable_user("gone", Pipeline::now())
            .await
            .unwrap(),
        Some(1)
    );
    assert_eq!(
        app.store
            .disable_user("gone", Pipeline::now())
            .await
            .unwrap(),
        None
    );

    let mut answers = Vec::new();
    for (username, password) in [
        ("sam", "wrong password here"),
        ("sam", &PASSWORD[..PASSWORD.len() - 1]),
        ("nobody", PASSWORD),
        ("gone", PASSWORD),
        ("not a valid name!", PASSWORD),
        ("sam", ""),
    ] {
        let r = login(&app, username, password).await;
        assert_eq!(r.status().as_u16(), 401, "{username}");
        assert!(r.headers().get("set-cookie").is_none());
        let answer: Value = r.json().await.unwrap();
        assert_eq!(answer["error"]["code"], "invalid_credentials");
        answers.push(answer);
    }
    assert!(
        answers.windows(2).all(|w| w[0] == w[1]),
        "unknown users, disabled users and wrong passwords must look alike: {answers:?}"
    );

    // The disabled user's open session ended with the account.
    let (status, answer) = call(
        &client_with_token(gone_session["token"].as_str().unwrap()),
        reqwest::Method::GET,
        format!("{}/v1/audit/entries/0", app.base),
        None,
    )
    .await;
    assert_eq!(status, 401, "{answer}");
    assert_eq!(answer["error"]["code"], "invalid_token");

    // The right password still works for the enabled user, and no token was made for the
    // refused attempts.
    assert_eq!(login(&app, "sam", PASSWORD).await.status().as_u16(), 201);
    let users = app.store.users().await.unwrap();
    assert_eq!(
        users
            .iter()
            .map(|u| u.username.as_str())
            .collect::<Vec<_>>(),
        ["gone", "sam"]
    );
    let sessions = app
        .store
        .tokens()
        .await
        .unwrap()
        .into_iter()
        .filter(|t| t.user_id.is_some())
        .count();
    assert_eq!(sessions, 2);
}

async fn sessions_expire_after_the_configured_lifetime(backend: Backend) {
    let app = spawn_app_with(
        backend,
        ServerConfig {
            session_lifetime: Duration::from_secs(1),
            ..ServerConfig::default()
        },
        Limits::default(),
    )
    .await;
    create_user(
        app.store.as_ref(),
        "brief",
        PASSWORD,
        Role::AiOfficer,
        Pipeline::now(),
    )
    .await
    .unwrap();
    let r = login(&app, "brief", PASSWORD).await;
    assert_eq!(r.status().as_u16(), 201);
    assert!(
        r.headers()
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("Max-Age=1")
    );
    let session: Value = r.json().await.unwrap();
    let client = client_with_token(session["token"].as_str().unwrap());
    let url = format!("{}/v1/audit/entries/0", app.base);
    let (status, _) = call(&client, reqwest::Method::GET, url.clone(), None).await;
    assert_ne!(status, 401);
    tokio::time::sleep(Duration::from_millis(1300)).await;
    let (status, answer) = call(&client, reqwest::Method::GET, url, None).await;
    assert_eq!(status, 401, "{answer}");
    assert_eq!(answer["error"]["code"], "expired_token");
}

/// A login body: name, bytes, expected status, error code and field.
type BadBody = (
    &'static str,
    Vec<u8>,
    u16,
    &'static str,
    Option<&'static str>,
);

async fn bad_login_bodies_get_json_errors(backend: Backend) {
    let app = spawn_app(backend).await;
    create_user(
        app.store.as_ref(),
        "kim",
        PASSWORD,
        Role::Agent,
        Pipeline::now(),
    )
    .await
    .unwrap();
    let url = format!("{}/v1/sessions", app.base);
    let huge_password = json!({"username": "kim", "password": "p".repeat(1024 * 1024)});
    let long_password = json!({"username": "kim", "password": "p".repeat(2000)});
    let cases: Vec<BadBody> = vec![
        (
            "malformed",
            b"{\"username\": \"kim\",".to_vec(),
            400,
            "malformed_json",
            None,
        ),
        (
            "not an object",
            b"[1, 2]".to_vec(),
            422,
            "invalid_field",
            None,
        ),
        (
            "missing field",
            br#"{"username": "kim"}"#.to_vec(),
            422,
            "missing_field",
            Some("password"),
        ),
        (
            "unknown field",
            br#"{"username": "kim", "password": "x", "remember": true}"#.to_vec(),
            422,
            "unknown_field",
            Some("remember"),
        ),
        (
            "wrong type",
            br#"{"username": "kim", "password": 123456789012}"#.to_vec(),
            422,
            "invalid_field",
            Some("password"),
        ),
        (
            "not UTF-8",
            b"{\"username\": \"kim\", \"password\": \"\xff\xfe\"}".to_vec(),
            400,
            "malformed_json",
            None,
        ),
        (
            "1 MB password",
            serde_json::to_vec(&huge_password).unwrap(),
            413,
            "payload_too_large",
            None,
        ),
        (
            "over 1024 bytes",
            serde_json::to_vec(&long_password).unwrap(),
            401,
            "invalid_credentials",
            None,
        ),
        ("empty", Vec::new(), 400, "malformed_json", None),
    ];
    for (name, body, status, code, field) in cases {
        let r = reqwest::Client::new()
            .post(&url)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), status, "{name}");
        assert!(r.headers().get("set-cookie").is_none(), "{name}");
        let text = r.text().await.unwrap();
        let answer: Value =
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("{name}: not JSON: {text:?}"));
        assert_eq!(answer["error"]["code"], code, "{name}: {answer}");
        if let Some(field) = field {
            assert_eq!(answer["error"]["field"], field, "{name}: {answer}");
        }
    }
    // Nothing was issued by any of them.
    assert!(
        app.store
            .tokens()
            .await
            .unwrap()
            .iter()
            .all(|t| t.user_id.is_none())
    );
}

async fn preflight(app: &TestApp, origin: &str) -> reqwest::Response {
    reqwest::Client::new()
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/v1/messages", app.base),
        )
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization,content-type",
        )
        .send()
        .await
        .unwrap()
}

async fn cors_is_off_by_default_and_exact_when_configured(backend: Backend) {
    const ALLOWED: &str = "https://support.example.com";
    const OTHER: &str = "https://evil.example.net";
    let cors_headers = |r: &reqwest::Response| -> Vec<String> {
        r.headers()
            .keys()
            .map(|k| k.as_str().to_owned())
            .filter(|k| k.starts_with("access-control-"))
            .collect()
    };

    // Default: not a single CORS header, whatever the origin.
    let plain = spawn_app(backend).await;
    let r = preflight(&plain, ALLOWED).await;
    assert!(cors_headers(&r).is_empty(), "{:?}", r.headers());
    let r = reqwest::Client::new()
        .get(format!("{}/healthz", plain.base))
        .header("origin", ALLOWED)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(cors_headers(&r).is_empty(), "{:?}", r.headers());
    drop(plain);

    let app = spawn_app_with(
        backend,
        ServerConfig {
            cors_allowed_origins: vec![candor_server::parse_origin(ALLOWED).unwrap()],
            ..ServerConfig::default()
        },
        Limits::default(),
    )
    .await;
    let r = preflight(&app, ALLOWED).await;
    assert!(r.status().is_success(), "{}", r.status());
    let h = r.headers();
    assert_eq!(h.get("access-control-allow-origin").unwrap(), ALLOWED);
    assert_eq!(h.get("access-control-allow-credentials").unwrap(), "true");
    let methods = h
        .get("access-control-allow-methods")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    for m in ["GET", "POST", "PUT", "DELETE"] {
        assert!(methods.contains(m), "{methods}");
    }
    assert!(!methods.contains("PATCH"), "{methods}");
    let allowed_headers = h
        .get("access-control-allow-headers")
        .unwrap()
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        allowed_headers.contains("authorization") && allowed_headers.contains("content-type"),
        "{allowed_headers}"
    );

    // Another origin learns nothing that would let its page read an answer or send the cookie.
    let r = preflight(&app, OTHER).await;
    assert!(r.headers().get("access-control-allow-origin").is_none());
    assert!(
        r.headers()
            .get("access-control-allow-credentials")
            .is_none()
    );

    // Actual requests: the allowed origin is named back, the other is not; authentication is
    // unchanged either way.
    for (origin, named) in [(ALLOWED, true), (OTHER, false)] {
        let r = app
            .client
            .get(format!("{}/v1/queue", app.base))
            .header("origin", origin)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(
            r.headers().get("access-control-allow-origin").is_some(),
            named,
            "{origin}"
        );
    }
    let r = reqwest::Client::new()
        .get(format!("{}/v1/queue", app.base))
        .header("origin", ALLOWED)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
}
