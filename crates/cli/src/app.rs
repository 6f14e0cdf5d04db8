//! Assembles Candor from its configuration: store, key, policy, pipeline.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use candor_pii::PseudonymKey;
use candor_pipeline::{DEFAULT_POLICY, Limits, Pipeline, Policy};
use candor_store::{PgStore, SqliteStore, SqliteSync, Store};

use crate::config::CandorConfig;

/// Opens the configured store: PostgreSQL when a URL is set, otherwise SQLite in the data dir.
///
/// # Errors
///
/// When the database cannot be opened or migrated.
pub async fn open_store(config: &CandorConfig) -> anyhow::Result<Arc<dyn Store>> {
    if config.storage.database_url.is_empty() {
        let sync: SqliteSync = config
            .storage
            .sqlite_sync
            .parse()
            .map_err(anyhow::Error::msg)?;
        let store = SqliteStore::open(&config.storage.data_dir, sync)
            .await
            .with_context(|| {
                format!(
                    "cannot open the SQLite database in {}",
                    config.storage.data_dir.display()
                )
            })?;
        Ok(Arc::new(store))
    } else {
        let store = PgStore::connect(&config.storage.database_url)
            .await
            .context(
                "cannot open the PostgreSQL database (check storage.database_url / --database-url)",
            )?;
        Ok(Arc::new(store))
    }
}

/// The policy from `pipeline.policy_file`, or the shipped one.
///
/// # Errors
///
/// When the file cannot be read or is invalid (every problem listed).
pub fn load_policy(config: &CandorConfig) -> anyhow::Result<Policy> {
    let path = &config.pipeline.policy_file;
    if path.as_os_str().is_empty() {
        return Ok(Policy::parse(DEFAULT_POLICY)?);
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read policy file {}", path.display()))?;
    Policy::parse(&text).with_context(|| format!("policy file {}", path.display()))
}

fn key_path(config: &CandorConfig) -> PathBuf {
    if config.privacy.pseudonym_key_file.as_os_str().is_empty() {
        config.storage.data_dir.join("keys").join("pseudonym.key")
    } else {
        config.privacy.pseudonym_key_file.clone()
    }
}

/// Reads the pseudonym key, creating it (readable by the owner only) on first start.
///
/// # Errors
///
/// When the file cannot be read or written, or does not hold 64 hex digits.
pub fn load_or_create_key(path: &Path) -> anyhow::Result<PseudonymKey> {
    if path.exists() {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read key file {}", path.display()))?;
        let bytes = hex::decode(text.trim())
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok());
        let Some(bytes) = bytes else {
            bail!(
                "key file {} must hold exactly 64 hex digits",
                path.display()
            );
        };
        return Ok(PseudonymKey::from_bytes(bytes));
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let bytes: [u8; 32] = rand::random();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create key file {}", path.display()))?;
    writeln!(file, "{}", hex::encode(bytes))?;
    file.sync_all()?;
    tracing::info!(path = %path.display(), "Created a new pseudonym key");
    Ok(PseudonymKey::from_bytes(bytes))
}

/// Builds the pipeline over the configured store.
///
/// # Errors
///
/// Any failure to open the store, read the key or policy, or load the language models.
pub async fn build_pipeline(config: &CandorConfig) -> anyhow::Result<Arc<Pipeline>> {
    let policy = load_policy(config)?;
    let key = load_or_create_key(&key_path(config))?;
    let store = open_store(config).await?;
    let limits = Limits {
        max_text_bytes: config.pipeline.max_text_bytes,
    };
    let pipeline = tokio::task::spawn_blocking(move || Pipeline::new(policy, key, limits, store))
        .await
        .context("loading the pipeline panicked")??;
    Ok(Arc::new(pipeline))
}
