//! `candor.toml`: every setting, its default, and `CANDOR_*` environment overrides.
//!
//! Precedence, lowest first: built-in defaults, the config file, environment variables
//! (`CANDOR_<SECTION>__<KEY>`, e.g. `CANDOR_SERVER__ADDR`), command-line flags.
//! Every key is documented in `docs/specs/config.md`.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// The whole configuration as users write it.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CandorConfig {
    /// `[server]`.
    pub server: ServerSection,
    /// `[storage]`.
    pub storage: StorageSection,
    /// `[pipeline]`.
    pub pipeline: PipelineSection,
    /// `[privacy]`.
    pub privacy: PrivacySection,
    /// `[log]`.
    pub log: LogSection,
    /// `[audit]`.
    pub audit: AuditSection,
    /// `[retention]`.
    pub retention: RetentionSection,
    /// `[fairness]`.
    pub fairness: FairnessSection,
}

/// `[fairness]`: the group audits `serve` runs on its own (the limits they judge by are in
/// `docs/specs/fairness.md`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct FairnessSection {
    /// How often `serve` audits the logged decisions per group, in minutes; 0 turns it off.
    /// Each run is recorded in the audit log and its alerts counted in `/metrics`.
    pub audit_interval_minutes: u64,
    /// The days each scheduled audit covers, ending when it runs.
    pub audit_window_days: u64,
}

impl Default for FairnessSection {
    fn default() -> Self {
        FairnessSection {
            audit_interval_minutes: 1440,
            audit_window_days: 30,
        }
    }
}

/// `[retention]`: when `serve` purges data past its retention (the periods themselves are
/// policy: `[retention]` in `policy.toml`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionSection {
    /// How often `serve` purges, in minutes; 0 turns the scheduled purge off
    /// (`candor retention purge` still works).
    pub purge_interval_minutes: u64,
}

impl Default for RetentionSection {
    fn default() -> Self {
        RetentionSection {
            purge_interval_minutes: 60,
        }
    }
}

/// `[audit]`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct AuditSection {
    /// File holding the Ed25519 checkpoint-signing seed (64 hex digits). Empty:
    /// `DATA_DIR/keys/audit-signing.key`, created on first start. Nodes sharing one PostgreSQL
    /// must share it.
    pub signing_key_file: PathBuf,
    /// The log's name in checkpoints (and the key's name). Empty: `candor-audit-` and the first
    /// 8 hex digits of the SHA-256 of the public key.
    pub origin: String,
    /// How often `serve` signs a checkpoint when the log has grown; 0 turns it off.
    pub checkpoint_interval_secs: u64,
}

impl Default for AuditSection {
    fn default() -> Self {
        AuditSection {
            signing_key_file: PathBuf::new(),
            origin: String::new(),
            checkpoint_interval_secs: 60,
        }
    }
}

/// `[server]`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSection {
    /// Address to listen on.
    pub addr: String,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// How long to wait for requests in flight on shutdown.
    pub shutdown_grace_secs: u64,
    /// Whether `/metrics` may be read without a token (for a Prometheus scraper on a private
    /// network). When false it needs a supervisor, ai_officer or admin token.
    pub public_metrics: bool,
    /// How long a session from `POST /v1/sessions` lasts, in hours.
    pub session_hours: u32,
    /// Origins whose pages may call the API from a browser (`https://host[:port]`); empty:
    /// no CORS headers at all, so only pages of Candor's own origin can.
    pub cors_allowed_origins: Vec<String>,
}

impl Default for ServerSection {
    fn default() -> Self {
        ServerSection {
            addr: "127.0.0.1:8080".to_owned(),
            max_body_bytes: 64 * 1024,
            shutdown_grace_secs: 10,
            public_metrics: true,
            session_hours: 8,
            cors_allowed_origins: Vec::new(),
        }
    }
}

/// `[storage]`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct StorageSection {
    /// Directory for the SQLite database and generated keys.
    pub data_dir: PathBuf,
    /// `postgres://…` to use PostgreSQL instead of SQLite; empty for SQLite.
    pub database_url: String,
    /// SQLite durability: `full` (survives power loss) or `normal` (survives a crash).
    pub sqlite_sync: String,
}

impl Default for StorageSection {
    fn default() -> Self {
        StorageSection {
            data_dir: PathBuf::from("./candor-data"),
            database_url: String::new(),
            sqlite_sync: "full".to_owned(),
        }
    }
}

/// `[pipeline]`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PipelineSection {
    /// Path of `policy.toml`; empty for the shipped policy.
    pub policy_file: PathBuf,
    /// Largest accepted message text, in bytes.
    pub max_text_bytes: usize,
    /// Directory of knowledge-base articles (`<lang>/<id>.md`) brought in at every start:
    /// articles newer than the stored ones are imported. Empty: none.
    pub knowledge_base_dir: PathBuf,
}

