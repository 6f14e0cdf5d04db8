//! Language identification uses the conversation as evidence without being ruled by it.

use candor_classify::{LanguageConfig, LanguageContext, LanguageIdentifier};
use candor_core::{Lang, LanguageGuess};

fn identifier() -> LanguageIdentifier {
    LanguageIdentifier::new(&LanguageConfig::default()).unwrap()
}

fn after(id: &LanguageIdentifier, earlier: &[&str]) -> LanguageContext {
    LanguageContext {
        previous: earlier.iter().map(|t| id.identify(t)).collect(),
        declared: None,
    }
}

#[test]
fn ok_tak_after_danish_stays_danish() {
    let id = identifier();
    let context = after(
        &id,
        &["Hej, jeg har ikke modtaget min pakke endnu, hvornår kommer den?"],
    );
    assert_eq!(context.previous[0].lang, Some(Lang::DA));
    let guess = id.identify_in_context("ok tak", &context);
    assert_eq!(guess.lang, Some(Lang::DA), "{guess:?}");
    // The context is what made the difference: alone, "ok tak" is not confidently Danish.
    let alone = id.identify("ok tak");
    assert!(
        alone.confidence < guess.confidence,
        "{alone:?} vs {guess:?}"
    );
}

#[test]
fn ja_bitte_after_german_stays_german() {
    let id = identifier();
    let context = after(&id, &["Ich habe mein Paket immer noch nicht erhalten."]);
    let guess = id.identify_in_context("ja, bitte", &context);
    assert_eq!(guess.lang, Some(Lang::DE), "{guess:?}");
}

#[test]
fn a_declared_locale_breaks_ties() {
    let id = identifier();
    // lingua finds "ok" as likely Danish as Dutch, and "ja" Dutch or German: alone they are
    // unknown, and the declared locale decides.
    for (text, candidates) in [("ok", [Lang::DA, Lang::NL]), ("ja", [Lang::NL, Lang::DE])] {
        assert_eq!(
            id.identify(text).lang,
            None,
            "{text}: {:?}",
            id.identify(text)
        );
        for lang in candidates {
            let guess = id.identify_in_context(
                text,
                &LanguageContext {
                    previous: Vec::new(),
                    declared: Some(lang),
                },
            );
            assert_eq!(
                guess.lang,
                Some(lang),
                "{text}, declared {lang:?}: {guess:?}"
            );
        }
    }
}

#[test]
fn a_long_english_message_overrides_a_danish_context() {
    let id = identifier();
    let context = LanguageContext {
        previous: vec![
            LanguageGuess {
                lang: Some(Lang::DA),
                confidence: 1.0,
            };
            3
        ],
        declared: Some(Lang::DA),
    };
    let guess = id.identify_in_context(
        "Sorry, could we continue in English please? I would like to know where my order is.",
        &context,
    );
    assert_eq!(guess.lang, Some(Lang::EN), "{guess:?}");
    assert!(guess.confidence > 0.8, "{guess:?}");
}

#[test]
fn the_floor_still_gives_unknown_for_gibberish() {
    let id = LanguageIdentifier::new(&LanguageConfig {
        confidence_floor: 0.9,
        ..LanguageConfig::default()
    })
    .unwrap();
    let context = LanguageContext {
        previous: vec![LanguageGuess {
            lang: Some(Lang::DA),
            confidence: 0.95,
        }],
        declared: None,
    };
    let guess = id.identify_in_context("qxz vvk", &context);
    assert_eq!(guess.lang, None, "{guess:?}");
    let none = id.identify_in_context("1234 !!! :)", &context);
    assert_eq!(
        none,
        LanguageGuess {
            lang: None,
            confidence: 0.0
        }
    );
}

#[test]
fn unknown_earlier_guesses_are_no_evidence() {
    let id = identifier();
    let unknown = LanguageContext {
        previous: vec![LanguageGuess {
            lang: None,
            confidence: 0.4,
        }],
        declared: None,
    };
    for text in ["ok tak", "dank je wel", "Where is my parcel?"] {
        let (with, without) = (id.identify_in_context(text, &unknown), id.identify(text));
        // lingua sums its evidence in hash order, so equal up to rounding.
        assert_eq!(with.lang, without.lang, "{text}");
        assert!(
            (with.confidence - without.confidence).abs() < 1e-9,
            "{text}"
        );
    }
}
