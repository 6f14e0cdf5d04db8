//! A recogniser declared in the policy (`[[pii.custom]]`) masks the contact centre's own
//! identifiers on the real message path, and the value can be revealed like any other.

use candor_core::Role;
use candor_pipeline::{DEFAULT_POLICY, Limits, Pipeline, Policy};
use candor_server::ServerConfig;
use serde_json::{Value, json};

use crate::{Backend, client_with_token, per_backend, spawn_app_with_policy};

per_backend!(a_configured_customer_number_is_pseudonymised_and_revealable);

const CUSTOM: &str = r#"
[[pii.custom]]
name = "CUSTOMER_NUMBER"
pattern = 'CUST-\d{6}'
context = ["kundenummer", "customer number"]
"#;

async fn a_configured_customer_number_is_pseudonymised_and_revealable(backend: Backend) {
    let policy = Policy::parse(&format!("{DEFAULT_POLICY}\n{CUSTOM}")).unwrap();
    let app =
        spawn_app_with_policy(backend, ServerConfig::default(), Limits::default(), policy).await;
    let created = app
        .accept(
            "custom-kind",
            None,
            "Hej, mit kundenummer er CUST-204481 og min mail er ole@example.dk",
        )
        .await;
    let text = created["decision"]["pseudonymised_text"].as_str().unwrap();
    assert!(!text.contains("204481"), "{text}");
    assert!(text.contains("<CUSTOMER_NUMBER_1>"), "{text}");
    assert!(text.contains("<EMAIL_1>"), "{text}");
    let conversation = created["conversation_id"].as_str().unwrap().to_owned();

    // The same number later in the conversation keeps its pseudonym; a new one gets the next.
    let second = app
        .accept(
            "custom-kind",
            Some(&conversation),
            "Undskyld, CUST-204481 eller CUST-777001?",
        )
        .await;
    assert_eq!(
        second["decision"]["pseudonymised_text"],
        "Undskyld, <CUSTOMER_NUMBER_1> eller <CUSTOMER_NUMBER_2>?"
    );

    let token =
        candor_pipeline::access::issue_token(app.store.as_ref(), "dpo", Role::Dpo, Pipeline::now())
            .await
            .unwrap();
    let r = client_with_token(&token.secret)
        .post(format!(
            "{}/v1/conversations/{conversation}/reveal",
            app.base
        ))
        .json(&json!({"token": "<CUSTOMER_NUMBER_2>", "reason": "customer disputes an order"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let revealed: Value = r.json().await.unwrap();
    assert_eq!(revealed["value"], "CUST-777001");
}