impl Default for PipelineSection {
    fn default() -> Self {
        PipelineSection {
            policy_file: PathBuf::new(),
            max_text_bytes: 32 * 1024,
            knowledge_base_dir: PathBuf::from("kb"),
        }
    }
}

/// `[privacy]`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields, default)]
pub struct PrivacySection {
    /// File holding the pseudonym key (64 hex digits). Empty: `DATA_DIR/keys/pseudonym.key`,
    /// created on first start. Several nodes on one PostgreSQL must share one key file.
    pub pseudonym_key_file: PathBuf,
    /// File holding the master key (64 hex digits) that wraps every customer's data key. Empty:
    /// `DATA_DIR/keys/master.key`, created on first start. Keep it off the database's disk in
    /// production (a mounted secret); nodes sharing one PostgreSQL must share it.
    pub master_key_file: PathBuf,
    /// Master keys that may still wrap some data keys while a rotation is under way
    /// (`candor keys rotate`): they unwrap, never wrap. Remove them once rotate reports zero
    /// left.
    pub previous_master_key_files: Vec<PathBuf>,
}

/// `[log]`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LogSection {
    /// `text` or `json`.
    pub format: String,
    /// A tracing filter, e.g. `info` or `candor_server=debug,info`. `RUST_LOG` overrides it.
    pub level: String,
}

impl Default for LogSection {
    fn default() -> Self {
        LogSection {
            format: "text".to_owned(),
            level: "info".to_owned(),
        }
    }
}

/// Flags that override the configuration.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--addr`.
    pub addr: Option<String>,
    /// `--data-dir`.
    pub data_dir: Option<PathBuf>,
    /// `--database-url`.
    pub database_url: Option<String>,
}

