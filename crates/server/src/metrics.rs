//! Prometheus metrics: messages by route and language, stage latencies, errors, fairness
//! alerts.

use std::time::Duration;

use candor_pipeline::{Outcome, Stage};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MessageLabels {
    route: String,
    language: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EscalationLabels {
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ComplaintLabels {
    status: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FairnessAlertLabels {
    metric: String,
    group_attribute: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StageLabels {
    stage: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ErrorLabels {
    code: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    path: String,
    status: u16,
}

/// The server's metrics, rendered at `/metrics`.
pub struct Metrics {
    registry: Registry,
    messages: Family<MessageLabels, Counter>,
    stages: Family<StageLabels, Histogram>,
    errors: Family<ErrorLabels, Counter>,
    requests: Family<RequestLabels, Histogram>,
    escalations: Family<EscalationLabels, Counter>,
    complaints: Family<ComplaintLabels, Counter>,
    fairness_alerts: Family<FairnessAlertLabels, Counter>,
}

fn latency_histogram() -> Histogram {
    // 10 µs to ~5 s.
    Histogram::new(exponential_buckets(0.000_01, 2.5, 15))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("candor");
        let messages = Family::<MessageLabels, Counter>::default();
        let stages = Family::<StageLabels, Histogram>::new_with_constructor(
            latency_histogram as fn() -> Histogram,
        );
        let errors = Family::<ErrorLabels, Counter>::default();
        let requests = Family::<RequestLabels, Histogram>::new_with_constructor(
            latency_histogram as fn() -> Histogram,
        );
        registry.register(
            "messages",
            "Messages recorded, by route and language",
            messages.clone(),
        );
        registry.register(
            "stage_duration_seconds",
            "Time spent in each pipeline stage",
            stages.clone(),
        );
        registry.register("errors", "Error responses, by error code", errors.clone());
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency by route and status",
            requests.clone(),
        );
        let escalations = Family::<EscalationLabels, Counter>::default();
        registry.register(
            "escalations",
            "Messages handed to a person, by reason",
            escalations.clone(),
        );
        let complaints = Family::<ComplaintLabels, Counter>::default();
        registry.register(
            "complaints",
            "Complaints about AI decisions filed (open) and resolved (upheld, rejected)",
            complaints.clone(),
        );
        let fairness_alerts = Family::<FairnessAlertLabels, Counter>::default();
        registry.register(
            "fairness_alerts",
            "Disparities above the limits found by recorded fairness audits, by outcome and group attribute",
            fairness_alerts.clone(),
        );
        for stage in Stage::ALL {
            let _ = stages.get_or_create(&StageLabels {
                stage: stage.as_str(),
            });
        }
        Metrics {
            registry,
            messages,
            stages,
            errors,
            requests,
            escalations,
            complaints,
            fairness_alerts,
        }
    }
}

impl Metrics {
    pub(crate) fn record_outcome(&self, outcome: &Outcome) {
        let language = outcome
            .language
            .lang
            .map_or_else(|| "unknown".to_owned(), |l| l.code().to_owned());
        self.messages
            .get_or_create(&MessageLabels {
                route: outcome.decision.route.as_str().to_owned(),
                language,
            })
            .inc();
        if let Some(reason) = outcome.decision.escalation_reason {
            self.escalations
                .get_or_create(&EscalationLabels {
                    reason: reason.as_str(),
                })
                .inc();
        }
        for (stage, took) in &outcome.timings.0 {
            self.stages
                .get_or_create(&StageLabels {
                    stage: stage.as_str(),
                })
                .observe(took.as_secs_f64());
        }
    }

    pub(crate) fn complaint(&self, status: &'static str) {
        self.complaints
            .get_or_create(&ComplaintLabels { status })
            .inc();
    }

    pub(crate) fn fairness_alert(&self, metric: &str, group_attribute: &str) {
        self.fairness_alerts
            .get_or_create(&FairnessAlertLabels {
                metric: metric.to_owned(),
                group_attribute: group_attribute.to_owned(),
            })
            .inc();
    }

    pub(crate) fn record_error(&self, code: &'static str) {
        self.errors.get_or_create(&ErrorLabels { code }).inc();
    }

    pub(crate) fn record_request(&self, method: &str, path: &str, status: u16, took: Duration) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.to_owned(),
                path: path.to_owned(),
                status,
            })
            .observe(took.as_secs_f64());
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}
