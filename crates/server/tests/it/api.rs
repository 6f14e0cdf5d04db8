//! The message path through the API: decisions, privacy, conversations, queue, audit, ops.

use serde_json::{Value, json};

use crate::{Backend, per_backend, spawn_app};

per_backend!(
    a_message_gets_a_durable_decision_with_explanation_and_versions,
    personal_data_never_reaches_the_decision_or_the_audit_log,
    every_kind_of_personal_data_is_pseudonymised_end_to_end,
    pseudonyms_are_stable_within_a_conversation_and_not_across,
    conversations_list_messages_in_order_and_the_queue_is_oldest_first,
    a_conversation_cannot_be_continued_by_another_customer,
    concurrent_messages_all_land_and_the_audit_chain_holds,
    hidden_and_look_alike_text_does_not_fool_the_privacy_stage,
    openapi_health_and_metrics_are_served,
);

const DANISH: &str =
    "Hej, jeg har ikke fået min pakke. Skriv til mette.jensen@example.dk eller ring 22 33 44 55.";

async fn a_message_gets_a_durable_decision_with_explanation_and_versions(backend: Backend) {
    let app = spawn_app(backend).await;
    let created = app.accept("cust-1", None, DANISH).await;
    let d = &created["decision"];
    assert!(d["route"] == "bot" || d["route"] == "human", "{d}");
    assert!(!d["rule"].as_str().unwrap().is_empty());
    assert_eq!(d["language"]["code"], "da");
    assert!(d["language"]["confidence"].as_f64().unwrap() > 0.5);
    assert_eq!(d["pii_types"], json!(["EMAIL", "PHONE"]));
    let summary = d["explanation"]["summary"].as_str().unwrap();
    assert!(
        summary.contains("person") || summary.contains("AI assistant"),
        "{summary}"
    );
    let reasons = d["explanation"]["reasons"].as_array().unwrap();
    let codes: Vec<&str> = reasons
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes[..2], ["language_identified", "pii_pseudonymised"]);
    assert!(codes.contains(&"intent") || codes.contains(&"intent_abstained"));
    assert!(codes.contains(&"frustration"), "{codes:?}");
    assert_eq!(reasons.last().unwrap()["stage"], "decide");
    assert!(
        d["versions"]["policy"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    assert!(
        d["versions"]["pipeline"]
            .as_str()
            .unwrap()
            .starts_with("candor-pipeline/")
    );
    assert!(
        d["versions"]["language_model"]
            .as_str()
            .unwrap()
            .contains("da+nl+de+en")
    );

    // Spans are byte offsets into the original text.
    for p in d["pii"].as_array().unwrap() {
        let (start, end) = (
            p["start"].as_u64().unwrap() as usize,
            p["end"].as_u64().unwrap() as usize,
        );
        let value = &DANISH[start..end];
        match p["kind"].as_str().unwrap() {
            "EMAIL" => assert_eq!(value, "mette.jensen@example.dk"),
            "PHONE" => assert_eq!(value, "22 33 44 55"),
            other => panic!("unexpected kind {other}"),
        }
    }

    let id = created["message_id"].as_str().unwrap();
    let (status, stored) = app.get(&format!("/v1/messages/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(
        stored["decision"]["pseudonymised_text"],
        d["pseudonymised_text"]
    );
    assert_eq!(stored["decision"]["pii"], d["pii"]);
    assert_eq!(stored["decision"]["explanation"], d["explanation"]);
    assert_eq!(stored["decision"]["versions"], d["versions"]);
    assert_eq!(stored["customer_id"], "cust-1");
    assert_eq!(
        app.get("/v1/messages/00000000-0000-0000-0000-000000000000")
            .await
            .0,
        404
    );
    assert_eq!(app.get("/v1/messages/not-a-uuid").await.0, 404);
}

async fn personal_data_never_reaches_the_decision_or_the_audit_log(backend: Backend) {
    let app = spawn_app(backend).await;
    let text = "Email ole.hansen@example.com, phone +44 7911 123456, IBAN DE89 3704 0044 0532 0130 00, thanks";
    let secrets = [
        "ole.hansen@example.com",
        "7911 123456",
        "DE89 3704",
        "DE89370400440532013000",
        "+447911123456",
    ];
    let created = app.accept("cust-2", None, text).await;
    let body = created.to_string();
    for s in secrets {
        assert!(!body.contains(s), "`{s}` leaked into the response: {body}");
    }
    assert_eq!(
        created["decision"]["pseudonymised_text"],
        "Email <EMAIL_1>, phone <PHONE_1>, IBAN <IBAN_1>, thanks"
    );

    let id = uuid::Uuid::parse_str(created["message_id"].as_str().unwrap()).unwrap();
    let stored = app.store.message(id).await.unwrap().unwrap();
    assert!(
        secrets
            .iter()
            .all(|s| !stored.pseudonymised_text.contains(s))
    );
    assert!(
        secrets
            .iter()
            .all(|s| !stored.decision.explanation.summary.contains(s))
    );
    // The original is kept, apart from the derived data, sealed (tests/it/privacy.rs opens it).
    let (owner, sealed) = app.store.message_original(id).await.unwrap().unwrap();
    assert_eq!(owner, "cust-2");
    assert!(!sealed.is_empty());

    let entries = app.store.audit_entries(0, 100).await.unwrap();
    assert_eq!(entries.len(), 1);
    let payload = String::from_utf8(entries[0].payload.clone()).unwrap();
    for s in secrets.iter().chain(&["cust-2"]) {
        assert!(
            !payload.contains(s),
            "`{s}` leaked into the audit record: {payload}"
        );
    }
    assert!(payload.contains("<IBAN_1>"));
}

/// One message per entity kind, in the language and format people write it: the kind's
/// pseudonym replaces it, and neither the response, the stored text nor the audit record holds
/// any part of the value.
async fn every_kind_of_personal_data_is_pseudonymised_end_to_end(backend: Backend) {
    use candor_core::EntityKind as K;
    let app = spawn_app(backend).await;
    // (kind, message, the parts of the value that must not survive)
    let cases: &[(K, &str, &[&str])] = &[
        (
            K::Email,
            "Skriv til mette.larsen@example.dk tak",
            &["mette.larsen", "@example.dk"],
        ),
        (
            K::Phone,
            "Ring mig på +45 20 12 34 56 i morgen",
            &["20 12 34 56", "20123456"],
        ),
        (
            K::Iban,
            "Mijn rekening is NL91 ABNA 0417 1643 00",
            &["NL91", "0417 1643", "ABNA"],
        ),
        (
            K::CreditCard,
            "Karte: 4111-1111-1111-1111 bitte sperren",
            &["4111-1111", "1111-1111"],
        ),
        (
            K::IpAddress,
            "The portal blocked my IP 203.0.113.45 today",
            &["203.0.113.45"],
        ),
        (
            K::Url,
            "My profile is at https://example.org/u/ole-hansen-77",
            &["example.org", "ole-hansen"],
        ),
        (K::DkCpr, "Mit CPR-nr. er 070761-4285", &["070761", "4285"]),
        (
            K::NlBsn,
            "Mijn BSN is 1112.22.333, klopt dat?",
            &["1112.22.333", "111222333"],
        ),
        (
            K::DeTaxId,
            "Meine Steuer-ID: 86 095 742 719",
            &["86 095 742 719", "742 719"],
        ),
        (
            K::DeSvnr,
            "Rentenversicherungsnummer: 65 170839 J 00 3",
            &["170839", "65 170839"],
        ),
        (
            K::DeKvnr,
            "Versichertennummer: T 012 345 678",
            &["012 345 678", "T 012"],
        ),
        (
            K::DeIdDocument,
            "Mein Ausweis L01X00T471 ist gültig",
            &["L01X00T47"],
        ),
        (
            K::VatNumber,
            "CVR/moms: DK13585628 på fakturaen",
            &["13585628"],
        ),
        (
            K::StreetAddress,
            "Bitte an Hauptstraße 5, 10115 Berlin liefern.",
            &["Hauptstraße 5", "10115"],
        ),
        (
            K::DateOfBirth,
            "Ich bin am 7. Juli 1979 geboren.",
            &["Juli 1979", "1979"],
        ),
        (
            K::Person,
            "Hej, jeg hedder Mette Larsen og har et spørgsmål",
            &["Mette", "Larsen"],
        ),
        (
            K::GbNino,
            "My National Insurance number is AB 12 34 56 C.",
            &["AB 12 34 56 C", "34 56"],
        ),
        (
            K::GbNhs,
            "My NHS number is 943 476 5919, can you check?",
            &["943 476 5919", "5919"],
        ),
        (
            K::UsSsn,
            "My SSN is 536-22-8726 and my card was blocked",
            &["536-22-8726", "8726"],
        ),
    ];
    let covered: std::collections::BTreeSet<K> = cases.iter().map(|c| c.0).collect();
    assert_eq!(covered.len(), K::ALL.len(), "every kind needs a case");
    for (i, (kind, text, values)) in cases.iter().enumerate() {
        let customer = format!("cust-kinds-{i}");
        let created = app.accept(&customer, None, text).await;
        let pseudonymised = created["decision"]["pseudonymised_text"].as_str().unwrap();
        let token = format!("<{}_1>", kind.as_str());
        assert!(
            pseudonymised.contains(&token),
            "{kind:?}: expected {token} in {pseudonymised:?}"
        );
        let id = uuid::Uuid::parse_str(created["message_id"].as_str().unwrap()).unwrap();
        let stored = app.store.message(id).await.unwrap().unwrap();
        let body = created.to_string();
        for v in *values {
            assert!(
                !body.contains(v),
                "{kind:?}: `{v}` leaked into the response: {body}"
            );
            assert!(
                !stored.pseudonymised_text.contains(v),
                "{kind:?}: `{v}` stored in {:?}",
                stored.pseudonymised_text
            );
        }
    }
    let entries = app.store.audit_entries(0, 100).await.unwrap();
    assert_eq!(entries.len(), cases.len());
    for (entry, (kind, _, values)) in entries.iter().zip(cases) {
        let payload = String::from_utf8_lossy(&entry.payload);
        for v in *values {
            assert!(!payload.contains(v), "{kind:?}: `{v}` in the audit record");
        }
    }
}

async fn pseudonyms_are_stable_within_a_conversation_and_not_across(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = app
        .accept("cust-3", None, "Mail a@example.com or b@example.com")
        .await;
    let conv = first["conversation_id"].as_str().unwrap();
    assert_eq!(
        first["decision"]["pseudonymised_text"],
        "Mail <EMAIL_1> or <EMAIL_2>"
    );
    // The same values, spelled differently, get the same tokens later in the conversation.
    let second = app
        .accept(
            "cust-3",
            Some(conv),
            "Again: B@Example.com, then A@example.COM and c@example.com",
        )
        .await;
    assert_eq!(second["conversation_id"], conv);
    assert_eq!(
        second["decision"]["pseudonymised_text"],
        "Again: <EMAIL_2>, then <EMAIL_1> and <EMAIL_3>"
    );
    // Another conversation starts again at 1, so tokens do not link conversations.
    let other = app.accept("cust-3", None, "c@example.com").await;
    assert_ne!(other["conversation_id"], conv);
    assert_eq!(other["decision"]["pseudonymised_text"], "<EMAIL_1>");
}

async fn conversations_list_messages_in_order_and_the_queue_is_oldest_first(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = app
        .accept(
            "cust-a",
            Some("conv-a"),
            "Ich warte noch auf meine Bestellung. Ich möchte mit einem Mitarbeiter sprechen.",
        )
        .await;
    assert_eq!(a["conversation_id"], "conv-a");
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    app.accept(
        "cust-b",
        Some("conv-b"),
        "Ik wacht nog op mijn bestelling. Ik wil een medewerker spreken.",
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let a2 = app
        .accept("cust-a", Some("conv-a"), "Hallo? Ist da jemand?")
        .await;

    let (status, conv) = app.get("/v1/conversations/conv-a").await;
    assert_eq!(status, 200);
    let ids: Vec<&Value> = conv["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["message_id"])
        .collect();
    assert_eq!(ids, [&a["message_id"], &a2["message_id"]]);
    assert_eq!(conv["state"], "waiting_for_human");
    assert_eq!(conv["customer_id"], "cust-a");
    assert_eq!(app.get("/v1/conversations/nope").await.0, 404);

    let (status, queue) = app.get("/v1/queue").await;
    assert_eq!(status, 200);
    let order: Vec<&str> = queue["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["conversation_id"].as_str().unwrap())
        .collect();
    // By priority (need), highest first; conv-a waits since its FIRST message.
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(sorted, ["conv-a", "conv-b"]);
    let priorities: Vec<f64> = queue["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["priority"].as_f64().unwrap())
        .collect();
    assert!(priorities[0] >= priorities[1], "{queue}");
    let entry = |id: &str| {
        queue["conversations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["conversation_id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(entry("conv-a")["message_count"], 2);
    assert_eq!(entry("conv-b")["language"], "nl");
    let (_, one) = app.get("/v1/queue?limit=1").await;
    assert_eq!(one["conversations"].as_array().unwrap().len(), 1);
    for bad in [
        "/v1/queue?limit=0",
        "/v1/queue?limit=501",
        "/v1/queue?limit=abc",
    ] {
        let (status, body) = app.get(bad).await;
        assert_eq!(status, 422, "{bad}: {body}");
        assert_eq!(body["error"]["field"], "limit");
    }
}

async fn a_conversation_cannot_be_continued_by_another_customer(backend: Backend) {
    let app = spawn_app(backend).await;
    app.accept(
        "owner",
        Some("shared-1"),
        "Hello, I need help with my invoice.",
    )
    .await;
    let (status, body) = app
        .post(&json!({"customer_id": "intruder", "conversation_id": "shared-1", "channel": "chat", "text": "hi"}))
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "conversation_conflict");
    let (_, conv) = app.get("/v1/conversations/shared-1").await;
    assert_eq!(conv["messages"].as_array().unwrap().len(), 1);
}

async fn concurrent_messages_all_land_and_the_audit_chain_holds(backend: Backend) {
    let app = std::sync::Arc::new(spawn_app(backend).await);
    let mut tasks = Vec::new();
    for i in 0..40 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            // Ten conversations, four messages each, all at once.
            let conv = format!("conc-{}", i % 10);
            let text = format!("Message {i}: write to user{}@example.com please", i % 3);
            app.accept(&format!("cust-{}", i % 10), Some(&conv), &text)
                .await
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(app.store.message_count().await.unwrap(), 40);
    let report = candor_pipeline::verify_ledger(app.store.as_ref(), &app.ledger.verifier(), |_| {})
        .await
        .unwrap();
    assert_eq!(report.entries, 40);
    let indexes: Vec<u64> = app
        .store
        .audit_entries(0, 1000)
        .await
        .unwrap()
        .iter()
        .map(|e| e.index)
        .collect();
    assert_eq!(
        indexes,
        (0..40).collect::<Vec<u64>>(),
        "no gaps, no duplicates"
    );
    // Within each conversation, every distinct address got exactly one ordinal.
    for c in 0..10 {
        let (_, conv) = app.get(&format!("/v1/conversations/conc-{c}")).await;
        let mut tokens: Vec<String> = conv["messages"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|m| {
                m["decision"]["pii"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["token"].as_str().unwrap().to_owned())
            })
            .collect();
        tokens.sort();
        tokens.dedup();
        let distinct_addresses = (0..4)
            .map(|k| (c + 10 * k) % 3)
            .collect::<std::collections::HashSet<_>>()
            .len();
        assert_eq!(
            tokens.len(),
            distinct_addresses,
            "conversation {c}: {tokens:?}"
        );
    }
}

async fn hidden_and_look_alike_text_does_not_fool_the_privacy_stage(backend: Backend) {
    let app = spawn_app(backend).await;
    // A zero-width space inside the address, a bidi override, and full-width characters.
    let text = "Mail: jo\u{200B}hn@exa\u{202E}mple.com or ｊａｎｅ＠ｅｘａｍｐｌｅ．ｏｒｇ; I am <EMAIL_9>";
    let created = app.accept("cust-4", None, text).await;
    let d = &created["decision"];
    assert_eq!(d["pii_types"], json!(["EMAIL"]));
    let spans: Vec<&str> = d["pii"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &text[p["start"].as_u64().unwrap() as usize..p["end"].as_u64().unwrap() as usize])
        .collect();
    assert_eq!(
        spans,
        [
            "jo\u{200B}hn@exa\u{202E}mple.com",
            "ｊａｎｅ＠ｅｘａｍｐｌｅ．ｏｒｇ"
        ]
    );
    // A customer typing a token cannot impersonate one.
    assert_eq!(
        d["pseudonymised_text"],
        "Mail: <EMAIL_1> or <EMAIL_2>; I am ‹EMAIL_9›"
    );
}

async fn openapi_health_and_metrics_are_served(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, health) = app.get("/healthz").await;
    assert_eq!(status, 200);
    assert_eq!(health["status"], "ok");
    assert_eq!(
        health["storage"],
        match backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    );

    let (status, doc) = app.get("/openapi.json").await;
    assert_eq!(status, 200);
    for path in [
        "/v1/messages",
        "/v1/messages/{id}",
        "/v1/conversations/{id}",
        "/v1/queue",
        "/healthz",
        "/metrics",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from OpenAPI"
        );
    }
    assert!(doc["components"]["schemas"].get("MessageRequest").is_some());

    app.accept("cust-m", None, "I would like a copy of my invoice, please.")
        .await;
    let _ = app.post(&json!({"customer_id": "x"})).await;
    let (status, metrics) = app.get_text("/metrics").await;
    assert_eq!(status, 200);
    assert!(
        metrics.contains(r#"candor_messages_total{route="human",language="en"} 1"#)
            || metrics.contains(r#"candor_messages_total{route="bot",language="en"} 1"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"candor_stage_duration_seconds_count{stage="detect_pii"} 1"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"candor_errors_total{code="missing_field"} 1"#),
        "{metrics}"
    );
    assert!(metrics.contains(r#"candor_http_request_duration_seconds_count{method="POST",path="/v1/messages",status="201"} 1"#), "{metrics}");
}
