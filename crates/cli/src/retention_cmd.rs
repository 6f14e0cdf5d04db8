//! `candor retention purge [--dry-run]`: removes what is older than its class's retention
//! (`[retention]` in the policy) now, as `serve` does on its schedule, and says what went.

use anyhow::Context;
use candor_pipeline::Pipeline;
use candor_pipeline::retention::{ClassPurge, PurgeReport};
use candor_server::dto::rfc3339;

use crate::config::CandorConfig;

/// Purges (or with `dry_run` only counts) and prints per class what expired; returns the
/// report.
///
/// # Errors
///
/// When the store or policy cannot be opened, or storage fails (batches committed before the
/// failure stay purged and recorded).
pub async fn purge(config: &CandorConfig, dry_run: bool) -> anyhow::Result<PurgeReport> {
    let policy = crate::app::load_policy(config)?;
    let store = crate::app::open_store(config).await?;
    let report = candor_pipeline::retention::purge(
        store.as_ref(),
        &policy.retention,
        Pipeline::now(),
        dry_run,
    )
    .await
    .context("retention purge")?;
    print!("{}", render(&report));
    Ok(report)
}

/// The report as printed: a heading, then one line per class.
pub fn render(report: &PurgeReport) -> String {
    let mut out = if report.dry_run {
        format!(
            "Retention purge, dry run as of {}: nothing was changed.\n",
            rfc3339(report.now)
        )
    } else {
        format!("Retention purge as of {}:\n", rfc3339(report.now))
    };
    for c in &report.classes {
        out.push_str(&line(c, report.dry_run));
        out.push('\n');
    }
    out
}

fn line(c: &ClassPurge, dry_run: bool) -> String {
    let name = c.class.as_str();
    let (Some(days), Some(cutoff)) = (c.days, c.cutoff) else {
        return format!("{name}: no retention period, kept until erased");
    };
    let verb = if dry_run { "would be purged" } else { "purged" };
    let mut s = format!(
        "{name}: {} {verb} (older than {days} days, before {})",
        c.count,
        rfc3339(cutoff)
    );
    if c.count > 0
        && let Some(oldest) = &c.oldest
    {
        s.push_str(&format!(
            "; oldest: {} {} of {}",
            oldest.kind,
            oldest.id,
            rfc3339(oldest.at)
        ));
    }
    if !dry_run {
        match (c.audit_indexes.first(), c.audit_indexes.last()) {
            (Some(first), Some(last)) if first == last => {
                s.push_str(&format!("; audit record {first}"));
            }
            (Some(first), Some(last)) => {
                s.push_str(&format!(
                    "; audit records {} ({first} to {last})",
                    c.audit_indexes.len()
                ));
            }
            _ => {}
        }
    }
    s
}
