//! Are names of every origin masked equally well? Full names grouped by origin, placed into
//! customer-service message templates, each pair scored by whether the whole name is masked.
//!
//! The fixtures are `tests/fixtures/name_origins.txt` and
//! `tests/fixtures/name_origin_templates.txt` (hand-written for Candor); the report is
//! `examples/eval_name_origins.rs`, the floor `tests/it/name_origins.rs`.

use candor_core::{EntityKind, Span};

use crate::{Registry, normalise};

/// A full name and the community it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct OriginName {
    /// The origin, e.g. `turkish`.
    pub origin: String,
    /// The name as people write it, with its diacritics.
    pub name: String,
}

/// A message with a place for a name: `{name}` takes the name as written, `{lname}` in lower
/// case.
#[derive(Debug, Clone, PartialEq)]
pub struct OriginTemplate {
    /// The message's language code (`da`, `nl`, `de`, `en`).
    pub lang: String,
    /// Where the name stands, e.g. `intro` or `field`.
    pub kind: String,
    /// The message, with `\n` already turned into a line break.
    pub text: String,
}

/// How one name fared in one message.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OriginScore {
    /// Every non-space character of the name lies inside some detection, of any kind.
    pub masked: bool,
    /// Some `PERSON` detection overlaps the name.
    pub person: bool,
    /// `PERSON` detections that overlap no part of the name.
    pub false_persons: usize,
}

fn fields(text: &str, n: usize) -> Result<Vec<Vec<&str>>, String> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.splitn(n, '\t').collect();
            if f.len() == n && f.iter().all(|x| !x.trim().is_empty()) {
                Ok(f)
            } else {
                Err(format!("expected {n} tab-separated fields: {l:?}"))
            }
        })
        .collect()
}

/// Reads `origin<TAB>name` lines; `#` starts a comment line.
///
/// # Errors
///
/// A line without both fields.
pub fn read_origin_names(text: &str) -> Result<Vec<OriginName>, String> {
    Ok(fields(text, 2)?
        .into_iter()
        .map(|f| OriginName {
            origin: f[0].trim().to_owned(),
            name: f[1].trim().to_owned(),
        })
        .collect())
}

/// Reads `lang<TAB>kind<TAB>text` lines; `#` starts a comment line, `\n` in the text is a line
/// break.
///
/// # Errors
///
/// A line without all three fields, or a text with no place for a name.
pub fn read_origin_templates(text: &str) -> Result<Vec<OriginTemplate>, String> {
    fields(text, 3)?
        .into_iter()
        .map(|f| {
            let text = f[2].trim().replace("\\n", "\n");
            if text.matches("{name}").count() + text.matches("{lname}").count() != 1 {
                return Err(format!("needs one {{name}} or {{lname}}: {:?}", f[2]));
            }
            Ok(OriginTemplate {
                lang: f[0].trim().to_owned(),
                kind: f[1].trim().to_owned(),
                text,
            })
        })
        .collect()
}

/// The message with `name` in its place, and the name's span in it.
pub fn fill(template: &OriginTemplate, name: &str) -> (String, Span) {
    let (slot, value) = match template.text.find("{name}") {
        Some(_) => ("{name}", name.to_owned()),
        None => ("{lname}", name.to_lowercase()),
    };
    let start = template.text.find(slot).unwrap_or(0);
    let text = template.text.replacen(slot, &value, 1);
    (text, Span::new(start, start + value.len()))
}

/// Runs `registry` on the message with `name` in its place (through [`normalise`] and the
/// offset map) and scores it.
pub fn score_origin(registry: &Registry, template: &OriginTemplate, name: &str) -> OriginScore {
    let (text, at) = fill(template, name);
    let n = normalise(&text);
    let found: Vec<(EntityKind, Span)> = registry
        .detect(&n.text)
        .into_iter()
        .map(|d| (d.kind, n.map.to_original(d.span)))
        .collect();
    let overlaps = |s: Span| s.start < at.end && at.start < s.end;
    let masked = text[at.start..at.end]
        .char_indices()
        .filter(|(_, c)| !c.is_whitespace())
        .all(|(i, _)| {
            let i = at.start + i;
            found.iter().any(|(_, s)| s.start <= i && i < s.end)
        });
    let persons = found.iter().filter(|(k, _)| *k == EntityKind::Person);
    OriginScore {
        masked,
        person: persons.clone().any(|(_, s)| overlaps(*s)),
        false_persons: persons.filter(|(_, s)| !overlaps(*s)).count(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_and_scores_a_name() {
        let t =
            read_origin_templates("en\tintro\tHi, I am {name}.\\nThanks\nda\tlower\thej {lname}")
                .unwrap();
        assert_eq!(t[0].text, "Hi, I am {name}.\nThanks");
        let (text, at) = fill(&t[1], "Søren Ørsted");
        assert_eq!(&text[at.start..at.end], "søren ørsted");
        let s = score_origin(&Registry::default(), &t[0], "Mette Jensen");
        assert!(s.masked && s.person, "{s:?}");
        assert_eq!(s.false_persons, 0);
        assert!(read_origin_templates("en\tintro\tno slot").is_err());
        assert!(read_origin_names("turkish").is_err());
    }
}
