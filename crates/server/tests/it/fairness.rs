//! `GET /v1/fairness/report` and the scheduled fairness audits: a log seeded through the real
//! pipeline with a planted disparity is flagged, recorded and counted; a fair log is not.

use std::time::Duration;

use candor_core::Role;
use candor_fairness::AuditConfig;
use candor_server::{FairnessSchedule, spawn_fairness_audits};
use serde_json::{Value, json};

use crate::{Backend, TestApp, per_backend, spawn_app};

per_backend!(
    a_planted_disparity_is_reported_recorded_and_counted,
    a_fair_log_raises_no_alert,
    a_stricter_limit_raises_an_alert_the_default_does_not,
    bad_parameters_are_named
);

const PASSWORD: &str = "How do I reset my password? I forgot it.";
const PER_REGION: usize = 20;

/// Sends `PER_REGION` identical bot-answerable messages from each of two regions, and has a
/// supervisor override the decisions of the first `north` and `south` of them. Everything but
/// the overrides is alike across regions, so the override rate is the only possible disparity.
async fn seed(app: &TestApp, north: usize, south: usize) {
    app.import_sample_kb().await;
    let supervisor = app.client_as(Role::Supervisor).await;
    for (region, overridden) in [("north", north), ("south", south)] {
        for i in 0..PER_REGION {
            let (status, created) = app
                .post(&json!({
                    "customer_id": format!("{region}-{i}"),
                    "channel": "chat",
                    "text": PASSWORD,
                    "metadata": {"region": region, "tenure_band": "long"},
                }))
                .await;
            assert_eq!(status, 201, "{created}");
            assert_eq!(created["decision"]["route"], "bot", "{created}");
            if i < overridden {
                let id = created["message_id"].as_str().unwrap();
                let r = supervisor
                    .post(format!("{}/v1/decisions/{id}/override", app.base))
                    .json(&json!({"field": "intent", "to": "recover_password", "reason": "fairness test"}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status().as_u16(), 201, "{}", r.text().await.unwrap());
            }
        }
    }
}

/// The value of `candor_fairness_alerts_total{metric, group_attribute}` in `/metrics` (0 when
/// the series does not exist yet).
async fn alert_count(app: &TestApp, metric: &str, attribute: &str) -> u64 {
    let (status, text) = app.get_text("/metrics").await;
    assert_eq!(status, 200);
    let series = format!(
        "candor_fairness_alerts_total{{metric=\"{metric}\",group_attribute=\"{attribute}\"}} "
    );
    text.lines()
        .find_map(|l| l.strip_prefix(&series))
        .map_or(0, |v| v.trim().parse().unwrap())
}

/// Every `fairness_audit` record in the log.
async fn fairness_records(app: &TestApp) -> Vec<Value> {
    let size = app.store.audit_size().await.unwrap();
    let entries = app
        .store
        .audit_entries(0, u32::try_from(size).unwrap())
        .await
        .unwrap();
    entries
        .iter()
        .map(|e| serde_json::from_slice::<Value>(&e.payload).unwrap())
        .filter(|r| r["type"] == "fairness_audit")
        .collect()
}

async fn report(client: &reqwest::Client, app: &TestApp, query: &str) -> (u16, String, String) {
    let r = client
        .get(format!("{}/v1/fairness/report?{query}", app.base))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let content_type = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, content_type, r.text().await.unwrap())
}

