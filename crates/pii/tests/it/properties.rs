//! Properties of normalise → detect → pseudonymise over generated text: arbitrary Unicode,
//! and text assembled from fragments of valid identifiers, separators, invisible characters
//! and noise, which is where recognisers meet their edge cases.

use candor_pii::{
    EncryptionKey, Operator, Operators, Pseudonyms, Registry, RevealAuthorisation, decrypt_tokens,
    local_ordinals, normalise, pseudonymise, reveal,
};
use proptest::prelude::*;

/// Valid values of every kind, in the forms people write them.
const VALUES: &[&str] = &[
    "ole@example.dk",
    "+45 22 33 44 55",
    "06-12345678",
    "DE89 3704 0044 0532 0130 00",
    "4111 1111 1111 1111",
    "3782 822463 10005",
    "192.168.1.20",
    "2001:db8::1",
    "https://example.com/a_(b)?x=1",
    "www.example.nl",
    "070761-4285",
    "0707614285",
    "1112.22.333",
    "123 456 782",
    "86 095 742 719",
    "65 170839 J 00 3",
    "A123456780",
    "L01X00T471",
    "DK13585628",
    "NL004495445B01",
    "DE136695976",
];

/// Context words, separators, invisible and look-alike characters.
const GLUE: &[&str] = &[
    " ",
    "  ",
    "-",
    ".",
    ",",
    ":",
    "/",
    "@",
    "+",
    "(",
    ")",
    "<",
    ">",
    "\u{200B}",
    "\u{200D}",
    "\u{FEFF}",
    "\u{202E}",
    "\u{00AD}",
    "\u{00A0}",
    "\u{3000}",
    "\u{2013}",
    "－",
    "．",
    "０",
    "７",
    "Ｊ",
    "ﬁ",
    "①",
    "e\u{0301}",
    "🇩🇰",
    "CPR ",
    "BSN ",
    "Steuer-ID ",
    "KVNR ",
    "IP ",
    "<EMAIL_1>",
    "\n",
];

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(VALUES).prop_map(str::to_owned),
        // A valid value cut short or run on, so checks see near misses.
        2 => (proptest::sample::select(VALUES), 0usize..40).prop_map(|(v, cut)| {
            v.chars().take(cut).collect::<String>()
        }),
        4 => proptest::sample::select(GLUE).prop_map(str::to_owned),
        2 => "[0-9]{1,12}",
        2 => "[a-zA-Z0-9æøåäöüß]{1,8}",
        1 => any::<String>().prop_map(|s| s.chars().take(6).collect()),
    ]
}

fn assembled() -> impl Strategy<Value = String> {
    proptest::collection::vec(fragment(), 0..24).prop_map(|parts| parts.concat())
}

/// Every property at once, for one original text.
fn check(original: &str) -> Result<(), TestCaseError> {
    let n = normalise(original);
    let found = Registry::default().detect(&n.text);
    for pair in found.windows(2) {
        prop_assert!(
            pair[0].span.end <= pair[1].span.start,
            "spans overlap or are out of order: {:?} then {:?}",
            pair[0],
            pair[1]
        );
    }
    for d in &found {
        prop_assert!(!d.span.is_empty() && d.span.end <= n.text.len(), "{d:?}");
        prop_assert!(n.text.is_char_boundary(d.span.start) && n.text.is_char_boundary(d.span.end));
        prop_assert!((0.0..=1.0).contains(&d.score), "{d:?}");
        prop_assert!(!d.canonical.is_empty(), "{d:?}");
        let span = n.map.to_original(d.span);
        prop_assert!(
            span.start <= span.end && span.end <= original.len(),
            "{span:?}"
        );
        prop_assert!(
            original.is_char_boundary(span.start) && original.is_char_boundary(span.end),
            "{span:?} splits a character of {original:?}"
        );
    }
    let out = pseudonymise(&n.text, &found, &local_ordinals(&found));
    let folded = out.to_ascii_lowercase();
    for d in &found {
        prop_assert!(
            !contains_word(&folded, &d.canonical.to_ascii_lowercase()),
            "{:?} ({}) is still in {out:?}",
            d.canonical,
            d.kind
        );
    }
    Ok(())
}