impl CandorConfig {
    /// Loads defaults, then `file` (or `./candor.toml` if it exists), then the environment,
    /// then `overrides`, and validates the result.
    ///
    /// # Errors
    ///
    /// A named file that does not exist, a file or variable that does not parse, an unknown
    /// key, or a value out of range.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> anyhow::Result<CandorConfig> {
        let mut figment = Figment::from(Serialized::defaults(CandorConfig::default()));
        match file {
            Some(path) => {
                if !path.is_file() {
                    bail!("config file {} does not exist", path.display());
                }
                figment = figment.merge(Toml::file_exact(path));
            }
            None => {
                if Path::new("candor.toml").is_file() {
                    figment = figment.merge(Toml::file_exact("candor.toml"));
                }
            }
        }
        // Only `CANDOR_<SECTION>__<KEY>` names are settings; other `CANDOR_*` variables (the
        // test suite's, say) are not this config's business.
        figment = figment.merge(
            Env::prefixed("CANDOR_")
                .split("__")
                .filter(|k| k.as_str().contains('.')),
        );
        let mut config: CandorConfig = figment.extract().context("invalid configuration")?;
        if let Some(addr) = &overrides.addr {
            config.server.addr = addr.clone();
        }
        if let Some(dir) = &overrides.data_dir {
            config.storage.data_dir = dir.clone();
        }
        if let Some(url) = &overrides.database_url {
            config.storage.database_url = url.clone();
        }
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> anyhow::Result<()> {
        let mut problems = Vec::new();
        if self.server.addr.parse::<std::net::SocketAddr>().is_err() {
            problems.push(format!(
                "server.addr: `{}` is not HOST:PORT (e.g. 127.0.0.1:8080)",
                self.server.addr
            ));
        }
        if !(1024..=64 * 1024 * 1024).contains(&self.server.max_body_bytes) {
            problems.push("server.max_body_bytes: must be between 1024 and 67108864".to_owned());
        }
        if !(1..=24 * 30).contains(&self.server.session_hours) {
            problems.push("server.session_hours: must be between 1 and 720 (30 days)".to_owned());
        }
        for origin in &self.server.cors_allowed_origins {
            if let Err(e) = candor_server::parse_origin(origin) {
                problems.push(format!("server.cors_allowed_origins: {e}"));
            }
        }
        if !(1..=self.server.max_body_bytes).contains(&self.pipeline.max_text_bytes) {
            problems.push(
                "pipeline.max_text_bytes: must be at least 1 and at most server.max_body_bytes"
                    .to_owned(),
            );
        }
        let url = &self.storage.database_url;
        let postgres = url.starts_with("postgres://") || url.starts_with("postgresql://");
        if !url.is_empty() && !postgres {
            problems.push(
                "storage.database_url: must start with postgres:// (leave empty for SQLite)"
                    .to_owned(),
            );
        }
        if let Err(e) = self.storage.sqlite_sync.parse::<candor_store::SqliteSync>() {
            problems.push(format!("storage.sqlite_sync: {e}"));
        }
        if self.retention.purge_interval_minutes > 60 * 24 * 7 {
            problems.push(
                "retention.purge_interval_minutes: must be at most 10080 (a week); 0 turns it off"
                    .to_owned(),
            );
        }
        if !(1..=3660).contains(&self.fairness.audit_window_days) {
            problems.push(
                "fairness.audit_window_days: must be between 1 and 3660 (ten years)".to_owned(),
            );
        }
        if self.fairness.audit_interval_minutes > 60 * 24 * 366 {
            problems.push(
                "fairness.audit_interval_minutes: must be at most 527040 (a year); 0 turns it off"
                    .to_owned(),
            );
        }
        if !matches!(self.log.format.as_str(), "text" | "json") {
            problems.push(format!(
                "log.format: `{}` is not `text` or `json`",
                self.log.format
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            bail!("invalid configuration:\n  - {}", problems.join("\n  - "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        CandorConfig::default().validate().unwrap();
    }

    #[test]
    fn fairness_schedule_defaults_to_daily_over_30_days_and_is_checked() {
        let c = CandorConfig::default();
        assert_eq!(
            (
                c.fairness.audit_interval_minutes,
                c.fairness.audit_window_days
            ),
            (1440, 30)
        );
        let mut c = CandorConfig::default();
        c.fairness.audit_window_days = 0;
        c.fairness.audit_interval_minutes = 10_000_000;
        let err = c.validate().unwrap_err().to_string();
        assert!(err.contains("fairness.audit_window_days"), "{err}");
        assert!(err.contains("fairness.audit_interval_minutes"), "{err}");
        c.fairness.audit_window_days = 7;
        c.fairness.audit_interval_minutes = 0;
        c.validate().unwrap();
    }

    #[test]
    fn every_problem_is_reported() {
        let mut c = CandorConfig::default();
        c.server.addr = "nowhere".into();
        c.storage.database_url = "mysql://x".into();
        c.log.format = "xml".into();
        c.server.session_hours = 0;
        c.server.cors_allowed_origins = vec!["https://ok.example".into(), "*".into()];
        let err = c.validate().unwrap_err().to_string();
        assert!(!err.contains("ok.example"), "{err}");
        for needle in [
            "server.addr",
            "storage.database_url",
            "log.format",
            "server.session_hours",
            "server.cors_allowed_origins: `*`",
        ] {
            assert!(err.contains(needle), "{err}");
        }
    }

    #[test]
    fn file_then_flags_override_defaults_and_unknown_keys_fail() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("candor.toml");
        std::fs::write(
            &path,
            "[server]\naddr = \"127.0.0.1:9999\"\nmax_body_bytes = 131072\n",
        )
        .unwrap();
        let c = CandorConfig::load(Some(&path), &Overrides::default()).unwrap();
        assert_eq!(c.server.addr, "127.0.0.1:9999");
        assert_eq!(c.server.max_body_bytes, 131072);
        let flagged = Overrides {
            addr: Some("127.0.0.1:1".into()),
            ..Overrides::default()
        };
        assert_eq!(
            CandorConfig::load(Some(&path), &flagged)
                .unwrap()
                .server
                .addr,
            "127.0.0.1:1"
        );

        std::fs::write(&path, "[server]\nadress = \"x\"\n").unwrap();
        let err = format!(
            "{:#}",
            CandorConfig::load(Some(&path), &Overrides::default()).unwrap_err()
        );
        assert!(err.contains("adress"), "{err}");
        assert!(
            CandorConfig::load(
                Some(&dir.path().join("missing.toml")),
                &Overrides::default()
            )
            .is_err()
        );
    }

    #[test]
    fn the_purge_interval_and_previous_master_keys_are_settings() {
        assert_eq!(CandorConfig::default().retention.purge_interval_minutes, 60);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("candor.toml");
        std::fs::write(
            &path,
            "[retention]\npurge_interval_minutes = 0\n[privacy]\nprevious_master_key_files = [\"old.key\"]\n",
        )
        .unwrap();
        let c = CandorConfig::load(Some(&path), &Overrides::default()).unwrap();
        assert_eq!(c.retention.purge_interval_minutes, 0);
        assert_eq!(
            c.privacy.previous_master_key_files,
            vec![PathBuf::from("old.key")]
        );
        std::fs::write(&path, "[retention]\npurge_interval_minutes = 20000\n").unwrap();
        let err = format!(
            "{:#}",
            CandorConfig::load(Some(&path), &Overrides::default()).unwrap_err()
        );
        assert!(err.contains("retention.purge_interval_minutes"), "{err}");
    }
}
