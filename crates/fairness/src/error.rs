//! The crate's one error type.

/// Everything that can go wrong in this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FairnessError {
    /// Input vectors that must be parallel have different lengths.
    #[error("`{name}` has {actual} entries but `y_pred` has {expected}")]
    LengthMismatch {
        /// Which input is off.
        name: &'static str,
        /// The length of `y_pred`.
        expected: usize,
        /// The length of the named input.
        actual: usize,
    },
    /// There is nothing to measure.
    #[error("no rows to measure")]
    Empty,
    /// A configuration value is out of range.
    #[error("invalid configuration `{field}`: {reason}")]
    Config {
        /// The offending field.
        field: &'static str,
        /// Why it is rejected.
        reason: String,
    },
    /// A probe's language has no name, place or cue lists.
    #[error("no probe lists for language `{0}`")]
    UnknownLanguage(String),
    /// A data file (lists or probes) does not parse.
    #[error("{file}: {reason}")]
    Data {
        /// The file, or the shipped data file's name.
        file: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Reading a data directory failed.
    #[error("reading {path}: {source}")]
    Io {
        /// The path read.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
}
