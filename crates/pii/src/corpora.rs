//! Reading labelled data sets for [`crate::eval`]: Candor's own JSONL format, the CoNLL/IOB
//! files of the shared NER sets, and Presidio's synthetic JSON.
//!
//! Candor's format is one JSON object per line, `{"text": "…", "spans": [{"start", "end",
//! "type"}]}`, with byte offsets into `text` and `type` an entity kind name such as `EMAIL`
//! (any case) or one of Presidio's names ([`kind_from_label`]). It is documented in
//! `docs/specs/pii.md`.

use std::path::Path;

use candor_core::{EntityKind, Span};
use serde::Deserialize;

use crate::eval::Labelled;
use crate::ner::read_iob;

/// Why a data set cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// The file cannot be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not UTF-8.
    #[error("{0} is not valid UTF-8")]
    NotUtf8(String),
    /// A record that does not fit the format.
    #[error("line {line}: {problem}")]
    Record {
        /// The 1-based line (or, for Presidio's JSON array, the 1-based item).
        line: usize,
        /// What is wrong.
        problem: String,
    },
    /// The file name does not say which format it is in.
    #[error(
        "cannot tell the format of {0} from its name (.jsonl, .iob2/.conll/.tsv, or .json); name it with --data-format"
    )]
    UnknownFormat(String),
}

/// The formats [`read`] understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Candor's labelled JSONL: `{text, spans: [{start, end, type}]}`, byte offsets.
    Jsonl,
    /// CoNLL/IOB (UNER `.iob2`, GermEval 2014 `.tsv`): person names only.
    Iob,
    /// Presidio's synthetic data set: a JSON array of `{full_text, spans: [{entity_type,
    /// start_position, end_position}]}` with character offsets.
    Presidio,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "jsonl" => Ok(Format::Jsonl),
            "iob" | "iob2" | "conll" => Ok(Format::Iob),
            "presidio" => Ok(Format::Presidio),
            other => Err(format!(
                "unknown data format `{other}` (expected jsonl, iob or presidio)"
            )),
        }
    }
}

impl Format {
    /// The format a file name suggests, if any.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "jsonl" | "ndjson" => Format::Jsonl,
            "iob" | "iob2" | "conll" | "tsv" => Format::Iob,
            "json" => Format::Presidio,
            _ => return None,
        })
    }
}

/// An entity kind from a label's type name: a Candor kind name (`EMAIL`, `dk_cpr`), `PER`
/// (the NER sets), or a name of Presidio's (`EMAIL_ADDRESS`, `PHONE_NUMBER`, `IBAN_CODE`,
/// `DOMAIN_NAME`, `ZIP_CODE` as part of an address, …). `None` for a type Candor does not
/// recognise (Presidio's `ORGANIZATION`, say), which the readers leave out.
pub fn kind_from_label(label: &str) -> Option<EntityKind> {
    if let Ok(kind) = label.parse::<EntityKind>() {
        return Some(kind);
    }
    Some(match label.to_ascii_uppercase().as_str() {
        "PER" => EntityKind::Person,
        "ZIP_CODE" => EntityKind::StreetAddress,
        "PHONE_NUMBER" => EntityKind::Phone,
        "EMAIL_ADDRESS" => EntityKind::Email,
        "IBAN_CODE" => EntityKind::Iban,
        "DOMAIN_NAME" => EntityKind::Url,
        "UK_NHS" => EntityKind::GbNhs,
        "UK_NINO" => EntityKind::GbNino,
        _ => return None,
    })
}

