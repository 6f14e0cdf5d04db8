//! IP addresses and URLs.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::LazyLock;

use candor_core::{EntityKind, Span};
use regex::Regex;

use crate::scan::scored;
use crate::{Detection, Recognizer};

/// Words that, near an IP address, make it more likely to be one (da, nl, de, en).
pub const IP_CONTEXT: &[&str] = &[
    "ip",
    "ipv4",
    "ipv6",
    "ip adresse",
    "ipadresse",
    "ip adres",
    "ipadres",
    "ip address",
    "router",
    "server",
    "host",
];

static IPV4_CANDIDATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}").expect("valid IPv4 pattern"));

/// Hex groups with at least two colons, optionally ending in a dotted IPv4 part
/// (`::ffff:192.0.2.1`).
static IPV6_CANDIDATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\.[0-9]{1,3}){0,3}")
        .expect("valid IPv6 pattern")
});

/// IPv4 and IPv6 addresses: candidates that the standard library's parsers accept.
///
/// IPv4 octets with leading zeros (`010.0.0.1`) are rejected, as `std::net` rejects them. An
/// IPv6 candidate needs at least one decimal digit, so that words such as `be::ef` in code
/// snippets are not addresses. A dotted quad that is part of a longer dotted number
/// (`1.2.3.4.5`) is not an address.
pub struct IpRecognizer;

/// Whether the candidate at `span` is delimited: no letter, digit, `_` or `@` directly before
/// or after it, and no `.` (or, around an IPv6 address, `:`) continuing a longer address.
fn delimited(text: &str, span: Span, v6: bool) -> bool {
    let mut before = text[..span.start].chars().rev();
    let glued_before = match before.next() {
        Some(c) if c.is_alphanumeric() || c == '_' || c == '@' => true,
        Some('.') => before.next().is_some_and(|c| c.is_ascii_digit()),
        Some(':') if v6 => before.next().is_some_and(|c| c.is_ascii_hexdigit()),
        _ => false,
    };
    let mut after = text[span.end..].chars();
    let glued_after = match after.next() {
        Some(c) if c.is_alphanumeric() || c == '_' || c == '@' => true,
        Some('.') => after.next().is_some_and(|c| c.is_ascii_digit()),
        Some(':') if v6 => after
            .next()
            .is_some_and(|c| c.is_ascii_hexdigit() || c == ':'),
        _ => false,
    };
    !glued_before && !glued_after
}

impl Recognizer for IpRecognizer {
    fn name(&self) -> &'static str {
        "ip-address-pattern"
    }
    fn kinds(&self) -> &'static [EntityKind] {
        &[EntityKind::IpAddress]
    }
    fn recognise(&self, text: &str, out: &mut Vec<Detection>) {
        for m in IPV4_CANDIDATE.find_iter(text) {
            let span = Span::new(m.start(), m.end());
            let Ok(ip) = m.as_str().parse::<Ipv4Addr>() else {
                continue;
            };
            if !delimited(text, span, false) {
                continue;
            }
            out.push(Detection {
                kind: EntityKind::IpAddress,
                span,
                score: scored(text, span, IP_CONTEXT, 0.6, 0.9),
                recogniser: self.name(),
                validator: Some("std-net-ipv4"),
                canonical: ip.to_string(),
            });
        }
        for m in IPV6_CANDIDATE.find_iter(text) {
            let candidate = m.as_str();
            let span = Span::new(m.start(), m.end());
            if !candidate.bytes().any(|b| b.is_ascii_digit()) || !delimited(text, span, true) {
                continue;
            }
            let Ok(ip) = candidate.parse::<Ipv6Addr>() else {
                continue;
            };
            out.push(Detection {
                kind: EntityKind::IpAddress,
                span,
                score: scored(text, span, IP_CONTEXT, 0.8, 0.95),
                recogniser: self.name(),
                validator: Some("std-net-ipv6"),
                canonical: ip.to_string(),
            });
        }
    }
}

/// A scheme or `www.`, then anything up to white space, angle brackets or quotes.
static URL_CANDIDATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(?-u:\b)(?:https?://|www\.)[^\s<>"“”‘’«»„]+"#).expect("valid URL pattern")
});

/// Web addresses that start with `http://`, `https://` or `www.`.
///
/// Punctuation that ends a sentence or a clause (`.`, `,`, `;`, `:`, `!`, `?`, quotes) is
/// left outside the URL, and so is a closing bracket without its opening one inside the URL,
/// so `(see https://example.com/a_(b))` keeps `https://example.com/a_(b)`. A `www.` address
/// needs a dot-separated host after `www.`. There is no validator: the pattern is all there
/// is, so a validated identifier inside a URL wins the overlap.
pub struct UrlRecognizer;

/// The URL without trailing punctuation that belongs to the sentence around it.
fn trim_url(url: &str) -> &str {
    let mut url = url;
    loop {
        let Some(last) = url.chars().next_back() else {
            return url;
        };
        let unbalanced = |open: char, close: char| {
            last == close && url.matches(open).count() < url.matches(close).count()
        };
        let trailing = matches!(last, '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '*')
            || unbalanced('(', ')')
            || unbalanced('[', ']')
            || unbalanced('{', '}');
        if !trailing {
            return url;
        }
        url = &url[..url.len() - last.len_utf8()];
    }
}

/// Whether the URL names a host: for `www.`, a dot-separated name after `www.`; for a
/// scheme, at least one letter, digit or `[` (an IPv6 literal) after `//`.
fn has_host(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("www.") {
        let host = rest.split(['/', '?', '#', ':']).next().unwrap_or("");
        let mut labels = host.split('.');
        let first = labels.next().unwrap_or("");
        let tld = host.rsplit('.').next().unwrap_or("");
        !first.is_empty()
            && host.contains('.')
            && tld.len() >= 2
            && tld.chars().all(char::is_alphabetic)
    } else {
        let rest = lower.split_once("//").map_or("", |(_, r)| r);
        rest.chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '[')
    }
}

