//! The published AI policy: public, in four languages, HTML and JSON, generated from the
//! running configuration.

use std::sync::Arc;

use candor_pipeline::{DEFAULT_POLICY, Limits, Pipeline, Policy};
use serde_json::Value;

use crate::{Backend, per_backend, spawn_app};

per_backend!(the_ai_policy_is_public_in_every_language_and_follows_the_configuration);

async fn the_ai_policy_is_public_in_every_language_and_follows_the_configuration(backend: Backend) {
    let app = spawn_app(backend).await;
    let anonymous = reqwest::Client::new();
    for (lang, says) in [
        ("da", "menneske"),
        ("nl", "medewerker"),
        ("de", "Mitarbeiter"),
        ("en", "person"),
    ] {
        let r = anonymous
            .get(format!("{}/ai-policy?lang={lang}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let html = r.text().await.unwrap();
        assert!(html.contains(&format!("<html lang=\"{lang}\">")), "{html}");
        assert!(html.contains(says), "{lang}: {html}");
        for section in [
            "where",
            "data",
            "purposes",
            "retention",
            "opt_out",
            "complain",
        ] {
            assert!(html.contains(&format!("id=\"{section}\"")), "{section}");
        }
    }
    // JSON for machines: the facts are the running policy's.
    let created = app
        .accept("policy-page", None, "Hello, I need a person.")
        .await;
    let r = anonymous
        .get(format!("{}/ai-policy", app.base))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let page: Value = r.json().await.unwrap();
    assert_eq!(page["language"], "en");
    assert_eq!(
        page["facts"]["versions"]["policy"],
        created["decision"]["versions"]["policy"]
    );
    assert_eq!(page["facts"]["complaint_owner"], "ai_officer");
    // Retention per class, from the shipped policy's `[retention]`.
    assert_eq!(page["facts"]["retention_days"]["message_originals"], 90);
    assert_eq!(page["facts"]["retention_days"]["feedback"], 365);
    let retention = page["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s[0] == "retention")
        .unwrap()[1]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(retention.contains("after 90 days"), "{retention}");
    for bad in [
        "/ai-policy?lang=sv",
        "/ai-policy?format=pdf",
        "/ai-policy?colour=red",
    ] {
        let r = anonymous
            .get(format!("{}{bad}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 422, "{bad}");
    }

    // Another configuration, another page.
    let changed = DEFAULT_POLICY
        .replace("enabled = true", "enabled = false")
        .replace("due_days = 14", "due_days = 7")
        .replace("feedback = 365\n", "");
    let policy = Policy::parse(&changed).unwrap();
    let other = Pipeline::new(
        policy,
        candor_pii::PseudonymKey::from_bytes([1; 32]),
        candor_pipeline::vault::MasterKey::from_bytes([2; 32]),
        Limits::default(),
        Arc::clone(&app.store),
    )
    .unwrap();
    let page = serde_json::to_value(other.ai_policy(candor_core::Lang::EN)).unwrap();
    assert_eq!(page["facts"]["bot_enabled"], false);
    assert_eq!(page["facts"]["complaint_due_days"], 7);
    assert_ne!(
        page["facts"]["versions"]["policy"],
        created["decision"]["versions"]["policy"]
    );
    let complain = page["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s[0] == "complain")
        .unwrap();
    assert!(
        complain[1].as_str().unwrap().contains("within 7 days"),
        "{complain}"
    );
    // A class without a period is kept until erased, and the page says so.
    assert!(page["facts"]["retention_days"]["feedback"].is_null());
    let retention = page["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s[0] == "retention")
        .unwrap();
    assert!(
        retention[1]
            .as_str()
            .unwrap()
            .contains("comments on decisions: kept until you ask us to erase it"),
        "{retention}"
    );
}
