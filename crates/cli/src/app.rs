//! Assembles Candor from its configuration: store, keys, policy, pipeline, ledger.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use candor_audit::CheckpointSigner;
use candor_pii::PseudonymKey;
use candor_pipeline::vault::MasterKey;
use candor_pipeline::{DEFAULT_POLICY, Ledger, Limits, Pipeline, Policy};
use candor_store::{PgStore, SqliteStore, SqliteSync, Store};
use sha2::Digest;

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

/// Where `candor activate` puts the policy and intent model it let through:
/// `DATA_DIR/active`.
pub fn active_dir(config: &CandorConfig) -> PathBuf {
    config.storage.data_dir.join("active")
}

/// The activated policy file in [`active_dir`].
pub const ACTIVE_POLICY: &str = "policy.toml";
/// The activated intent model file in [`active_dir`].
pub const ACTIVE_INTENT_MODEL: &str = "intent-model.ctc";

/// The policy from `pipeline.policy_file`; else the one `candor activate` let through; else
/// the shipped one.
///
/// # Errors
///
/// When the file cannot be read or is invalid (every problem listed).
pub fn load_policy(config: &CandorConfig) -> anyhow::Result<Policy> {
    let mut path = config.pipeline.policy_file.clone();
    if path.as_os_str().is_empty() {
        path = active_dir(config).join(ACTIVE_POLICY);
        if !path.is_file() {
            return Ok(Policy::parse(DEFAULT_POLICY)?);
        }
    }
    let path = &path;
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read policy file {}", path.display()))?;
    Policy::parse(&text).with_context(|| format!("policy file {}", path.display()))
}

fn key_path(configured: &Path, data_dir: &Path, default_name: &str) -> PathBuf {
    if configured.as_os_str().is_empty() {
        data_dir.join("keys").join(default_name)
    } else {
        configured.to_owned()
    }
}

/// Where the pseudonym key lives.
pub fn pseudonym_key_path(config: &CandorConfig) -> PathBuf {
    key_path(
        &config.privacy.pseudonym_key_file,
        &config.storage.data_dir,
        "pseudonym.key",
    )
}

/// Where the master key (which wraps every customer's data key) lives.
pub fn master_key_path(config: &CandorConfig) -> PathBuf {
    key_path(
        &config.privacy.master_key_file,
        &config.storage.data_dir,
        "master.key",
    )
}

/// The master key (created on first start) with the previous ones still in use during a
/// rotation.
///
/// # Errors
///
/// When a key file cannot be read (or the master key created).
pub fn master_key(config: &CandorConfig) -> anyhow::Result<MasterKey> {
    let current = load_or_create_secret(&master_key_path(config))?;
    let previous = config
        .privacy
        .previous_master_key_files
        .iter()
        .map(|path| read_secret(path).context("privacy.previous_master_key_files"))
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(MasterKey::from_bytes(current).with_previous(previous))
}

/// Where the checkpoint-signing key lives.
pub fn signing_key_path(config: &CandorConfig) -> PathBuf {
    key_path(
        &config.audit.signing_key_file,
        &config.storage.data_dir,
        "audit-signing.key",
    )
}

/// Reads a 32-byte secret stored as 64 hex digits.
///
/// # Errors
///
/// When the file cannot be read or does not hold 64 hex digits.
pub fn read_secret(path: &Path) -> anyhow::Result<[u8; 32]> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read key file {}", path.display()))?;
    hex::decode(text.trim())
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .with_context(|| {
            format!(
                "key file {} must hold exactly 64 hex digits",
                path.display()
            )
        })
}

