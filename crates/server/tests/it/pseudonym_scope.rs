//! `[pii] pseudonym_scope`: with `customer`, a customer's value keeps its token in all their
//! conversations, never shared with another customer; with `conversation` (the default),
//! every conversation numbers from 1.

use candor_core::Role;
use candor_pipeline::{DEFAULT_POLICY, Limits, Policy};
use candor_server::ServerConfig;
use serde_json::{Value, json};

use crate::{Backend, TestApp, per_backend, spawn_app_with_policy};

per_backend!(
    customer_scope_keeps_a_customers_tokens_across_conversations,
    conversation_scope_restarts_the_numbering_in_each_conversation,
    concurrent_conversations_of_one_customer_agree_on_tokens,
);

async fn app_with_scope(backend: Backend, scope: &str) -> TestApp {
    let policy = Policy::parse(&format!(
        "{DEFAULT_POLICY}\n[pii]\npseudonym_scope = \"{scope}\"\n"
    ))
    .unwrap();
    spawn_app_with_policy(backend, ServerConfig::default(), Limits::default(), policy).await
}

fn text(created: &Value) -> &str {
    created["decision"]["pseudonymised_text"].as_str().unwrap()
}

async fn customer_scope_keeps_a_customers_tokens_across_conversations(backend: Backend) {
    let app = app_with_scope(backend, "customer").await;
    let first = app
        .accept(
            "ann",
            None,
            "Skriv til ann@example.dk eller ann.work@example.dk",
        )
        .await;
    assert_eq!(text(&first), "Skriv til <EMAIL_1> eller <EMAIL_2>");
    // A new conversation of the same customer: the same e-mail, spelled otherwise, keeps its
    // token; a new one gets the next number.
    let second = app
        .accept("ann", None, "Mail ANN.WORK@example.dk or new@example.dk")
        .await;
    assert_ne!(second["conversation_id"], first["conversation_id"]);
    assert_eq!(text(&second), "Mail <EMAIL_2> or <EMAIL_3>");
    // Another customer writing the same address shares no mapping with Ann.
    let bob = app.accept("bob", None, "Mail ann.work@example.dk").await;
    assert_eq!(text(&bob), "Mail <EMAIL_1>");

    // The export holds each conversation's vault value under the shared token, opened.
    let dpo = app.client_as(Role::Dpo).await;
    let export: Value = dpo
        .get(format!("{}/v1/customers/ann/export", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut vault: Vec<(String, String)> = export["vault"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["token"].as_str().unwrap().to_owned(),
                v["value"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    vault.sort();
    assert_eq!(
        vault,
        [
            ("<EMAIL_1>".into(), "ann@example.dk".into()),
            ("<EMAIL_2>".into(), "ANN.WORK@example.dk".into()),
            ("<EMAIL_2>".into(), "ann.work@example.dk".into()),
            ("<EMAIL_3>".into(), "new@example.dk".into()),
        ],
        "{export}"
    );
    // Reveal in either conversation gives the value written there.
    let second_id = second["conversation_id"].as_str().unwrap();
    let r = dpo
        .post(format!("{}/v1/conversations/{second_id}/reveal", app.base))
        .json(&json!({"token": "<EMAIL_2>", "reason": "the customer asks which address we hold"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let revealed: Value = r.json().await.unwrap();
    assert_eq!(revealed["value"], "ANN.WORK@example.dk");

    // Erasure deletes Ann's customer-wide mappings with everything else of hers.
    let r = dpo
        .delete(format!("{}/v1/customers/ann", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let erased: Value = r.json().await.unwrap();
    assert_eq!(erased["pseudonyms"], 3, "{erased}");
    // Under the same customer id, numbering starts again: nothing links the new conversation
    // to the erased ones.
    let after = app.accept("ann", None, "Mail new@example.dk").await;
    assert_eq!(text(&after), "Mail <EMAIL_1>");
    // Bob kept his.
    let bob_again = app
        .accept("bob", None, "bob@example.dk, ann.work@example.dk")
        .await;
    assert_eq!(text(&bob_again), "<EMAIL_2>, <EMAIL_1>");
}

async fn conversation_scope_restarts_the_numbering_in_each_conversation(backend: Backend) {
    let app = app_with_scope(backend, "conversation").await;
    let first = app
        .accept(
            "ann",
            None,
            "Skriv til ann@example.dk eller ann.work@example.dk",
        )
        .await;
    assert_eq!(text(&first), "Skriv til <EMAIL_1> eller <EMAIL_2>");
    let conversation = first["conversation_id"].as_str().unwrap();
    let again = app
        .accept("ann", Some(conversation), "ann.work@example.dk")
        .await;
    assert_eq!(text(&again), "<EMAIL_2>");
    let second = app.accept("ann", None, "ann.work@example.dk").await;
    assert_eq!(text(&second), "<EMAIL_1>");
}

/// Messages of one customer arriving at once in several new conversations: the address they
/// share gets one token everywhere, and each address of its own a token no other address has.
async fn concurrent_conversations_of_one_customer_agree_on_tokens(backend: Backend) {
    let app = std::sync::Arc::new(app_with_scope(backend, "customer").await);
    let mut tasks = Vec::new();
    for i in 0..8 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let created = app
                .accept(
                    "carl",
                    None,
                    &format!("Mail shared@example.dk or own{i}@example.dk"),
                )
                .await;
            text(&created).to_owned()
        }));
    }
    let mut shared = std::collections::BTreeSet::new();
    let mut own = std::collections::BTreeSet::new();
    for task in tasks {
        let text = task.await.unwrap();
        let (a, b) = text
            .strip_prefix("Mail ")
            .and_then(|t| t.split_once(" or "))
            .unwrap_or_else(|| panic!("{text}"));
        shared.insert(a.to_owned());
        assert!(own.insert(b.to_owned()), "{b} given to two addresses");
    }
    assert_eq!(shared.len(), 1, "{shared:?}");
    assert!(!own.iter().any(|t| shared.contains(t)));
    let numbers: std::collections::BTreeSet<String> =
        (1..=9).map(|n| format!("<EMAIL_{n}>")).collect();
    assert_eq!(
        shared
            .union(&own)
            .cloned()
            .collect::<std::collections::BTreeSet<_>>(),
        numbers
    );
}
