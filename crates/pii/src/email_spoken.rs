//! E-mail addresses written so that harvesters miss them: `mette(at)firma.dk`,
//! `jan [at] example [dot] nl`, `info (at) firma (punkt) de`, `mette at gmail dot com`.
//!
//! Customers and businesses write addresses this way on purpose, and a model must not see
//! them any more than a plain `mette@firma.dk`. The at and dot words of each language are
//! data (`email_at_words`, `email_dot_words` in `crates/pii/data/*.txt`).
//!
//! A bracketed at (`(at)`, `[at]`, `{at}`, `<at>`) is evidence enough. An at written as a
//! plain word (`at`, `snabel-a`) is an ordinary word in many sentences (`ordered at
//! amazon.com`), so it counts only with a dot written as a word and a top-level domain from
//! [`SPOKEN_TLDS`] (`mette at gmail dot com`), or before a mail provider's domain written
//! with real dots (`mette at gmail.com`, from [`MAIL_PROVIDERS`]).

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};
use candor_core::{EntityKind, Span};
use regex::Regex;

use crate::dates::entries;
use crate::{Detection, Recognizer};

/// Top-level domains a spoken address may end in: generic ones and those of the countries
/// Candor's customers write from.
const SPOKEN_TLDS: &[&str] = &[
    "com", "net", "org", "info", "biz", "eu", "dk", "nl", "de", "be", "at", "ch", "uk", "se", "no",
    "fi", "fr", "es", "it", "pl", "io", "me",
];

/// Domains of the mail providers most customers in DK, NL, DE and the UK use.
const MAIL_PROVIDERS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "hotmail.com",
    "hotmail.dk",
    "hotmail.nl",
    "hotmail.de",
    "hotmail.co.uk",
    "outlook.com",
    "outlook.dk",
    "outlook.de",
    "live.com",
    "live.dk",
    "live.nl",
    "yahoo.com",
    "yahoo.de",
    "yahoo.dk",
    "yahoo.co.uk",
    "icloud.com",
    "me.com",
    "aol.com",
    "gmx.de",
    "gmx.net",
    "gmx.at",
    "gmx.ch",
    "web.de",
    "t-online.de",
    "freenet.de",
    "posteo.de",
    "proton.me",
    "protonmail.com",
    "ziggo.nl",
    "kpnmail.nl",
    "xs4all.nl",
    "planet.nl",
    "telenet.be",
    "skynet.be",
    "jubii.dk",
    "ofir.dk",
    "stofanet.dk",
    "mail.dk",
    "youmail.dk",
    "btinternet.com",
    "sky.com",
];

/// The at and dot words of every language, lower case, longest first (so that `punktum` is
/// tried before `punkt`).
fn words(section: &str) -> Vec<String> {
    let mut w: Vec<String> = entries(section)
        .into_iter()
        .map(str::to_lowercase)
        .collect();
    w.sort_by_key(|e| std::cmp::Reverse(e.len()));
    w
}

/// Where an at may stand: `(at)` and its bracketed kin with up to one space inside, or an at
/// word between spaces. Most messages hold none of these, so the costlier domain pattern runs
/// only after one of them.
static AT: LazyLock<AhoCorasick> = LazyLock::new(|| {
    let at_words = words("email_at_words");
    let mut patterns = Vec::new();
    for (open, close) in [("(", ")"), ("[", "]"), ("{", "}"), ("<", ">")] {
        for word in std::iter::once("at").chain(at_words.iter().map(String::as_str)) {
            patterns.push(format!("{open}{word}{close}"));
            patterns.push(format!("{open} {word} {close}"));
        }
    }
    for word in &at_words {
        patterns.push(format!(" {word} "));
    }
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostLongest)
        .build(patterns)
        .expect("valid at patterns")
});

/// The pattern of a separator between two labels of a spoken domain: a real dot, or a dot
/// word, bracketed (`(punkt)`) or between spaces (` dot `).
fn separator_pattern() -> String {
    let dots: Vec<String> = words("email_dot_words")
        .iter()
        .map(|w| regex::escape(w))
        .collect();
    format!(
        r"\s?[(\[{{<]\s?(?:{d})\s?[)\]}}>]\s?|\s(?:{d})\s|\.",
        d = dots.join("|")
    )
}

/// A domain right after the at: labels joined by dots or dot words, ending in a top-level
/// domain.
static DOMAIN: LazyLock<Regex> = LazyLock::new(|| {
    // Unbounded inside, checked against the 63-byte limit afterwards: a bounded repeat of
    // these Unicode classes would compile into an automaton of many megabytes.
    let label = r"[\p{L}\p{N}](?:[\p{L}\p{N}\-]*[\p{L}\p{N}])?";
    let sep = format!("(?:{})", separator_pattern());
    Regex::new(&format!(
        r"(?i)^ ?{label}(?:{sep}{label})*{sep}\p{{L}}{{2,24}}(?-u:\b)"
    ))
    .expect("valid spoken domain pattern")
});

