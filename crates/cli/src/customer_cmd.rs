//! `candor customer export|erase`: the data-subject rights from the command line, for the
//! data-protection officer with access to the data directory or database. Both write the same
//! JSON as the HTTP endpoints (docs/specs/privacy.md), and erasure is recorded in the audit
//! ledger like any other.

use anyhow::{Context, bail};

use crate::config::CandorConfig;

/// Prints everything held about a customer as JSON.
///
/// # Errors
///
/// Storage failure, or sealed data that does not open with the configured master key.
pub async fn export(config: &CandorConfig, customer_id: &str) -> anyhow::Result<()> {
    let (pipeline, _) = crate::app::build(config).await?;
    let export = pipeline
        .export_customer(customer_id)
        .await
        .with_context(|| format!("exporting customer `{customer_id}`"))?;
    let view = candor_server::export_view(export);
    println!("{}", serde_json::to_string_pretty(&view)?);
    Ok(())
}

/// Erases a customer by crypto-shredding and prints what was removed as JSON.
///
/// # Errors
///
/// Without `confirmed` (erasure cannot be undone), an unknown customer, or a storage failure.
pub async fn erase(
    config: &CandorConfig,
    customer_id: &str,
    actor: &str,
    confirmed: bool,
) -> anyhow::Result<()> {
    if !confirmed {
        bail!(
            "erasing customer data cannot be undone: add --yes to erase `{customer_id}` (an `erasure` audit record names --actor)"
        );
    }
    let (pipeline, ledger) = crate::app::build(config).await?;
    let report = pipeline
        .erase_customer(customer_id, actor, &ledger)
        .await
        .with_context(|| format!("erasing customer `{customer_id}`"))?;
    let view = candor_server::erasure_view(&report);
    println!("{}", serde_json::to_string_pretty(&view)?);
    Ok(())
}