impl Recognizer for UrlRecognizer {
    fn name(&self) -> &'static str {
        "url-pattern"
    }
    fn kinds(&self) -> &'static [EntityKind] {
        &[EntityKind::Url]
    }
    fn recognise(&self, text: &str, out: &mut Vec<Detection>) {
        for m in URL_CANDIDATE.find_iter(text) {
            let url = trim_url(m.as_str());
            if !has_host(url) {
                continue;
            }
            out.push(Detection {
                kind: EntityKind::Url,
                span: Span::new(m.start(), m.start() + url.len()),
                // A scheme or `www.` leaves little doubt that this is a URL; it still loses to
                // any validated identifier inside it (validated first, see `Registry::detect`).
                score: 0.85,
                recogniser: self.name(),
                validator: None,
                canonical: url.to_owned(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalise;

    use crate::test_support::hits;

    #[test]
    fn ipv4_addresses_parse_and_stand_alone() {
        for (text, ip) in [
            ("Min IP er 192.168.1.20.", "192.168.1.20"),
            ("IP-Adresse: 10.0.0.1, danke", "10.0.0.1"),
            ("server 203.0.113.7:8080 down", "203.0.113.7"),
            ("(8.8.8.8)", "8.8.8.8"),
        ] {
            let found = hits(&IpRecognizer, text);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!(found[0].0, ip);
            assert_eq!(found[0].2, Some("std-net-ipv4"));
        }
        for text in [
            "256.1.1.1",
            "1.2.3.4.5",
            "version 10.0.0.1a",
            "010.0.0.1",
            "dated 12.03.2024",
            "v1.2.3.4",
        ] {
            assert!(
                hits(&IpRecognizer, text).is_empty(),
                "{text}: {:?}",
                hits(&IpRecognizer, text)
            );
        }
        let bare = hits(&IpRecognizer, "see 10.0.0.1");
        let told = hits(&IpRecognizer, "my IP address is 10.0.0.1");
        assert!(told[0].3 > bare[0].3);
    }

    #[test]
    fn ipv6_addresses_parse_and_are_canonically_compressed() {
        for (text, ip, canonical) in [
            ("IPv6 2001:db8::1 ok", "2001:db8::1", "2001:db8::1"),
            (
                "addr 2001:0DB8:0000:0000:0000:0000:0000:0001.",
                "2001:0DB8:0000:0000:0000:0000:0000:0001",
                "2001:db8::1",
            ),
            (
                "link fe80::1ff:fe23:4567:890a here",
                "fe80::1ff:fe23:4567:890a",
                "fe80::1ff:fe23:4567:890a",
            ),
            (
                "mapped ::ffff:192.0.2.1",
                "::ffff:192.0.2.1",
                "::ffff:192.0.2.1",
            ),
            ("[2001:db8::7]:443", "2001:db8::7", "2001:db8::7"),
        ] {
            let found = hits(&IpRecognizer, text);
            let v6: Vec<_> = found
                .iter()
                .filter(|h| h.2 == Some("std-net-ipv6"))
                .collect();
            assert_eq!(v6.len(), 1, "{text}: {found:?}");
            assert_eq!(v6[0].0, ip, "{text}");
            assert_eq!(v6[0].1, canonical, "{text}");
        }
        for text in [
            "at 12:30:45 today",
            "mac 00:1A:2B:3C:4D:5E",
            "be::ef",
            "2001:db8:::1",
            "1:2:3:4:5:6:7:8:9",
        ] {
            let v6: Vec<_> = hits(&IpRecognizer, text)
                .into_iter()
                .filter(|h| h.2 == Some("std-net-ipv6"))
                .collect();
            assert!(v6.is_empty(), "{text}: {v6:?}");
        }
    }

    #[test]
    fn urls_keep_sentence_punctuation_outside() {
        for (text, url) in [
            (
                "Se https://example.com/ordre?id=7.",
                "https://example.com/ordre?id=7",
            ),
            ("Zie www.voorbeeld.nl, dank", "www.voorbeeld.nl"),
            (
                "(siehe http://beispiel.de/a_(b))",
                "http://beispiel.de/a_(b)",
            ),
            ("Link: HTTPS://Example.com/X!", "HTTPS://Example.com/X"),
            ("»https://example.dk/«", "https://example.dk/"),
            ("http://[2001:db8::1]:8080/x", "http://[2001:db8::1]:8080/x"),
        ] {
            let found = hits(&UrlRecognizer, text);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!(found[0].0, url, "{text}");
            assert_eq!(found[0].2, None);
        }
        for text in [
            "https://",
            "www.example",
            "awww.example.com",
            "http:// x",
            "ftp://example.com",
            "www.x.123",
        ] {
            assert!(
                hits(&UrlRecognizer, text).is_empty(),
                "{text}: {:?}",
                hits(&UrlRecognizer, text)
            );
        }
    }

    #[test]
    fn addresses_hidden_by_zero_width_or_full_width_characters_are_found() {
        let n = normalise("IP １９２.168.\u{200B}1.20 og https://ex\u{200D}ample.dk");
        assert_eq!(hits(&IpRecognizer, &n.text)[0].1, "192.168.1.20");
        assert_eq!(hits(&UrlRecognizer, &n.text)[0].1, "https://example.dk");
    }
}
