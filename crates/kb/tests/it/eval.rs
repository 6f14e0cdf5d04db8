//! Retrieval quality on `tests/fixtures/queries.tsv`; the numbers are in `docs/specs/kb.md`.
//!
//! `cargo test -p candor-kb --test it eval -- --nocapture` prints the full table.

use candor_core::Lang;
use candor_kb::DEFAULT_MIN_CONFIDENCE;

use crate::sample_kb;

struct Case {
    lang: Lang,
    query: String,
    expected: Option<String>,
    /// The top hit's id and confidence.
    top: Option<(String, f32)>,
}

fn cases() -> Vec<Case> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/queries.tsv");
    let text = std::fs::read_to_string(path).unwrap();
    let kb = sample_kb();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("lang\t") && !l.trim().is_empty())
        .map(|line| {
            let [lang, query, expected] = line.split('\t').collect::<Vec<_>>()[..] else {
                panic!("bad line: {line}");
            };
            let lang: Lang = lang.parse().unwrap();
            let expected = (expected != "none").then(|| expected.to_owned());
            if let Some(id) = &expected {
                assert!(kb.get(id, lang).is_some(), "unknown id in fixture: {id}");
            }
            let top = kb
                .search(query, lang, 5)
                .into_iter()
                .next()
                .map(|h| (h.id, h.confidence));
            Case {
                lang,
                query: query.to_owned(),
                expected,
                top,
            }
        })
        .collect()
}

/// (share of answerable questions answered correctly, share of all questions answered
/// wrongly) when answering only at or above `threshold`.
fn rates(cases: &[Case], threshold: f32) -> (f64, f64) {
    let answerable = cases.iter().filter(|c| c.expected.is_some()).count();
    let (mut right, mut wrong) = (0, 0);
    for c in cases {
        match &c.top {
            Some((id, conf)) if *conf >= threshold => {
                if c.expected.as_ref() == Some(id) {
                    right += 1;
                } else {
                    wrong += 1;
                }
            }
            _ => {}
        }
    }
    (
        right as f64 / answerable as f64,
        wrong as f64 / cases.len() as f64,
    )
}

#[test]
fn retrieval_quality_on_customer_questions() {
    let cases = cases();
    let langs = [Lang::DA, Lang::NL, Lang::DE, Lang::EN];
    for lang in langs {
        let n = cases.iter().filter(|c| c.lang == lang).count();
        assert!(n >= 15, "{lang}: only {n} questions");
    }

    let answerable: Vec<&Case> = cases.iter().filter(|c| c.expected.is_some()).collect();
    let correct = |cs: &[&Case]| {
        cs.iter()
            .filter(|c| c.top.as_ref().map(|t| &t.0) == c.expected.as_ref())
            .count()
    };
    let accuracy = correct(&answerable) as f64 / answerable.len() as f64;
    println!(
        "top-1 accuracy on answerable questions: {:.3} ({}/{})",
        accuracy,
        correct(&answerable),
        answerable.len()
    );
    for lang in langs {
        let of_lang: Vec<&Case> = answerable
            .iter()
            .copied()
            .filter(|c| c.lang == lang)
            .collect();
        println!("  {lang}: {}/{}", correct(&of_lang), of_lang.len());
    }
    println!("lang\texpected\ttop\tconfidence\tquery");
    for c in &cases {
        let (id, conf) = c.top.clone().unwrap_or(("-".into(), 0.0));
        let mark = match &c.expected {
            None => "n",
            Some(e) if *e == id => " ",
            Some(_) => "x",
        };
        println!(
            "{mark} {}\t{}\t{id}\t{conf:.2}\t{}",
            c.lang,
            c.expected.as_deref().unwrap_or("none"),
            c.query
        );
    }
    println!("threshold\tanswered correctly (of answerable)\twrong answers (of all)");
    for step in 0..=20 {
        let t = step as f32 * 0.05;
        let (answer, wrong) = rates(&cases, t);
        println!("{t:.2}\t{answer:.3}\t{wrong:.3}");
    }

    assert!(accuracy >= 0.85, "top-1 accuracy {accuracy:.3}");
    let (answer, wrong) = rates(&cases, DEFAULT_MIN_CONFIDENCE);
    assert!(
        wrong <= 0.05,
        "wrong answers at the default threshold: {wrong:.3}"
    );
    let (_, wrong_at_half) = rates(&cases, 0.5);
    assert!(
        wrong_at_half <= 0.05,
        "wrong answers at 0.5: {wrong_at_half:.3}"
    );
    // A threshold that keeps wrong answers down by answering nothing would be no use.
    assert!(
        answer >= 0.6,
        "answer rate at the default threshold: {answer:.3}"
    );
}
