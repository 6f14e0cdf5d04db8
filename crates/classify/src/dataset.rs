//! Reading labelled texts from CSV (with a header), TSV (with a header, no quoting) or JSON
//! Lines, chosen by the file's extension. Every problem names the file, the line and the column.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use crate::train::Example;

/// A labelled-data file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataFormat {
    /// Comma-separated values with a header row and RFC 4180 quoting (`.csv`).
    Csv,
    /// Tab-separated values with a header row and no quoting (`.tsv`, `.tab`).
    Tsv,
    /// One JSON object per line (`.jsonl`, `.ndjson`).
    Jsonl,
}

impl DataFormat {
    /// The format a file's extension names.
    ///
    /// # Errors
    ///
    /// When the extension is none of `.csv`, `.tsv`, `.tab`, `.jsonl`, `.ndjson`.
    pub fn from_path(path: &Path) -> Result<DataFormat, DatasetError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("csv") => Ok(DataFormat::Csv),
            Some("tsv" | "tab") => Ok(DataFormat::Tsv),
            Some("jsonl" | "ndjson") => Ok(DataFormat::Jsonl),
            _ => Err(DatasetError::UnknownFormat {
                path: path.to_owned(),
            }),
        }
    }
}

/// A labelled-data file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DatasetError {
    /// The file cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The extension names no known format.
    #[error("{}: cannot tell the format from the extension (use .csv, .tsv or .jsonl)", path.display())]
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
    /// The header has no such column.
    #[error("{}: no column `{column}` in the header (columns: {available})", path.display())]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column asked for.
        column: String,
        /// The columns there are, comma-separated.
        available: String,
    },
    /// A JSON line has no such field.
    #[error("{}, line {line}: no field `{column}` (fields: {available})", path.display())]
    MissingField {
        /// The file.
        path: PathBuf,
        /// The line, from 1.
        line: u64,
        /// The field asked for.
        column: String,
        /// The fields there are, comma-separated.
        available: String,
    },
    /// Bytes that are not UTF-8.
    #[error("{}, line {line}{}: not valid UTF-8", path.display(), column.as_ref().map(|c| format!(", column `{c}`")).unwrap_or_default())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// The line, from 1.
        line: u64,
        /// The column, when known.
        column: Option<String>,
    },
    /// A row without a label.
    #[error("{}, line {line}, column `{column}`: empty label", path.display())]
    EmptyLabel {
        /// The file.
        path: PathBuf,
        /// The line, from 1.
        line: u64,
        /// The label column.
        column: String,
    },
    /// A row without text.
    #[error("{}, line {line}, column `{column}`: empty text", path.display())]
    EmptyText {
        /// The file.
        path: PathBuf,
        /// The line, from 1.
        line: u64,
        /// The text column.
        column: String,
    },
    /// A JSON field of the wrong type.
    #[error("{}, line {line}, field `{column}`: expected {expected}, found {found}", path.display())]
    WrongType {
        /// The file.
        path: PathBuf,
        /// The line, from 1.
        line: u64,
        /// The field.
        column: String,
        /// What it should be.
        expected: &'static str,
        /// What it is.
        found: &'static str,
    },
    /// A line that does not parse.
    #[error("{}, line {line}: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// The line, from 1.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// No rows at all.
    #[error("{}: no examples", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },
}

/// Reads the examples of a CSV, TSV or JSONL file (by extension), taking the text from
/// `text_col` and the label from `label_col`. Labels are trimmed; texts are kept as they are.
///
/// # Errors
///
/// When the file cannot be read or parsed, a column is missing, or a row has bytes that are not
/// UTF-8, an empty label or an empty text.
pub fn read_examples(
    path: &Path,
    text_col: &str,
    label_col: &str,
) -> Result<Vec<Example>, DatasetError> {
    let format = DataFormat::from_path(path)?;
    let examples = match format {
        DataFormat::Csv => read_delimited(path, b',', true, text_col, label_col)?,
        DataFormat::Tsv => read_delimited(path, b'\t', false, text_col, label_col)?,
        DataFormat::Jsonl => read_jsonl(path, text_col, label_col)?,
    };
    if examples.is_empty() {
        return Err(DatasetError::Empty {
            path: path.to_owned(),
        });
    }
    Ok(examples)
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> DatasetError + '_ {
    move |source| DatasetError::Io {
        path: path.to_owned(),
        source,
    }
}

