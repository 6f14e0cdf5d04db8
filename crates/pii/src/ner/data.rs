//! Reading the CoNLL-style NER files of the shared data sets (UNER `.iob2`, GermEval 2014
//! `.tsv`) into labelled texts.

use candor_core::{EntityKind, Span};

use crate::eval::Labelled;

/// A line of a CoNLL-style file that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct IobError {
    /// The 1-based line number.
    pub line: usize,
    /// What is wrong with it.
    pub problem: String,
}

/// Reads sentences in the CoNLL layout shared by UNER and GermEval 2014: comment lines start
/// with `#`, each token line is `index<TAB>token<TAB>tag…`, and a blank line ends a sentence.
///
/// Each sentence becomes one text, its tokens joined by single spaces, labelled with its
/// `B-PER`/`I-PER` spans as [`EntityKind::Person`]. Other types, and GermEval's `PERpart` and
/// `PERderiv` (words derived from a name, such as "Merkel-Regierung"), are no person names.
pub fn read_iob(content: &str) -> Result<Vec<Labelled>, IobError> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut spans: Vec<(Span, EntityKind)> = Vec::new();
    let mut open: Option<usize> = None;
    let mut last_end = 0;
    let mut finish = |text: &mut String,
                      spans: &mut Vec<(Span, EntityKind)>,
                      open: &mut Option<usize>,
                      last_end: usize| {
        if let Some(start) = open.take() {
            spans.push((Span::new(start, last_end), EntityKind::Person));
        }
        if !text.is_empty() {
            out.push(Labelled {
                text: std::mem::take(text),
                spans: std::mem::take(spans),
            });
        }
    };
    for (i, line) in content.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.starts_with('#') {
            continue;
        }
        if line.trim().is_empty() {
            finish(&mut text, &mut spans, &mut open, last_end);
            continue;
        }
        let mut fields = line.split('\t');
        let (Some(_index), Some(token), Some(tag)) = (fields.next(), fields.next(), fields.next())
        else {
            return Err(IobError {
                line: i + 1,
                problem: "expected index, token and tag separated by tabs".into(),
            });
        };
        if token.is_empty() {
            return Err(IobError {
                line: i + 1,
                problem: "empty token".into(),
            });
        }
        if !text.is_empty() {
            text.push(' ');
        }
        let start = text.len();
        text.push_str(token);
        match tag {
            "B-PER" => {
                if let Some(s) = open.take() {
                    spans.push((Span::new(s, last_end), EntityKind::Person));
                }
                open = Some(start);
            }
            // An `I-PER` without its `B-PER` starts a name all the same.
            "I-PER" => {
                open.get_or_insert(start);
            }
            _ => {
                if let Some(s) = open.take() {
                    spans.push((Span::new(s, last_end), EntityKind::Person));
                }
            }
        }
        last_end = text.len();
    }
    finish(&mut text, &mut spans, &mut open, last_end);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_uner_and_germeval_layouts() {
        let uner = "# sent_id = 1\n# text = Mette Frederiksen talte .\n\
            1\tMette\tB-PER\t-\t-\n2\tFrederiksen\tI-PER\t-\t-\n3\ttalte\tO\t-\t-\n4\t.\tO\t-\t-\n\n\
            1\tIn\tO\t-\t-\n2\tParis\tB-LOC\t-\t-\n";
        let s = read_iob(uner).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].text, "Mette Frederiksen talte .");
        assert_eq!(s[0].spans, vec![(Span::new(0, 17), EntityKind::Person)]);
        assert!(s[1].spans.is_empty());

        let germeval = "#\thttp://x [2009]\n1\tMerkel\tB-PER\tO\n2\tund\tO\tO\n\
            3\tSchröder\tB-PER\tO\n4\tMerkel-Regierung\tB-PERpart\tO\n";
        let s = read_iob(germeval).unwrap();
        let names: Vec<&str> = s[0]
            .spans
            .iter()
            .map(|(sp, _)| &s[0].text[sp.start..sp.end])
            .collect();
        assert_eq!(names, ["Merkel", "Schröder"]);
    }

    #[test]
    fn a_line_without_tabs_is_an_error_with_its_number() {
        let err = read_iob("1\tA\tO\n2 B O\n").unwrap_err();
        assert_eq!(err.line, 2);
    }
}
