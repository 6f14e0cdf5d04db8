//! `candor kb import DIR`.

use std::path::Path;

use anyhow::Context;
use candor_pipeline::Pipeline;

use crate::config::CandorConfig;

/// Imports the articles under `dir` into the configured store. Returns (found, imported).
///
/// # Errors
///
/// An unreadable directory, an invalid article (named by file), or a storage failure.
pub async fn import(config: &CandorConfig, dir: &Path) -> anyhow::Result<(usize, usize)> {
    if !dir.is_dir() {
        anyhow::bail!("{} is not a directory", dir.display());
    }
    let articles = crate::app::read_articles(dir)?;
    let (pipeline, _) = crate::app::build(config).await?;
    let imported = pipeline
        .import_newer_articles(&articles, Pipeline::now())
        .await
        .with_context(|| format!("importing articles from {}", dir.display()))?;
    Ok((articles.len(), imported))
}