fn example(
    path: &Path,
    line: u64,
    text: String,
    label: &str,
    text_col: &str,
    label_col: &str,
) -> Result<Example, DatasetError> {
    let label = label.trim();
    if label.is_empty() {
        return Err(DatasetError::EmptyLabel {
            path: path.to_owned(),
            line,
            column: label_col.to_owned(),
        });
    }
    if text.trim().is_empty() {
        return Err(DatasetError::EmptyText {
            path: path.to_owned(),
            line,
            column: text_col.to_owned(),
        });
    }
    Ok(Example {
        text,
        label: label.to_owned(),
    })
}

fn read_delimited(
    path: &Path,
    delimiter: u8,
    quoting: bool,
    text_col: &str,
    label_col: &str,
) -> Result<Vec<Example>, DatasetError> {
    let file = File::open(path).map_err(io(path))?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .quoting(quoting)
        .has_headers(true)
        .flexible(false)
        .from_reader(BufReader::new(file));
    let csv_error = |e: csv::Error| -> DatasetError {
        let line = e.position().map_or(1, csv::Position::line);
        match e.into_kind() {
            csv::ErrorKind::Io(source) => DatasetError::Io {
                path: path.to_owned(),
                source,
            },
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => DatasetError::Parse {
                path: path.to_owned(),
                line,
                message: format!("{len} fields, but the header has {expected_len}"),
            },
            other => DatasetError::Parse {
                path: path.to_owned(),
                line,
                message: format!("{other:?}"),
            },
        }
    };
    let headers = reader.byte_headers().map_err(csv_error)?.clone();
    let mut names = Vec::with_capacity(headers.len());
    for (i, h) in headers.iter().enumerate() {
        let name = std::str::from_utf8(h).map_err(|_| DatasetError::NotUtf8 {
            path: path.to_owned(),
            line: 1,
            column: Some(format!("#{}", i + 1)),
        })?;
        // A byte-order mark is not part of the first column's name.
        names.push(name.trim_start_matches('\u{feff}').trim().to_owned());
    }
    let column = |want: &str| {
        names
            .iter()
            .position(|n| n == want)
            .ok_or_else(|| DatasetError::MissingColumn {
                path: path.to_owned(),
                column: want.to_owned(),
                available: names.join(", "),
            })
    };
    let ti = column(text_col)?;
    let li = column(label_col)?;
    let mut out = Vec::new();
    for record in reader.byte_records() {
        let record = record.map_err(csv_error)?;
        let line = record.position().map_or(0, csv::Position::line);
        let field = |i: usize, name: &str| -> Result<&str, DatasetError> {
            std::str::from_utf8(&record[i]).map_err(|_| DatasetError::NotUtf8 {
                path: path.to_owned(),
                line,
                column: Some(name.to_owned()),
            })
        };
        let text = field(ti, text_col)?.to_owned();
        let label = field(li, label_col)?;
        out.push(example(path, line, text, label, text_col, label_col)?);
    }
    Ok(out)
}

