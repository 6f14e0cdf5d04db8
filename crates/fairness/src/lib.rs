//! Candor's fairness audits: pure functions over decisions, and thresholds.
//!
//! - [`metrics`]: selection rate, demographic parity, disparate impact (four-fifths rule),
//!   equalised odds, equal opportunity and per-group error rates with Fairlearn's definitions,
//!   one-vs-rest for multi-class outcomes, seeded bootstrap intervals and minimum group sizes.
//! - [`probe`] and [`runner`]: counterfactual variants of probe messages (names, places,
//!   tenure, formality, typos) run through a caller's decision function, measuring flips.
//! - [`audit`]: group audits of logged decisions with alerts, and the training-data balance
//!   check.
//! - [`timeline`]: the audited outcomes per group per day (or week), with small groups as gaps.
//! - [`report`]: JSON, Markdown and self-contained HTML with SVG charts (bars per group, lines
//!   over time) and a plain-language summary.
//!
//! The crate does no IO except [`ProbeLists::from_dir`]; the shipped lists and probes are
//! compiled in. See `docs/specs/fairness.md`.
//!
//! ```
//! use candor_fairness::{ProbeLists, ProbeOutcome, run_probes, shipped_probes};
//!
//! let lists = ProbeLists::shipped()?;
//! let probes = shipped_probes()?;
//! // A decision that ignores who wrote the message never flips on a name.
//! let report = run_probes(&probes, &lists, 42, |v| -> Result<_, std::convert::Infallible> {
//!     Ok(ProbeOutcome {
//!         route: "human_queue".into(),
//!         intent: None,
//!         priority_score: Some(0.5),
//!         priority_band: Some("normal".into()),
//!         bot_answered: false,
//!     })
//! })
//! .unwrap();
//! assert_eq!(report.flip_rate.route, 0.0);
//! assert_eq!(report.per_attribute["name"].flips.any, 0);
//! # Ok::<(), candor_fairness::FairnessError>(())
//! ```
#![deny(missing_docs)]

pub mod audit;
mod error;
pub mod metrics;
pub mod probe;
pub mod report;
mod rng;
pub mod runner;
pub mod timeline;

pub use audit::{
    AuditConfig, AuditRow, BalanceReport, GroupAuditReport, balance_check, group_audit,
};
pub use error::FairnessError;
pub use metrics::{BootstrapConfig, GroupMetrics, MetricsConfig, group_metrics};
pub use probe::{
    Attribute, Probe, ProbeLists, Variant, baseline, parse_probes, shipped_probes, variants,
};
pub use report::FairnessReport;
pub use runner::{ProbeError, ProbeOutcome, ProbeReport, run_probes};
pub use timeline::{Timeline, TimelineConfig, timeline};
