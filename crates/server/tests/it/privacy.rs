//! Privacy at rest and data-subject rights through the real server: sealed originals, export,
//! reveal with its audit record, and erasure by crypto-shredding.

use candor_core::Role;
use candor_pipeline::{Pipeline, verify_ledger};
use serde_json::{Value, json};

use crate::{Backend, TestApp, client_with_token, per_backend, spawn_app};

per_backend!(
    originals_and_vault_values_are_sealed_at_rest,
    a_dpo_exports_reveals_and_erases_and_the_ledger_still_verifies
);

const EMAIL: &str = "mette.jensen@example.dk";
const IBAN: &str = "DK50 0040 0440 1162 43";

async fn dpo(app: &TestApp) -> reqwest::Client {
    let token =
        candor_pipeline::access::issue_token(app.store.as_ref(), "dpo", Role::Dpo, Pipeline::now())
            .await
            .unwrap();
    client_with_token(&token.secret)
}

async fn originals_and_vault_values_are_sealed_at_rest(backend: Backend) {
    let app = spawn_app(backend).await;
    let text = format!("Skriv til {EMAIL}, konto {IBAN}");
    let created = app.accept("sealed-customer", None, &text).await;
    let id = uuid::Uuid::parse_str(created["message_id"].as_str().unwrap()).unwrap();
    let (customer, sealed) = app.store.message_original(id).await.unwrap().unwrap();
    assert_eq!(customer, "sealed-customer");
    let window = |needle: &str| sealed.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(
        !window(EMAIL) && !window("konto") && !window("Skriv"),
        "the original is stored in the clear"
    );
    let conversation = created["conversation_id"].as_str().unwrap();
    let entry = app
        .store
        .vault_entry(conversation, "<EMAIL_1>")
        .await
        .unwrap()
        .unwrap();
    assert!(
        !entry
            .sealed
            .windows(EMAIL.len())
            .any(|w| w == EMAIL.as_bytes())
    );
    let wrapped = app
        .store
        .wrapped_data_key("sealed-customer")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        wrapped.len(),
        1 + 8 + 24 + 32 + 16,
        "a wrapped 256-bit key with its master key's id, never the key itself"
    );
}

async fn a_dpo_exports_reveals_and_erases_and_the_ledger_still_verifies(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = app
        .accept("erase-me", None, &format!("Hej, min mail er {EMAIL}"))
        .await;
    let conversation = first["conversation_id"].as_str().unwrap().to_owned();
    app.accept(
        "erase-me",
        Some(&conversation),
        &format!("Og kontoen er {IBAN}"),
    )
    .await;
    app.accept(
        "someone-else",
        None,
        "Hallo, mein Paket ist nicht angekommen.",
    )
    .await;
    let dpo = dpo(&app).await;

    // Export: everything held, originals and vault values in the clear.
    let r = dpo
        .get(format!("{}/v1/customers/erase-me/export", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let export: Value = r.json().await.unwrap();
    assert_eq!(export["conversations"].as_array().unwrap().len(), 1);
    assert_eq!(
        export["conversations"][0]["messages"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let originals: Vec<&str> = export["originals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        originals,
        [
            format!("Hej, min mail er {EMAIL}"),
            format!("Og kontoen er {IBAN}")
        ]
    );
    let values: Vec<&str> = export["vault"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["value"].as_str().unwrap())
        .collect();
    assert!(
        values.contains(&EMAIL) && values.contains(&IBAN),
        "{values:?}"
    );
    // An admin operates Candor but does not read personal data.
    assert_eq!(
        app.client
            .get(format!("{}/v1/customers/erase-me/export", app.base))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        403
    );

    // Reveal: needs a reason, is recorded (without the value), then answered.
    let reveal = |body: Value| {
        dpo.post(format!(
            "{}/v1/conversations/{conversation}/reveal",
            app.base
        ))
        .json(&body)
        .send()
    };
    let r = reveal(json!({"token": "<EMAIL_1>", "reason": "  "}))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    let r = reveal(json!({"token": "<EMAIL_7>", "reason": "fraud case 12"}))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    let r = reveal(json!({"token": "<EMAIL_1>", "reason": "Customer asked us to confirm the address; ticket from ole@example.com"})).await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let revealed: Value = r.json().await.unwrap();
    assert_eq!(revealed["value"], EMAIL);
    let (_, entry) = app
        .get(&format!("/v1/audit/entries/{}", revealed["audit_index"]))
        .await;
    assert_eq!(entry["record"]["type"], "pii_reveal");
    assert_eq!(entry["record"]["role"], "dpo");
    let record = entry["record"].to_string();
    assert!(
        !record.contains(EMAIL) && !record.contains("ole@example.com"),
        "{record}"
    );

    // The customer's AI preference and consents name them in clear until erasure; the export
    // holds them.
    app.pipeline_preference_and_consent("erase-me").await;
    let export: Value = dpo
        .get(format!("{}/v1/customers/erase-me/export", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(export["ai_preference"]["opt_out"], false, "{export}");
    assert_eq!(export["consents"][0]["purpose"], "analytics");
    assert_eq!(export["consents"][0]["status"], "granted");
    assert!(
        export["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "state")
    );

    // Erase: crypto-shred, delete derived plaintext, keep pseudonymised decisions, record it.
    let r = dpo
        .delete(format!("{}/v1/customers/erase-me", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let erased: Value = r.json().await.unwrap();
    assert_eq!(erased["messages"], 2);
    assert_eq!(erased["originals"], 2);
    assert_eq!(erased["vault_values"], 2);
    assert_eq!(erased["data_key_destroyed"], true);
    let (_, entry) = app
        .get(&format!("/v1/audit/entries/{}", erased["audit_index"]))
        .await;
    assert_eq!(entry["record"]["type"], "erasure");
    assert!(!entry["record"].to_string().contains("erase-me"));
    assert!(app.store.ai_preference("erase-me").await.unwrap().is_none());
    assert!(app.store.consents("erase-me").await.unwrap().is_empty());

    let export: Value = dpo
        .get(format!("{}/v1/customers/erase-me/export", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        export["conversations"].as_array().unwrap().is_empty()
            && export["originals"].as_array().unwrap().is_empty()
    );
    assert!(export["vault"].as_array().unwrap().is_empty());
    let (status, message) = app
        .get(&format!(
            "/v1/messages/{}",
            first["message_id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, 200);
    assert!(
        message["customer_id"]
            .as_str()
            .unwrap()
            .starts_with("erased:")
    );
    assert_eq!(
        message["decision"]["pseudonymised_text"],
        "Hej, min mail er <EMAIL_1>"
    );
    assert_eq!(
        reveal(json!({"token": "<EMAIL_1>", "reason": "after erasure"}))
            .await
            .unwrap()
            .status()
            .as_u16(),
        404
    );
    assert_eq!(
        dpo.delete(format!("{}/v1/customers/erase-me", app.base))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        404
    );

    // Someone else's data is untouched, and every proof still holds.
    let other: Value = dpo
        .get(format!("{}/v1/customers/someone-else/export", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(other["originals"].as_array().unwrap().len(), 1);
    let report = verify_ledger(app.store.as_ref(), &app.ledger.verifier(), |_| {})
        .await
        .unwrap();
    assert_eq!(
        report.entries, 7,
        "3 decisions, 1 reveal, 1 AI preference, 1 consent, 1 erasure"
    );
}