/// Reads a 32-byte secret, creating it (readable by the owner only) on first start.
///
/// # Errors
///
/// When the file cannot be read or written, or does not hold 64 hex digits.
pub fn load_or_create_secret(path: &Path) -> anyhow::Result<[u8; 32]> {
    if path.exists() {
        return read_secret(path);
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
    match options.open(path) {
        Ok(mut file) => {
            writeln!(file, "{}", hex::encode(bytes))?;
            file.sync_all()?;
            tracing::info!(path = %path.display(), "Created a new key");
            Ok(bytes)
        }
        // Another process (a second node, or `triage` beside `serve`) created it first.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read_secret(path),
        Err(e) => Err(e).with_context(|| format!("cannot create key file {}", path.display())),
    }
}

/// The checkpoint signer from the configured seed and origin.
///
/// # Errors
///
/// When the key cannot be read (or, with `create`, created), or the origin is not a valid
/// key name.
pub fn signer(config: &CandorConfig, create: bool) -> anyhow::Result<CheckpointSigner> {
    let path = signing_key_path(config);
    let seed = if create {
        load_or_create_secret(&path)?
    } else {
        read_secret(&path)?
    };
    let origin = if config.audit.origin.is_empty() {
        // Derived from the public key, so that two deployments never share an origin by accident.
        let probe = CheckpointSigner::new("candor-audit", &seed).map_err(anyhow::Error::msg)?;
        let vkey = probe.verifier().to_vkey();
        let public = vkey.rsplit('+').next().unwrap_or_default();
        format!(
            "candor-audit-{}",
            &hex::encode(sha2::Sha256::digest(public.as_bytes()))[..8]
        )
    } else {
        config.audit.origin.clone()
    };
    CheckpointSigner::new(&origin, &seed).context("audit.origin")
}

/// The ledger over `store`.
///
/// # Errors
///
/// When the signing key cannot be loaded.
pub fn build_ledger(config: &CandorConfig, store: Arc<dyn Store>) -> anyhow::Result<Arc<Ledger>> {
    Ok(Arc::new(Ledger::new(store, signer(config, true)?)))
}

/// The intent model `candor activate` let through, or `None` for the shipped one.
///
/// # Errors
///
/// When the file exists but cannot be read.
pub fn load_intent_model(config: &CandorConfig) -> anyhow::Result<Option<Vec<u8>>> {
    let path = active_dir(config).join(ACTIVE_INTENT_MODEL);
    if !path.is_file() {
        return Ok(None);
    }
    std::fs::read(&path)
        .map(Some)
        .with_context(|| format!("cannot read the active intent model {}", path.display()))
}

/// Builds the pipeline and the ledger over the configured store.
///
/// # Errors
///
/// Any failure to open the store, read the keys or policy, or load the language models.
pub async fn build(config: &CandorConfig) -> anyhow::Result<(Arc<Pipeline>, Arc<Ledger>)> {
    let policy = load_policy(config)?;
    let key = PseudonymKey::from_bytes(load_or_create_secret(&pseudonym_key_path(config))?);
    let master = master_key(config)?;
    let store = open_store(config).await?;
    let ledger = build_ledger(config, store.clone())?;
    let limits = Limits {
        max_text_bytes: config.pipeline.max_text_bytes,
    };
    let model = load_intent_model(config)?;
    let pipeline = tokio::task::spawn_blocking(move || {
        let pipeline = Pipeline::new(policy, key, master, limits, store)?;
        match model {
            Some(bytes) => pipeline.with_intent_model(&bytes),
            None => Ok(pipeline),
        }
    })
    .await
    .context("loading the pipeline panicked")??;
    pipeline
        .reload_knowledge_base()
        .await
        .context("loading the knowledge base")?;
    let dir = &config.pipeline.knowledge_base_dir;
    if !dir.as_os_str().is_empty() && dir.is_dir() {
        let articles = read_articles(dir)?;
        let imported = pipeline
            .import_newer_articles(&articles, Pipeline::now())
            .await
            .with_context(|| format!("importing knowledge-base articles from {}", dir.display()))?;
        tracing::info!(dir = %dir.display(), found = articles.len(), imported, "Knowledge base brought up to date");
    }
    Ok((Arc::new(pipeline), ledger))
}

/// Every article under `dir` (`*.md`, recursively), as Markdown.
///
/// # Errors
///
/// When a file cannot be read or is not a valid article; the error names the file.
pub fn read_articles(dir: &Path) -> anyhow::Result<Vec<String>> {
    Ok(candor_kb::load_dir(dir)?
        .iter()
        .map(candor_kb::Article::to_markdown)
        .collect())
}