/// A separator between two labels of a spoken domain, to split a found domain at.
static SEPARATOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!("(?i){}", separator_pattern())).expect("valid separator pattern")
});

/// Longer local parts and domains are not read (addresses are at most 254 bytes).
const MAX_PART: usize = 128;

/// The start of the local part that ends at `end`: letters, digits and `._%+-`, not starting
/// with a dot.
fn local_start(text: &str, end: usize) -> Option<usize> {
    let mut start = end;
    for (i, c) in text[..end].char_indices().rev() {
        if end - i > MAX_PART || !(c.is_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-'))
        {
            break;
        }
        start = i;
    }
    while text[start..end].starts_with('.') {
        start += 1;
    }
    (start < end).then_some(start)
}

/// Finds e-mail addresses written with words or brackets for `@` and `.`.
pub(crate) struct SpokenEmailRecognizer;

impl Recognizer for SpokenEmailRecognizer {
    fn name(&self) -> &'static str {
        "email-spoken"
    }
    fn kinds(&self) -> &'static [EntityKind] {
        &[EntityKind::Email]
    }
    fn recognise(&self, text: &str, out: &mut Vec<Detection>) {
        let mut last_end = 0;
        for at in AT.find_iter(text) {
            if at.start() < last_end {
                continue;
            }
            // The at's own spaces belong to it; `(at)` may also be glued to its neighbours.
            let at_text = &text[at.start()..at.end()];
            let bracketed = !at_text.starts_with(' ');
            let mut local_end = at.start();
            if bracketed {
                local_end = text[..local_end].trim_end_matches(' ').len();
            }
            let Some(start) = local_start(text, local_end) else {
                continue;
            };
            let rest = &text[at.end()..crate::dates::ceil_boundary(text, at.end() + 2 * MAX_PART)];
            let Some(domain) = DOMAIN.find(rest) else {
                continue;
            };
            let domain_text = domain.as_str().trim_start_matches(' ');
            let mut labels = Vec::new();
            let mut spoken_dot = false;
            let mut from = 0;
            for sep in SEPARATOR.find_iter(domain_text) {
                labels.push(&domain_text[from..sep.start()]);
                spoken_dot |= sep.as_str() != ".";
                from = sep.end();
            }
            labels.push(&domain_text[from..]);
            if labels.iter().any(|l| l.len() > 63) {
                continue;
            }
            let host = labels.join(".").to_lowercase();
            let tld = labels.last().map(|t| t.to_lowercase()).unwrap_or_default();
            let believed = bracketed
                || (spoken_dot && SPOKEN_TLDS.contains(&tld.as_str()))
                || (!spoken_dot && MAIL_PROVIDERS.contains(&host.as_str()));
            if !believed {
                continue;
            }
            let end = at.end() + domain.end();
            out.push(Detection {
                kind: EntityKind::Email,
                span: Span::new(start, end),
                score: if bracketed { 0.9 } else { 0.8 },
                recogniser: self.name(),
                validator: None,
                // The address as it would be written plainly, so that both ways of writing
                // it get one pseudonym.
                canonical: format!("{}@{host}", text[start..local_end].to_lowercase()),
            });
            last_end = end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::values;

    fn found(text: &str) -> Vec<(String, String)> {
        values(&SpokenEmailRecognizer, text)
    }

    #[test]
    fn bracketed_and_spoken_addresses_in_four_languages() {
        for (text, value, plain) in [
            (
                "Skriv til mette at gmail dot com",
                "mette at gmail dot com",
                "mette@gmail.com",
            ),
            (
                "Min mail er mette.hansen (at) firma (punktum) dk",
                "mette.hansen (at) firma (punktum) dk",
                "mette.hansen@firma.dk",
            ),
            (
                "Mail mij op jan [at] voorbeeld [punt] nl",
                "jan [at] voorbeeld [punt] nl",
                "jan@voorbeeld.nl",
            ),
            (
                "Schreiben Sie an info(at)firma-gmbh.de bitte",
                "info(at)firma-gmbh.de",
                "info@firma-gmbh.de",
            ),
            (
                "Kontakt: jürgen.weiß (at) web (punkt) de",
                "jürgen.weiß (at) web (punkt) de",
                "jürgen.weiß@web.de",
            ),
            (
                "email me at john_smith at hotmail.co.uk",
                "john_smith at hotmail.co.uk",
                "john_smith@hotmail.co.uk",
            ),
            (
                "Jeg er mette snabel-a jubii punktum dk",
                "mette snabel-a jubii punktum dk",
                "mette@jubii.dk",
            ),
        ] {
            assert_eq!(
                found(text),
                vec![(value.to_owned(), plain.to_owned())],
                "{text}"
            );
        }
    }

    #[test]
    fn at_and_dot_as_ordinary_words_are_no_address() {
        for text in [
            "I ordered it at amazon.com last week",
            "We met at noon dot the day after",
            "Jeg prøvede at logge ind på hjemmesiden",
            "Ik was at home.nl niet",
            "I'm at the office dot com bubble was long ago",
            "Sent at 10.30 yesterday",
            "Look at example.org for details",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }
}
