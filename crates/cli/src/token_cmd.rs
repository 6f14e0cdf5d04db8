//! `candor token`: create, list and revoke API tokens directly in the store, so that the first
//! admin token can be made before any exists.

use anyhow::{Context, bail};
use candor_core::Role;
use candor_pipeline::Pipeline;
use candor_pipeline::access::{TokenOptions, days_after, issue_token_with};

use crate::config::CandorConfig;

/// Creates a token and prints its secret (once) on stdout. Without a name it is named after
/// its role; without `expires_in_days` it works until revoked.
///
/// # Errors
///
/// An unknown role, a bad name or expiry, or a storage failure.
pub async fn create(
    config: &CandorConfig,
    name: Option<&str>,
    role: &str,
    expires_in_days: Option<u32>,
) -> anyhow::Result<()> {
    let role: Role = role.parse().context("--role")?;
    let name = name.unwrap_or(role.as_str());
    let now = Pipeline::now();
    let expires_at = expires_in_days
        .map(|days| days_after(now, days))
        .transpose()
        .context("--expires-in")?;
    let store = crate::app::open_store(config).await?;
    let options = TokenOptions {
        expires_at,
        user_id: None,
    };
    let issued = issue_token_with(store.as_ref(), name, role, now, options).await?;
    let until = match issued.record.expires_at {
        Some(at) => format!("expires {}", candor_server::dto::rfc3339(at)),
        None => "does not expire".to_owned(),
    };
    eprintln!(
        "Created token {} ({}, role {}, {until}). It is shown only now; store it safely:",
        issued.record.id, name, role
    );
    println!("{}", issued.secret);
    Ok(())
}

/// Lists tokens (never their secrets).
///
/// # Errors
///
/// Storage failure.
pub async fn list(config: &CandorConfig) -> anyhow::Result<()> {
    let store = crate::app::open_store(config).await?;
    let mut table = comfy_table::Table::new();
    table
        .load_preset(comfy_table::presets::UTF8_FULL_CONDENSED)
        .set_header(vec!["id", "name", "role", "created", "expires", "revoked"]);
    for t in store.tokens().await? {
        table.add_row(vec![
            t.id,
            t.name,
            t.role.to_string(),
            candor_server::dto::rfc3339(t.created_at),
            t.expires_at
                .map(candor_server::dto::rfc3339)
                .unwrap_or_else(|| "never".to_owned()),
            t.revoked_at
                .map(candor_server::dto::rfc3339)
                .unwrap_or_else(|| "–".to_owned()),
        ]);
    }
    println!("{table}");
    Ok(())
}

/// Revokes a token.
///
/// # Errors
///
/// When no active token has that id, or storage fails.
pub async fn revoke(config: &CandorConfig, id: &str) -> anyhow::Result<()> {
    let store = crate::app::open_store(config).await?;
    if !store.revoke_token(id, Pipeline::now()).await? {
        bail!("no active token with id `{id}`");
    }
    eprintln!("Revoked {id}.");
    Ok(())
}
