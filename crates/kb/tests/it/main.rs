//! Integration tests of `candor-kb` against the shipped sample knowledge base in `kb/`.

mod eval;
mod sample_kb;
mod search;

use std::path::PathBuf;
use std::sync::OnceLock;

use candor_kb::{KnowledgeBase, load_dir};

/// The repository's `kb/` directory.
fn sample_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../kb")
}

/// The sample knowledge base, indexed once for all tests in this binary.
fn sample_kb() -> &'static KnowledgeBase {
    static KB: OnceLock<KnowledgeBase> = OnceLock::new();
    KB.get_or_init(|| KnowledgeBase::new(load_dir(&sample_dir()).unwrap()).unwrap())
}
