//! Fairness over HTTP: the group audit of logged decisions as a report, and the scheduled
//! audits that record themselves in the audit log and raise alerts (`docs/specs/fairness.md`).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use candor_fairness::{AuditConfig, FairnessReport, GroupAuditReport};
use candor_pipeline::Pipeline;
use candor_pipeline::fairness_audit::{
    FairnessAuditError, Window, audit_window, parse_period, record_audit,
};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::task::JoinHandle;
use utoipa::IntoParams;

use crate::error::ApiError;
use crate::{AppState, ErrorBody};

/// When the server audits on its own, and with which limits.
#[derive(Debug, Clone, PartialEq)]
pub struct FairnessSchedule {
    /// Time between audits; the first runs one interval after start.
    pub every: Duration,
    /// The window each audit covers, ending when it runs.
    pub window: Duration,
    /// The alert limits and minimum group size: `candor serve` passes the policy's
    /// (`[fairness]`, [`candor_pipeline::policy::FairnessConfig::audit_config`]).
    pub limits: AuditConfig,
}

/// Runs the group audit every `schedule.every`, recording each run and its alerts, until the
/// returned task is aborted (on shutdown). A failed run is logged and retried at the next tick.
pub fn spawn_fairness_audits(state: Arc<AppState>, schedule: FairnessSchedule) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(schedule.every);
        // After a stall, one catch-up audit is enough: each covers the whole window anyway.
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticker.tick().await;
        loop {
            ticker.tick().await;
            let window = Window::last(schedule.window, Pipeline::now());
            match audit_and_record(&state, window, &schedule.limits, "schedule").await {
                Ok((report, index)) => tracing::info!(
                    decisions = report.rows,
                    alerts = report.alerts.len(),
                    audit_index = index,
                    "Scheduled fairness audit recorded"
                ),
                Err(e) => {
                    tracing::warn!(error = %e, "Scheduled fairness audit failed; will retry");
                }
            }
        }
    })
}

/// Audits `window`, appends the `fairness_audit` record, and counts and logs every alert.
/// Returns the report and the record's leaf index.
async fn audit_and_record(
    state: &AppState,
    window: Window,
    config: &AuditConfig,
    trigger: &str,
) -> Result<(GroupAuditReport, u64), FairnessAuditError> {
    let store = state.pipeline.store().as_ref();
    let report = audit_window(store, window, config, |_| {}).await?;
    let index = record_audit(store, &report, window, trigger, Pipeline::now()).await?;
    for alert in &report.alerts {
        state
            .metrics
            .fairness_alert(&alert.outcome, &alert.attribute);
        // Groups are the deployment's categories (language, channel, tenure band, region), not
        // people, so naming them is what makes the warning actionable without personal data.
        tracing::warn!(
            attribute = %alert.attribute,
            outcome = %alert.outcome,
            class = %alert.class,
            lowest_group = %alert.lowest_group,
            lowest_value = alert.lowest_value,
            highest_group = %alert.highest_group,
            highest_value = alert.highest_value,
            audit_index = index,
            trigger,
            "Fairness disparity above the limits"
        );
    }
    Ok((report, index))
}

/// Query parameters of the fairness report. Every value is checked by the handler, so that a
/// bad one is answered naming the parameter.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReportParams {
    /// The window, ending now: a whole number and `m`, `h`, `d` or `w` (default `30d`).
    since: Option<String>,
    /// `json` (default), `md` or `html`.
    format: Option<String>,
    /// `true` to append a `fairness_audit` record of this run and count its alerts.
    record: Option<String>,
    /// Groups with fewer decisions are listed but not judged (default: the policy's
    /// `fairness.min_group_size`, 30 unless set).
    min_group_size: Option<String>,
}

fn bad_parameter(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_parameter", message).with_field(field)
}

/// The group audit of the decisions logged in a window: outcomes per language, channel,
/// tenure band and region, the disparities above the limits, and the outcomes over time.
#[utoipa::path(
    get,
    path = "/v1/fairness/report",
    params(ReportParams),
    responses(
        (status = 200, description = "The report: JSON (`summary`, `audit`), Markdown or a self-contained HTML page", content_type = "application/json"),
        (status = 400, body = ErrorBody),
    ),
    tag = "fairness"
)]
pub(crate) async fn get_report(
    State(state): State<Arc<AppState>>,
    params: Result<Query<ReportParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(params) = params.map_err(|e| {
        let text = e.body_text();
        let field = text
            .split("unknown field `")
            .nth(1)
            .and_then(|rest| rest.split('`').next())
            .unwrap_or("query")
            .to_owned();
        bad_parameter(&field, format!("{field}: {text}"))
    })?;
    let since = match params.since.as_deref() {
        None => Duration::from_secs(30 * 86_400),
        Some(s) => parse_period(s).map_err(|e| bad_parameter("since", format!("since: {e}")))?,
    };
    let format = params.format.as_deref().unwrap_or("json");
    if !matches!(format, "json" | "md" | "html") {
        return Err(bad_parameter(
            "format",
            format!("format: `{format}` is not json, md or html"),
        ));
    }
    let record = match params.record.as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(bad_parameter(
                "record",
                format!("record: `{other}` is not true or false"),
            ));
        }
    };
    // The policy's limits, so that a report shows the alerts the schedule would raise.
    let mut config = state.pipeline.policy().fairness.audit_config();
    if let Some(s) = params.min_group_size.as_deref() {
        config.min_group_size = s.parse::<usize>().ok().filter(|n| *n >= 1).ok_or_else(|| {
            bad_parameter(
                "min_group_size",
                format!("min_group_size: `{s}` is not a whole number of at least 1"),
            )
        })?;
    }
    let window = Window::last(since, Pipeline::now());
    let outcome = if record {
        audit_and_record(&state, window, &config, "api")
            .await
            .map(|(report, index)| (report, Some(index)))
    } else {
        audit_window(state.pipeline.store().as_ref(), window, &config, |_| {})
            .await
            .map(|report| (report, None))
    };
    let (audit, index) = outcome.map_err(|e| {
        tracing::error!(error = %e, "The fairness audit failed");
        ApiError::internal()
    })?;
    let report = FairnessReport {
        audit: Some(audit),
        ..FairnessReport::default()
    };
    let (content_type, body) = match format {
        "md" => ("text/markdown; charset=utf-8", report.to_markdown()),
        "html" => ("text/html; charset=utf-8", report.to_html()),
        _ => ("application/json", report_json(&report, index)),
    };
    Ok(([(header::CONTENT_TYPE, content_type)], body).into_response())
}

/// The same document as `candor audit fairness --since … --format json` (`summary`, `audit`),
/// plus `audit_index` when this run was recorded.
fn report_json(report: &FairnessReport, index: Option<u64>) -> String {
    let mut doc = BTreeMap::new();
    doc.insert("summary", json!(report.summary()));
    // NaN has no JSON form; serde_json writes it as null.
    doc.insert(
        "audit",
        serde_json::to_value(&report.audit).unwrap_or(Value::Null),
    );
    if let Some(i) = index {
        doc.insert("audit_index", json!(i));
    }
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}