fn type_name(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

fn read_jsonl(path: &Path, text_col: &str, label_col: &str) -> Result<Vec<Example>, DatasetError> {
    let reader = BufReader::new(File::open(path).map_err(io(path))?);
    let mut out = Vec::new();
    for (index, raw) in reader.split(b'\n').enumerate() {
        let line = index as u64 + 1;
        let mut raw = raw.map_err(io(path))?;
        if raw.last() == Some(&b'\r') {
            raw.pop();
        }
        let text = std::str::from_utf8(&raw).map_err(|_| DatasetError::NotUtf8 {
            path: path.to_owned(),
            line,
            column: None,
        })?;
        let text = text.trim_start_matches('\u{feff}');
        if text.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| DatasetError::Parse {
                path: path.to_owned(),
                line,
                message: format!("not valid JSON: {e}"),
            })?;
        let serde_json::Value::Object(object) = value else {
            return Err(DatasetError::Parse {
                path: path.to_owned(),
                line,
                message: format!("expected a JSON object, found {}", type_name(&value)),
            });
        };
        let get = |name: &str| {
            object.get(name).ok_or_else(|| DatasetError::MissingField {
                path: path.to_owned(),
                line,
                column: name.to_owned(),
                available: object.keys().cloned().collect::<Vec<_>>().join(", "),
            })
        };
        let text = match get(text_col)? {
            serde_json::Value::String(s) => s.clone(),
            other => {
                return Err(DatasetError::WrongType {
                    path: path.to_owned(),
                    line,
                    column: text_col.to_owned(),
                    expected: "a string",
                    found: type_name(other),
                });
            }
        };
        let label = match get(label_col)? {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            other => {
                return Err(DatasetError::WrongType {
                    path: path.to_owned(),
                    line,
                    column: label_col.to_owned(),
                    expected: "a string or a number",
                    found: type_name(other),
                });
            }
        };
        out.push(example(path, line, text, &label, text_col, label_col)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    #[test]
    fn reads_csv_tsv_and_jsonl() {
        let dir = tempfile::tempdir().unwrap();
        let csv = write(
            &dir,
            "a.csv",
            b"\xEF\xBB\xBFtext,label,other\n\"hi, there\",greet,x\nbye, leave ,y\n",
        );
        let got = read_examples(&csv, "text", "label").unwrap();
        assert_eq!(
            got,
            [
                Example::new("hi, there", "greet"),
                Example::new("bye", "leave")
            ]
        );
        let tsv = write(&dir, "a.tsv", b"label\ttext\ngreet\t\"hi\" there\n");
        assert_eq!(
            read_examples(&tsv, "text", "label").unwrap(),
            [Example::new("\"hi\" there", "greet")]
        );
        let jsonl = write(
            &dir,
            "a.jsonl",
            b"{\"t\": \"hi\", \"l\": \"greet\"}\r\n\n{\"t\": \"x\", \"l\": 3}\n",
        );
        assert_eq!(
            read_examples(&jsonl, "t", "l").unwrap(),
            [Example::new("hi", "greet"), Example::new("x", "3")]
        );
    }

    #[test]
    fn problems_name_the_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let msg = |name: &str, bytes: &[u8]| {
            read_examples(&write(&dir, name, bytes), "text", "label")
                .unwrap_err()
                .to_string()
        };
        let m = msg("m.csv", b"text,category\nhi,x\n");
        assert!(
            m.contains("no column `label`") && m.contains("text, category"),
            "{m}"
        );
        let m = msg("u.csv", b"text,label\nhi,x\ncaf\xE9,y\n");
        assert!(m.contains("line 3, column `text`: not valid UTF-8"), "{m}");
        let m = msg("e.csv", b"text,label\nhi,x\nho, \n");
        assert!(m.contains("line 3, column `label`: empty label"), "{m}");
        let m = msg("t.csv", b"text,label\n,x\n");
        assert!(m.contains("line 2, column `text`: empty text"), "{m}");
        let m = msg("n.csv", b"text,label\nhi,x\nhi,x,z\n");
        assert!(m.contains("line 3: 3 fields, but the header has 2"), "{m}");
        let m = msg(
            "j.jsonl",
            b"{\"text\": \"a\", \"label\": \"b\"}\n{\"text\": \"a\"}\n",
        );
        assert!(m.contains("line 2: no field `label` (fields: text)"), "{m}");
        let m = msg("k.jsonl", b"{\"text\": \"a\", \"label\": \"b\"}\n[1]\n");
        assert!(
            m.contains("line 2: expected a JSON object, found an array"),
            "{m}"
        );
        let m = msg("l.jsonl", b"{\"text\": 1, \"label\": \"b\"}\n");
        assert!(
            m.contains("line 1, field `text`: expected a string, found a number"),
            "{m}"
        );
        let m = msg("b.jsonl", b"{\"text\": \"a\", \"label\": \"b\"}\n\xFF\n");
        assert!(m.contains("line 2: not valid UTF-8"), "{m}");
        let m = msg("x.txt", b"");
        assert!(m.contains("cannot tell the format"), "{m}");
        let m = msg("h.csv", b"text,label\n");
        assert!(m.contains("no examples"), "{m}");
        let m = read_examples(&dir.path().join("missing.csv"), "text", "label")
            .unwrap_err()
            .to_string();
        assert!(
            m.contains("cannot read") && m.contains("missing.csv"),
            "{m}"
        );
    }
}