async fn a_planted_disparity_is_reported_recorded_and_counted(backend: Backend) {
    let app = spawn_app(backend).await;
    // North: 8 of 20 decisions overridden (40%); south: 2 of 20 (10%).
    seed(&app, 8, 2).await;
    let officer = app.client_as(Role::AiOfficer).await;
    assert_eq!(alert_count(&app, "overridden", "region").await, 0);

    let (status, content_type, body) = report(
        &officer,
        &app,
        "since=1d&min_group_size=10&record=true&format=json",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(content_type, "application/json");
    let doc: Value = serde_json::from_str(&body).unwrap();
    let audit = &doc["audit"];
    assert_eq!(audit["rows"], 2 * PER_REGION, "{audit}");
    let alerts = audit["alerts"].as_array().unwrap();
    assert_eq!(
        alerts.len(),
        1,
        "exactly the planted disparity: {alerts:#?}"
    );
    let a = &alerts[0];
    assert_eq!(
        (&a["attribute"], &a["outcome"], &a["class"]),
        (&json!("region"), &json!("overridden"), &json!("true"))
    );
    assert_eq!(
        (&a["highest_group"], &a["lowest_group"]),
        (&json!("north"), &json!("south"))
    );
    assert!((a["highest_value"].as_f64().unwrap() - 0.4).abs() < 1e-12);
    assert!(
        doc["summary"].as_array().unwrap().iter().any(|s| s
            .as_str()
            .unwrap()
            .starts_with("By region: overridden is 40.0% for north")),
        "{doc}"
    );
    // Today's bucket of the timeline holds every decision.
    let north = &audit["timeline"]["metrics"]["overridden"]["region"]["north"];
    assert_eq!(north["values"].as_array().unwrap().last().unwrap(), 0.4);
    assert_eq!(
        north["counts"].as_array().unwrap().last().unwrap(),
        PER_REGION
    );

    // The run is in the audit log, with its window and its alert.
    let index = doc["audit_index"].as_u64().unwrap();
    let entry = &app.store.audit_entries(index, 1).await.unwrap()[0];
    let record: Value = serde_json::from_slice(&entry.payload).unwrap();
    assert_eq!(record["type"], "fairness_audit");
    assert_eq!(record["trigger"], "api");
    assert_eq!(record["decisions"], 2 * PER_REGION);
    assert_eq!(
        record["window_to_ms"].as_i64().unwrap() - record["window_from_ms"].as_i64().unwrap(),
        86_400_000
    );
    assert_eq!(record["alerts"].as_array().unwrap().len(), 1);
    assert_eq!(record["alerts"][0]["outcome"], "overridden");
    assert_eq!(record["alerts"][0]["highest_value"], "0.4000");
    assert_eq!(alert_count(&app, "overridden", "region").await, 1);

    // Reading the report without recording it neither records nor counts.
    let size = app.store.audit_size().await.unwrap();
    let (status, _, _) = report(&officer, &app, "since=1d&min_group_size=10").await;
    assert_eq!(status, 200);
    assert_eq!(app.store.audit_size().await.unwrap(), size);
    assert_eq!(alert_count(&app, "overridden", "region").await, 1);

    // Markdown and HTML carry the same finding; HTML has a chart over time per outcome and
    // attribute (channel, language, region, tenure_band).
    let (status, content_type, md) =
        report(&officer, &app, "since=1d&min_group_size=10&format=md").await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "text/markdown; charset=utf-8");
    assert!(md.contains("| region | overridden | true |"), "{md}");
    let (status, content_type, html) =
        report(&officer, &app, "since=1d&min_group_size=10&format=html").await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "text/html; charset=utf-8");
    assert_eq!(html.matches("class=\"timeline\"").count(), 4 * 4, "{html}");
    assert_eq!(html.matches("<svg").count(), html.matches("</svg>").count());

    // The schedule runs the same audit on its own, records it and counts its alert, until it
    // is stopped.
    let schedule = spawn_fairness_audits(
        app.state.clone(),
        FairnessSchedule {
            every: Duration::from_millis(300),
            window: Duration::from_secs(86_400),
            limits: AuditConfig {
                min_group_size: 10,
                ..AuditConfig::default()
            },
        },
    );
    let mut scheduled = Vec::new();
    for _ in 0..100 {
        scheduled = fairness_records(&app)
            .await
            .into_iter()
            .filter(|r| r["trigger"] == "schedule")
            .collect();
        if !scheduled.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    schedule.abort();
    let _ = schedule.await;
    assert!(!scheduled.is_empty(), "no scheduled audit was recorded");
    assert_eq!(scheduled[0]["alerts"][0]["attribute"], "region");
    assert!(alert_count(&app, "overridden", "region").await >= 2);
    let after_stop = fairness_records(&app).await.len();
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert_eq!(
        fairness_records(&app).await.len(),
        after_stop,
        "an aborted schedule records nothing more"
    );
}

