//! `STREET_ADDRESS` through the whole path (normalise, detect, map back), in Danish, Dutch,
//! German, British and American conventions.

use candor_core::EntityKind;

use crate::found_in_original;

fn addresses(original: &str) -> Vec<String> {
    found_in_original(original)
        .into_iter()
        .filter(|(k, _)| *k == EntityKind::StreetAddress)
        .map(|(_, s)| s)
        .collect()
}

#[test]
fn whole_addresses_in_each_convention() {
    for (original, address) in [
        (
            "Min nye adresse er Vesterbrogade 12, 1620 København V. Tak!",
            "Vesterbrogade 12, 1620 København V",
        ),
        (
            "Jeg bor på Nørregade 7 st. th. i Aarhus",
            "Nørregade 7 st. th.",
        ),
        (
            "Stuur het naar Keizersgracht 123, 1015 CJ Amsterdam alstublieft",
            "Keizersgracht 123, 1015 CJ Amsterdam",
        ),
        ("Mijn adres is Prinsengracht 263-II", "Prinsengracht 263-II"),
        (
            "Bitte an Hauptstraße 5, 10115 Berlin liefern.",
            "Hauptstraße 5, 10115 Berlin",
        ),
        ("Wir wohnen Am Markt 3a seit Mai.", "Am Markt 3a"),
        (
            "Ship to 221B Baker Street, London NW1 6XE, thanks",
            "221B Baker Street, London NW1 6XE",
        ),
        (
            "It is 1600 Pennsylvania Avenue NW, Washington, DC 20500.",
            "1600 Pennsylvania Avenue NW, Washington, DC 20500",
        ),
        (
            "Address: 90 Whitchurch Road\nCardiff CF14 3LX",
            "90 Whitchurch Road\nCardiff CF14 3LX",
        ),
    ] {
        assert_eq!(
            addresses(original),
            vec![address.to_owned()],
            "{original:?}"
        );
    }
}

#[test]
fn spans_are_into_the_original_text() {
    // The zero-width space is removed by normalisation; the span still covers it.
    let original = "Adresse: Vester\u{200B}brogade 12, 1620 København V";
    assert_eq!(
        addresses(original),
        vec!["Vester\u{200B}brogade 12, 1620 København V".to_owned()]
    );
}

#[test]
fn ordinary_sentences_hold_no_address() {
    for original in [
        "I live on the 3rd floor and order 12 items a month.",
        "Ich habe 2 Pakete bekommen, aber 1 fehlt.",
        "Jeg har bestilt 3 stk. af Samsung Galaxy S21 Ultra.",
        "Ik heb 4 dozen besteld bij Bol.com.",
        "The iPhone 15 Pro Max arrived on 12 May.",
        "Der Weg 5 Minuten zum Bahnhof ist zu weit.",
        "Please refund 24 EUR by Monday.",
    ] {
        assert!(
            addresses(original).is_empty(),
            "{original:?}: {:?}",
            addresses(original)
        );
    }
}

#[test]
fn long_runs_of_capitalised_words_and_numbers_stay_linear() {
    // A megabyte of street-like words and numbers: every number is looked at once and every
    // look reads a bounded number of words, so this finishes in about the time of one pass.
    let unit = "Keizersgracht Hauptstraße Am Markt Vesterbrogade 12 Baker Street ";
    let text = unit.repeat((1 << 20) / unit.len());
    let started = std::time::Instant::now();
    let found = addresses(&text);
    assert!(!found.is_empty());
    let long_word = format!("{}gade 12", "A".repeat(1 << 20));
    assert!(
        addresses(&long_word).is_empty(),
        "a megabyte word is no street"
    );
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
}