/// Reads `path` in `format`, or in the format its name suggests.
///
/// # Errors
///
/// When the file cannot be read, is not UTF-8, its format is unknown, or a record is bad.
pub fn read(path: &Path, format: Option<Format>) -> Result<Vec<Labelled>, CorpusError> {
    let name = path.display().to_string();
    let format = format
        .or_else(|| Format::from_path(path))
        .ok_or_else(|| CorpusError::UnknownFormat(name.clone()))?;
    let bytes = std::fs::read(path).map_err(|source| CorpusError::Io {
        path: name.clone(),
        source,
    })?;
    let content = String::from_utf8(bytes).map_err(|_| CorpusError::NotUtf8(name))?;
    match format {
        Format::Jsonl => read_jsonl(&content),
        Format::Iob => read_iob(&content).map_err(|e| CorpusError::Record {
            line: e.line,
            problem: e.problem,
        }),
        Format::Presidio => read_presidio(&content),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonlSpan {
    start: usize,
    end: usize,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Deserialize)]
struct JsonlLine {
    text: String,
    #[serde(default)]
    spans: Vec<JsonlSpan>,
}

/// Reads Candor's labelled JSONL. Blank lines are skipped.
///
/// # Errors
///
/// A line that is not such an object, a span outside its text, reversed, not on character
/// boundaries, or with a type that is no known kind: the error names the line.
pub fn read_jsonl(content: &str) -> Result<Vec<Labelled>, CorpusError> {
    let mut out = Vec::new();
    for (i, line) in content.lines().enumerate() {
        let record = |problem: String| CorpusError::Record {
            line: i + 1,
            problem,
        };
        if line.trim().is_empty() {
            continue;
        }
        let parsed: JsonlLine =
            serde_json::from_str(line).map_err(|e| record(format!("not a labelled text: {e}")))?;
        let mut spans = Vec::with_capacity(parsed.spans.len());
        for s in parsed.spans {
            let kind = kind_from_label(&s.kind)
                .ok_or_else(|| record(format!("unknown span type `{}`", s.kind)))?;
            if s.start >= s.end || s.end > parsed.text.len() {
                return Err(record(format!(
                    "span {}..{} is empty, reversed or outside the text ({} bytes)",
                    s.start,
                    s.end,
                    parsed.text.len()
                )));
            }
            if !parsed.text.is_char_boundary(s.start) || !parsed.text.is_char_boundary(s.end) {
                return Err(record(format!(
                    "span {}..{} splits a character (offsets are bytes of the UTF-8 text)",
                    s.start, s.end
                )));
            }
            spans.push((Span::new(s.start, s.end), kind));
        }
        out.push(Labelled {
            text: parsed.text,
            spans,
        });
    }
    Ok(out)
}

#[derive(Deserialize)]
struct PresidioItem {
    full_text: String,
    #[serde(default)]
    spans: Vec<PresidioSpan>,
}

#[derive(Deserialize)]
struct PresidioSpan {
    entity_type: String,
    start_position: usize,
    end_position: usize,
}

/// Reads Presidio's synthetic data set (character offsets, converted to bytes). Types Candor
/// does not recognise (organisations, titles, …) are left out of the labels.
///
/// # Errors
///
/// When the content is not such an array, or a span lies outside its text (the error names
/// the 1-based item).
pub fn read_presidio(content: &str) -> Result<Vec<Labelled>, CorpusError> {
    let items: Vec<PresidioItem> =
        serde_json::from_str(content).map_err(|e| CorpusError::Record {
            line: e.line(),
            problem: format!("not Presidio's synthetic data format: {e}"),
        })?;
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let mut bytes: Vec<usize> = item.full_text.char_indices().map(|(b, _)| b).collect();
        bytes.push(item.full_text.len());
        let mut spans = Vec::new();
        for s in item.spans {
            let Some(kind) = kind_from_label(&s.entity_type) else {
                continue;
            };
            let (Some(&start), Some(&end)) =
                (bytes.get(s.start_position), bytes.get(s.end_position))
            else {
                return Err(CorpusError::Record {
                    line: i + 1,
                    problem: "span outside its text".into(),
                });
            };
            if start >= end {
                return Err(CorpusError::Record {
                    line: i + 1,
                    problem: "empty or reversed span".into(),
                });
            }
            spans.push((Span::new(start, end), kind));
        }
        out.push(Labelled {
            text: item.full_text,
            spans,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonl_reads_byte_spans_and_names_bad_lines() {
        let data = read_jsonl(
            "{\"text\": \"Ring Søren på 22 33 44 55\", \"spans\": [{\"start\": 5, \"end\": 11, \"type\": \"PERSON\"}, {\"start\": 16, \"end\": 27, \"type\": \"phone_number\"}]}\n\n{\"text\": \"nothing\"}\n",
        )
        .unwrap();
        assert_eq!(data.len(), 2);
        let (s, k) = data[0].spans[0];
        assert_eq!(
            (&data[0].text[s.start..s.end], k),
            ("Søren", EntityKind::Person)
        );
        assert_eq!(data[0].spans[1].1, EntityKind::Phone);
        let bad = |line: &str| read_jsonl(line).unwrap_err().to_string();
        assert!(bad("{\"text\": \"Søren\", \"spans\": [{\"start\": 0, \"end\": 2, \"type\": \"PERSON\"}]}").contains("splits a character"));
        assert!(
            bad(
                "{\"text\": \"ab\", \"spans\": [{\"start\": 0, \"end\": 3, \"type\": \"PERSON\"}]}"
            )
            .contains("outside")
        );
        assert!(
            bad("{\"text\": \"ab\", \"spans\": [{\"start\": 0, \"end\": 1, \"type\": \"CAT\"}]}")
                .contains("unknown span type `CAT`")
        );
        assert!(bad("x\n").starts_with("line 1: not a labelled text"));
        assert!(bad("{}\n{\"spans\": []}").starts_with("line 1:"));
    }

    #[test]
    fn presidio_character_offsets_become_bytes() {
        let data = read_presidio(
            r#"[{"full_text": "Jørgen at j@x.dk, Acme", "spans": [
                {"entity_type": "PERSON", "start_position": 0, "end_position": 6},
                {"entity_type": "EMAIL_ADDRESS", "start_position": 10, "end_position": 16},
                {"entity_type": "ORGANIZATION", "start_position": 18, "end_position": 22}]}]"#,
        )
        .unwrap();
        let spans: Vec<(&str, EntityKind)> = data[0]
            .spans
            .iter()
            .map(|(s, k)| (&data[0].text[s.start..s.end], *k))
            .collect();
        assert_eq!(
            spans,
            [
                ("Jørgen", EntityKind::Person),
                ("j@x.dk", EntityKind::Email)
            ]
        );
        assert!(read_presidio(r#"[{"full_text": "ab", "spans": [{"entity_type": "PERSON", "start_position": 0, "end_position": 9}]}]"#).is_err());
    }

    #[test]
    fn formats_follow_file_names() {
        assert_eq!(Format::from_path(Path::new("a/b.iob2")), Some(Format::Iob));
        assert_eq!(
            Format::from_path(Path::new("NER-de-test.tsv")),
            Some(Format::Iob)
        );
        assert_eq!(
            Format::from_path(Path::new("x.json")),
            Some(Format::Presidio)
        );
        assert_eq!(Format::from_path(Path::new("x.jsonl")), Some(Format::Jsonl));
        assert_eq!(Format::from_path(Path::new("x.txt")), None);
        assert!(matches!(
            read(Path::new("x.txt"), None),
            Err(CorpusError::UnknownFormat(_))
        ));
    }
}
