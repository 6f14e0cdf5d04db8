//! `candor customer export|erase|consent|consents`: the data-subject rights and consent from
//! the command line, for the data-protection officer with access to the data directory or
//! database. They write the same JSON as the HTTP endpoints (docs/specs/privacy.md) through the
//! same pipeline functions, and erasure and consent changes are recorded in the audit ledger
//! like any other.

use anyhow::{Context, bail};
use candor_pipeline::Pipeline;
use candor_pipeline::service::Purpose;

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

fn check_customer_id(customer_id: &str) -> anyhow::Result<()> {
    if customer_id.is_empty() || customer_id.len() > 256 {
        bail!("the customer id must be 1 to 256 bytes");
    }
    Ok(())
}

/// Records a change of a customer's consent to one purpose (with its audit record) and prints
/// their consent in force and its history as JSON.
///
/// # Errors
///
/// An unknown purpose, an empty or overlong customer id or source, or a storage failure.
pub async fn consent(
    config: &CandorConfig,
    customer_id: &str,
    purpose: &str,
    granted: bool,
    source: &str,
) -> anyhow::Result<()> {
    check_customer_id(customer_id)?;
    let purpose = Purpose::parse(purpose).with_context(|| {
        format!(
            "`{purpose}` is not a purpose (known: {})",
            Purpose::ALL.map(|p| p.as_str()).join(", ")
        )
    })?;
    let (pipeline, _) = crate::app::build(config).await?;
    pipeline
        .set_consent(customer_id, purpose, granted, source, Pipeline::now())
        .await
        .with_context(|| format!("recording consent of customer `{customer_id}`"))?;
    print_consents(&pipeline, customer_id).await
}

/// Prints a customer's consent in force per purpose and its history as JSON.
///
/// # Errors
///
/// An empty or overlong customer id, or a storage failure.
pub async fn consents(config: &CandorConfig, customer_id: &str) -> anyhow::Result<()> {
    check_customer_id(customer_id)?;
    let (pipeline, _) = crate::app::build(config).await?;
    print_consents(&pipeline, customer_id).await
}

async fn print_consents(pipeline: &Pipeline, customer_id: &str) -> anyhow::Result<()> {
    let state = pipeline
        .consents(customer_id)
        .await
        .with_context(|| format!("reading consent of customer `{customer_id}`"))?;
    let view = candor_server::service_routes::consent_view(customer_id.to_owned(), &state);
    println!("{}", serde_json::to_string_pretty(&view)?);
    Ok(())
}
