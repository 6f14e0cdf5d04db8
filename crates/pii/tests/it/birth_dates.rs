//! `DATE_OF_BIRTH` through the whole path: a date next to a birth context word, in each
//! language; other dates stay.

use candor_core::EntityKind;

use crate::found_in_original;

fn birth_dates(original: &str) -> Vec<String> {
    found_in_original(original)
        .into_iter()
        .filter(|(k, _)| *k == EntityKind::DateOfBirth)
        .map(|(_, s)| s)
        .collect()
}

#[test]
fn dates_next_to_birth_words_in_each_language() {
    for (original, date) in [
        ("Jeg er født 3. marts 1985 i Odense.", "3. marts 1985"),
        ("Fødselsdato: 03-03-1985", "03-03-1985"),
        ("Mijn geboortedatum is 12 mei 1990.", "12 mei 1990"),
        ("geboren op 29.02.2000 in Utrecht", "29.02.2000"),
        ("Ich bin am 7. Juli 1979 geboren.", "7. Juli 1979"),
        ("Geburtsdatum 1979-07-07, bitte ändern", "1979-07-07"),
        ("I was born on July 7, 1979 in Leeds", "July 7, 1979"),
        ("DOB: 07/23/1979", "07/23/1979"),
        ("Date of birth 7th of July 1979", "7th of July 1979"),
        ("Ｇｅｂ．　０７.０７.１９７９", "０７.０７.１９７９"),
    ] {
        assert_eq!(birth_dates(original), vec![date.to_owned()], "{original:?}");
    }
}

#[test]
fn other_dates_are_no_birth_dates() {
    for original in [
        "Pakken blev leveret 3. marts 2024.",
        "De levering is gepland op 12 mei 2024.",
        "Die Lieferung kommt am 7. Juli 2024.",
        "My order from July 7, 2024 never arrived.",
        "Invoice dated 2024-03-01, due 2024-03-31.",
        "I was born to shop, order 12.03.2024 is late",
    ] {
        assert!(
            birth_dates(original).is_empty(),
            "{original:?}: {:?}",
            birth_dates(original)
        );
    }
}

#[test]
fn only_the_first_date_after_the_word_is_the_birth_date() {
    assert_eq!(
        birth_dates("born 1.1.1990, delivered 12.03.2024"),
        vec!["1.1.1990".to_owned()]
    );
}

#[test]
fn impossible_dates_are_not_reported() {
    for original in ["født 30.02.1985", "geboren 31 april 1990", "DOB 1985-00-10"] {
        assert!(birth_dates(original).is_empty(), "{original:?}");
    }
}

#[test]
fn a_megabyte_of_birth_words_and_dates_stays_linear() {
    let unit = "born geboren født 12.12.2012 ";
    let text = unit.repeat((1 << 20) / unit.len());
    let started = std::time::Instant::now();
    let found = birth_dates(&text);
    assert_eq!(found.len(), (1 << 20) / unit.len());
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
}
