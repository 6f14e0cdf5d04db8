//! Input written to slip past a recogniser: invisible characters inside identifiers,
//! full-width digits, mixed separators, and very long texts.

use std::collections::BTreeMap;

use candor_core::EntityKind;
use candor_pii::{Registry, local_ordinals, normalise, pseudonymise};

use crate::found_in_original;

#[test]
fn zero_width_characters_inside_identifiers_do_not_hide_them() {
    for (original, kind, covered) in [
        (
            "CPR 070761\u{200B}-4285 tak",
            EntityKind::DkCpr,
            "070761\u{200B}-4285",
        ),
        (
            "BSN 1112\u{200D}.22.333!",
            EntityKind::NlBsn,
            "1112\u{200D}.22.333",
        ),
        (
            "Steuer-ID 86\u{2060}095742719.",
            EntityKind::DeTaxId,
            "86\u{2060}095742719",
        ),
        (
            "SVNR 65170839\u{FEFF}J003",
            EntityKind::DeSvnr,
            "65170839\u{FEFF}J003",
        ),
        (
            "KVNR A12345\u{200C}6780",
            EntityKind::DeKvnr,
            "A12345\u{200C}6780",
        ),
        (
            "Karte 4111\u{200B}1111\u{200B}1111\u{200B}1111",
            EntityKind::CreditCard,
            "4111\u{200B}1111\u{200B}1111\u{200B}1111",
        ),
        (
            "IP 192.168\u{200B}.1.20",
            EntityKind::IpAddress,
            "192.168\u{200B}.1.20",
        ),
        (
            "see www.exa\u{200B}mple.dk",
            EntityKind::Url,
            "www.exa\u{200B}mple.dk",
        ),
        (
            "moms DK1358\u{202E}5628",
            EntityKind::VatNumber,
            "DK1358\u{202E}5628",
        ),
        (
            "Ausweis L01X00\u{00AD}T471",
            EntityKind::DeIdDocument,
            "L01X00\u{00AD}T471",
        ),
    ] {
        assert_eq!(
            found_in_original(original),
            vec![(kind, covered.to_owned())],
            "{original:?}"
        );
    }
}

#[test]
fn full_width_digits_and_wide_spaces_fold_to_plain_ones() {
    for (original, kind, covered) in [
        (
            "ＣＰＲ ０７０７６１－４２８５",
            EntityKind::DkCpr,
            "０７０７６１－４２８５",
        ),
        (
            "ＢＳＮ １１１２．２２．３３３",
            EntityKind::NlBsn,
            "１１１２．２２．３３３",
        ),
        (
            "IdNr ８６\u{3000}０９５\u{3000}７４２\u{3000}７１９",
            EntityKind::DeTaxId,
            "８６\u{3000}０９５\u{3000}７４２\u{3000}７１９",
        ),
        (
            "card ４１１１\u{00A0}１１１１\u{202F}１１１１ １１１１",
            EntityKind::CreditCard,
            "４１１１\u{00A0}１１１１\u{202F}１１１１ １１１１",
        ),
        (
            "SV-Nr. ６５ １７０８３９ Ｊ ００ ３",
            EntityKind::DeSvnr,
            "６５ １７０８３９ Ｊ ００ ３",
        ),
        (
            "KVNR Ａ１２３４５６７８０",
            EntityKind::DeKvnr,
            "Ａ１２３４５６７８０",
        ),
        (
            "USt-IdNr. ＤＥ１３６６９５９７６",
            EntityKind::VatNumber,
            "ＤＥ１３６６９５９７６",
        ),
        (
            "IP １９２．１６８．１．２０",
            EntityKind::IpAddress,
            "１９２．１６８．１．２０",
        ),
    ] {
        assert_eq!(
            found_in_original(original),
            vec![(kind, covered.to_owned())],
            "{original:?}"
        );
    }
}

#[test]
fn mixed_separators_are_one_number() {
    for (original, kind) in [
        ("BSN 1112.22-333", EntityKind::NlBsn),
        ("BSN 111 222.333", EntityKind::NlBsn),
        ("Steuer-ID 86 095.742-719", EntityKind::DeTaxId),
        ("Karte 4111-1111 1111.1111", EntityKind::CreditCard),
        ("CPR 070761 4285", EntityKind::DkCpr),
        ("CPR 070761\u{2013}4285", EntityKind::DkCpr),
        ("SVNR 65-170839 J 003", EntityKind::DeSvnr),
        ("btw NL 0044.95.445 B01", EntityKind::VatNumber),
    ] {
        let found = found_in_original(original);
        assert_eq!(found.len(), 1, "{original:?}: {found:?}");
        assert_eq!(found[0].0, kind, "{original:?}");
    }
}

