//! The JSONL shape shared by the line-by-line commands (`triage`, `pii detect`).

use std::io::{self, Write};

use serde::Serialize;

#[derive(Serialize)]
struct ErrorLine<'a> {
    line: u64,
    error: ErrorObject<'a>,
}

#[derive(Serialize)]
struct ErrorObject<'a> {
    code: &'a str,
    message: &'a str,
}

/// Writes `{"line": N, "error": {"code", "message"}}` without a trailing newline, in place of
/// the answer to an input line that could not be processed.
///
/// # Errors
///
/// When the output cannot be written.
pub(crate) fn write_error(
    out: &mut dyn Write,
    line: u64,
    code: &str,
    message: &str,
) -> io::Result<()> {
    serde_json::to_writer(
        out,
        &ErrorLine {
            line,
            error: ErrorObject { code, message },
        },
    )
    .map_err(io::Error::from)
}
