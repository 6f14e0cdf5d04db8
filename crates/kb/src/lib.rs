//! Candor's knowledge base: articles the bot may answer from.
//!
//! An [`Article`] is Markdown with a TOML front matter block (`docs/specs/kb.md`), one file
//! per article and language. [`load_dir`] reads a directory of them, and a
//! [`KnowledgeBase`] indexes them with tantivy, one in-RAM index per language with that
//! language's stemmer, and answers [`KnowledgeBase::search`] with [`Hit`]s whose
//! `confidence` the pipeline compares with [`DEFAULT_MIN_CONFIDENCE`].
//!
//! ```
//! use candor_core::Lang;
//! use candor_kb::{Article, KnowledgeBase};
//!
//! let article = Article::parse(
//!     "+++\nid = \"password-reset\"\nlang = \"en\"\nversion = 1\n\
//!      title = \"Resetting your password\"\nintents = [\"recover_password\"]\n+++\n\
//!      Click **Forgot password?** on the login page.\n",
//! )?;
//! let kb = KnowledgeBase::new(vec![article])?;
//! let hits = kb.search("I forgot my passwords <EMAIL_1>", Lang::EN, 3);
//! assert_eq!(hits[0].id, "password-reset");
//! assert_eq!(kb.get("password-reset", Lang::EN).unwrap().answer_text(),
//!            "Click Forgot password? on the login page.");
//! # Ok::<(), candor_kb::KbError>(())
//! ```
#![deny(missing_docs)]

use std::path::PathBuf;

use candor_core::Lang;

mod analysis;
mod article;
mod index;
mod plain;

pub use article::{Article, ArticleProblem, load_dir};
pub use index::{Hit, KnowledgeBase};
pub use plain::markdown_to_text;

/// The confidence below which the pipeline should not answer from the knowledge base.
///
/// Chosen on `tests/fixtures/queries.tsv` (see `docs/specs/kb.md`): the lowest threshold
/// that keeps wrong answers under 2% of all questions while answering 81% of the
/// answerable ones.
pub const DEFAULT_MIN_CONFIDENCE: f32 = 0.3;

/// What can go wrong reading, indexing or updating the knowledge base.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KbError {
    /// An article's text is invalid; every problem found is listed.
    #[error("invalid article: {}", join(.0))]
    Invalid(Vec<ArticleProblem>),
    /// An article file is invalid.
    #[error("{}: {source}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        source: Box<KbError>,
    },
    /// A file or directory could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Two articles have the same id and language.
    #[error("article `{id}` appears twice in language `{lang}`")]
    Duplicate {
        /// The id.
        id: String,
        /// The language.
        lang: Lang,
    },
    /// An update does not carry a greater version than the article it replaces.
    #[error("article `{id}` ({lang}) is at version {held}; version {offered} is not newer")]
    StaleVersion {
        /// The id.
        id: String,
        /// The language.
        lang: Lang,
        /// The version held.
        held: u32,
        /// The version offered.
        offered: u32,
    },
    /// The search index failed.
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
}

fn join(problems: &[ArticleProblem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