/// Rewriting the ORIGINAL text with each operator and revealing it with the mapping gives the
/// original back byte for byte; encrypted values also open again with the key alone.
fn check_reveal(original: &str) -> Result<(), TestCaseError> {
    let n = normalise(original);
    let found = Registry::default().detect(&n.text);
    let key = EncryptionKey::from_bytes([9; 32]);
    let auth = RevealAuthorisation::new("proptest", "round trip").expect("complete");
    for op in [
        Operator::Redact,
        Operator::MASK,
        Operator::Type,
        Operator::Pseudonym,
        Operator::Encrypt,
    ] {
        let ops = Operators::new(op).with_key(key.clone());
        let out = ops
            .apply_original(original, &n, &found, &mut Pseudonyms::default())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back = reveal(&out.text, &out.mapping, &auth)
            .map_err(|e| TestCaseError::fail(format!("{op}: {e}")))?;
        prop_assert_eq!(&back.text, original, "{} via {:?}", op, out.text);
        prop_assert_eq!(back.event.kinds.len(), found.len());
        if op == Operator::Encrypt && !out.mapping.0.iter().any(|r| r.kind.is_none()) {
            let opened =
                decrypt_tokens(&out.text, &key).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(opened, original);
        }
    }
    Ok(())
}

/// Whether `value` occurs in `text` not glued to a letter (or digit) on a side where it
/// starts (or ends) with one: repeats inside a longer word or number are not masked (the
/// name `ali` stays in `quality`).
fn contains_word(text: &str, value: &str) -> bool {
    let same = |a: char, b: char| {
        (a.is_alphabetic() && b.is_alphabetic()) || (a.is_numeric() && b.is_numeric())
    };
    let (Some(first), Some(last)) = (value.chars().next(), value.chars().next_back()) else {
        return false;
    };
    text.match_indices(value).any(|(i, _)| {
        !text[..i]
            .chars()
            .next_back()
            .is_some_and(|b| same(b, first))
            && !text[i + value.len()..]
                .chars()
                .next()
                .is_some_and(|a| same(a, last))
    })
}

/// 512 cases per property, or `PROPTEST_CASES` when set (for a longer hunt).
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(512);
    ProptestConfig::with_cases(cases)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_unicode_is_handled(original in any::<String>()) {
        check(&original)?;
    }

    #[test]
    fn redact_then_reveal_restores_arbitrary_unicode(original in any::<String>()) {
        check_reveal(&original)?;
    }

    #[test]
    fn every_operator_then_reveal_restores_identifiers_in_noise(original in assembled()) {
        check_reveal(&original)?;
    }

    #[test]
    fn fragments_of_identifiers_separators_and_noise_are_handled(original in assembled()) {
        check(&original)?;
    }
}

#[test]
fn the_properties_hold_on_the_shapes_that_once_broke_them() {
    // Shapes worth keeping whatever proptest happens to generate: a value repeated glued to
    // a word, values back to back, a token look-alike, and invisible characters at the edges.
    for original in [
        "0707614285 x0707614285",
        "111222333 1112223330",
        "CPR 070761-4285070761-4285",
        "ole@example.dk<EMAIL_1>OLE@EXAMPLE.DKx",
        "\u{200B}4111 1111 1111 1111\u{200B}",
        "①②③ 192.168.1.20① e\u{0301}0707614285",
        "::1 ::1x",
    ] {
        check(original).unwrap_or_else(|e| panic!("{original:?}: {e}"));
        check_reveal(original).unwrap_or_else(|e| panic!("{original:?}: {e}"));
    }
}