/// Realistic customer sentences in four languages; the kinds each one holds.
const SENTENCES: &[(&str, &[EntityKind])] = &[
    (
        "Hej, jeg hedder Mette og mit CPR-nr. er 070761-4285. Kan I hjælpe? ",
        &[EntityKind::Person, EntityKind::DkCpr],
    ),
    (
        "Ring venligst til mig på 22 33 44 55 efter kl. 16. ",
        &[EntityKind::Phone],
    ),
    (
        "Pengene skal overføres til DK50 0040 0440 1162 43, tak. ",
        &[EntityKind::Iban],
    ),
    (
        "Mit personnummer er ０７０７６１-４２８６, skrev min søn\u{200B}. ",
        &[EntityKind::DkCpr],
    ),
    (
        "Mijn BSN is 1112.22.333 en mijn e-mail is j.devries@example.nl. ",
        &[EntityKind::NlBsn, EntityKind::Email],
    ),
    (
        "Onze btw-id is NL004495445B01, graag op de factuur. ",
        &[EntityKind::VatNumber],
    ),
    (
        "Meine Steuer-ID lautet 86 095 742 719, bitte korrigieren Sie die Rechnung. ",
        &[EntityKind::DeTaxId],
    ),
    (
        "Rentenversicherungsnummer 65 170839 J 00 3 und KVNR A123456780 liegen bei. ",
        &[EntityKind::DeSvnr, EntityKind::DeKvnr],
    ),
    (
        "Die Nummer meines Personalausweises ist L01X00T471. ",
        &[EntityKind::DeIdDocument],
    ),
    (
        "I paid with card 4111 1111 1111 1111 but was charged twice. ",
        &[EntityKind::CreditCard],
    ),
    (
        "The login came from IP 203.0.113.7, see https://example.com/help?id=7. ",
        &[EntityKind::IpAddress, EntityKind::Url],
    ),
    (
        "Nothing personal here, just a complaint about 3 late deliveries. ",
        &[],
    ),
    (
        "Leveringen var forsinket i 3 dage, og pakken på 2,5 kg var beskadiget. ",
        &[],
    ),
];

/// The sentences repeated to at least `bytes` bytes, and how many times each kind occurs.
fn corpus(bytes: usize) -> (String, BTreeMap<EntityKind, usize>) {
    let mut text = String::with_capacity(bytes + 1024);
    let mut expected = BTreeMap::new();
    while text.len() < bytes {
        for (sentence, kinds) in SENTENCES {
            text.push_str(sentence);
            for k in *kinds {
                *expected.entry(*k).or_default() += 1;
            }
        }
    }
    (text, expected)
}

fn detect_and_count(original: &str) -> (BTreeMap<EntityKind, usize>, String) {
    let n = normalise(original);
    let found = Registry::default().detect(&n.text);
    let mut counts = BTreeMap::new();
    for d in &found {
        *counts.entry(d.kind).or_default() += 1;
        let span = n.map.to_original(d.span);
        assert!(original.is_char_boundary(span.start) && original.is_char_boundary(span.end));
    }
    let out = pseudonymise(&n.text, &found, &local_ordinals(&found));
    (counts, out)
}

#[test]
fn one_and_two_megabytes_of_mixed_text_find_every_value() {
    // Timings are measured by `benches/detect.rs`; here the long texts must be read whole and
    // right: every value in every repetition, none left in the output.
    for megabytes in [1, 2] {
        let (text, expected) = corpus(megabytes << 20);
        let (counts, out) = detect_and_count(&text);
        assert_eq!(counts, expected, "{megabytes} MB");
        for value in [
            "Mette",
            "070761-4285",
            "1112.22.333",
            "4111 1111 1111 1111",
            "L01X00T471",
            "203.0.113.7",
        ] {
            assert!(
                !out.contains(value),
                "{value} left in the {megabytes} MB output"
            );
        }
    }
}

#[test]
fn pathological_megabyte_inputs_are_read_to_the_end() {
    // One digit run of half a million units, separators without digits, colons for the IPv6
    // pattern, and URL starts without URLs: each is read whole, and the one value placed at
    // the very end is still found.
    let tail = " CPR 070761-4285";
    for filler in ["1 ", "-.", "a:", "www.", "\u{200B}", "０ "] {
        let mut text = filler.repeat((1 << 20) / filler.len());
        text.push_str(tail);
        let found = found_in_original(&text);
        assert!(
            found.contains(&(EntityKind::DkCpr, "070761-4285".to_owned())),
            "{filler:?}: {:?}",
            found.last()
        );
    }
}