async fn a_fair_log_raises_no_alert(backend: Backend) {
    let app = spawn_app(backend).await;
    seed(&app, 3, 3).await;
    let supervisor = app.client_as(Role::Supervisor).await;
    let (status, _, body) =
        report(&supervisor, &app, "since=1d&min_group_size=10&record=true").await;
    assert_eq!(status, 200, "{body}");
    let doc: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(doc["audit"]["rows"], 2 * PER_REGION);
    assert_eq!(doc["audit"]["alerts"], json!([]), "{doc}");
    let records = fairness_records(&app).await;
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["alerts"], json!([]));
    let (_, metrics) = app.get_text("/metrics").await;
    assert!(
        !metrics
            .lines()
            .any(|l| l.starts_with("candor_fairness_alerts_total{")),
        "{metrics}"
    );
}

/// Waits for the first record the schedule writes, then stops it.
async fn first_scheduled_record(app: &TestApp, limits: AuditConfig) -> Value {
    let schedule = spawn_fairness_audits(
        app.state.clone(),
        FairnessSchedule {
            every: Duration::from_millis(200),
            window: Duration::from_secs(86_400),
            limits,
        },
    );
    let mut found = None;
    for _ in 0..100 {
        found = fairness_records(app)
            .await
            .into_iter()
            .find(|r| r["trigger"] == "schedule");
        if found.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    schedule.abort();
    let _ = schedule.await;
    found.expect("no scheduled audit was recorded")
}

async fn a_stricter_limit_raises_an_alert_the_default_does_not(backend: Backend) {
    let app = spawn_app(backend).await;
    // North 6 of 20 overridden (30%), south 5 of 20 (25%): a ratio of 0.83 and a difference of
    // 0.05, inside the default limits (0.8, 0.1) but not inside a ratio limit of 0.9.
    seed(&app, 6, 5).await;
    let officer = app.client_as(Role::AiOfficer).await;
    let (status, _, body) = report(&officer, &app, "since=1d&min_group_size=10").await;
    assert_eq!(status, 200, "{body}");
    let doc: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(doc["audit"]["alerts"], json!([]), "{doc}");
    // The report shows the limits it judged by: the shipped policy's.
    assert_eq!(doc["audit"]["config"]["min_ratio"], 0.8, "{doc}");
    assert_eq!(doc["audit"]["config"]["max_difference"], 0.1, "{doc}");
    assert_eq!(doc["audit"]["config"]["min_group_size"], 10, "{doc}");

    let record = first_scheduled_record(
        &app,
        AuditConfig {
            min_group_size: 10,
            min_ratio: 0.9,
            ..AuditConfig::default()
        },
    )
    .await;
    let alerts = record["alerts"].as_array().unwrap();
    assert_eq!(alerts.len(), 1, "{record}");
    assert_eq!(alerts[0]["attribute"], "region");
    assert_eq!(alerts[0]["outcome"], "overridden");
    assert_eq!(
        alerts[0]["violations"][0]["metric"],
        "demographic_parity_ratio"
    );
    assert_eq!(alerts[0]["violations"][0]["limit"], "0.9000");
    assert!(alert_count(&app, "overridden", "region").await >= 1);
}

async fn bad_parameters_are_named(backend: Backend) {
    let app = spawn_app(backend).await;
    for (query, field) in [
        ("since=30y", "since"),
        ("since=", "since"),
        ("format=pdf", "format"),
        ("record=yes", "record"),
        ("min_group_size=0", "min_group_size"),
        ("colour=red", "colour"),
    ] {
        let (status, content_type, body) = report(&app.client, &app, query).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(content_type, "application/json", "{query}");
        let error: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            error["error"]["code"], "invalid_parameter",
            "{query}: {error}"
        );
        assert_eq!(error["error"]["field"], field, "{query}: {error}");
        assert!(
            error["error"]["message"].as_str().unwrap().contains(field),
            "{query}: {error}"
        );
    }
    // Nothing was audited, so nothing was recorded.
    assert!(fairness_records(&app).await.is_empty());
    // An empty log is a report with no rows, not an error.
    let (status, _, body) = report(&app.client, &app, "").await;
    assert_eq!(status, 200, "{body}");
    let doc: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(doc["audit"]["rows"], 0);
    assert!(doc.get("audit_index").is_none());
}
