//! The built-in sentiment model loads, calls plain complaints and praise right in all four
//! languages, and survives a save/load round trip unchanged.

use candor_classify::{Sentiment, SentimentModel};
use candor_core::Lang;

fn check(model: &SentimentModel, text: &str, label: &str) -> Sentiment {
    let s = model.score(text);
    assert_eq!(s.label, label, "{text}: {s:?}");
    let sum = s.negative + s.neutral + s.positive;
    assert!((sum - 1.0).abs() < 1e-4, "{text}: {s:?}");
    let best = s.negative.max(s.neutral).max(s.positive);
    let labelled = match label {
        "negative" => s.negative,
        "neutral" => s.neutral,
        _ => s.positive,
    };
    assert_eq!(labelled, best, "{text}: {s:?}");
    s
}

#[test]
fn the_builtin_model_loads_and_is_documented() {
    let model = SentimentModel::builtin();
    let mut labels = model.classifier().labels().to_vec();
    labels.sort();
    assert_eq!(labels, ["negative", "neutral", "positive"]);
    let sheet = model.classifier().datasheet();
    assert!(sheet.source.contains("XED"), "{}", sheet.source);
    assert!(sheet.licence.contains("CC BY"), "{}", sheet.licence);
    assert!(
        model.version().starts_with("sentiment/"),
        "{}",
        model.version()
    );
}

#[test]
fn english_complaint_is_negative() {
    let model = SentimentModel::builtin();
    check(
        &model,
        "This is the third time my order is late, terrible service",
        "negative",
    );
    check(
        &model,
        "Thank you so much, I love it, wonderful help!",
        "positive",
    );
}

#[test]
fn danish_german_and_dutch_polarities() {
    let model = SentimentModel::builtin();
    for (text, label) in [
        ("Det er forfærdeligt, jeg hader det", "negative"),
        ("Tusind tak, det er vidunderligt!", "positive"),
        ("Das ist furchtbar, ich hasse es", "negative"),
        ("Vielen Dank, das ist wunderbar!", "positive"),
        ("Dit is verschrikkelijk, ik haat het", "negative"),
        ("Heel erg bedankt, dit is geweldig!", "positive"),
    ] {
        check(&model, text, label);
    }
}

#[test]
fn save_and_load_give_identical_scores() {
    let model = SentimentModel::builtin();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sentiment.ctc");
    model.classifier().save(&path).unwrap();
    let weights = model.lexicon_weights().cloned().unwrap();
    let loaded = SentimentModel::load(&path).unwrap().with_lexicon(weights);
    assert_eq!(loaded.version(), model.version());
    for text in [
        "This is the third time my order is late, terrible service",
        "Tusind tak for hjælpen",
        "Wo ist mein Paket?",
        "",
    ] {
        assert_eq!(loaded.score(text), model.score(text), "{text}");
        let en = Some(&Lang::EN);
        assert_eq!(
            loaded.score_in(text, en),
            model.score_in(text, en),
            "{text}"
        );
    }
}

#[test]
fn a_damaged_file_is_refused() {
    let model = SentimentModel::builtin();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sentiment.ctc");
    let mut bytes = model.classifier().to_bytes();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x55;
    std::fs::write(&path, &bytes).unwrap();
    assert!(SentimentModel::load(&path).is_err());
}

#[test]
fn english_is_read_with_the_lexicon_and_plain_questions_stay_neutral() {
    let model = SentimentModel::builtin();
    let en = Some(&Lang::EN);
    for (text, label) in [
        ("Where is my parcel? I ordered it last week.", "neutral"),
        ("How do I change my delivery address?", "neutral"),
        (
            "Your app is useless and nobody answers my emails",
            "negative",
        ),
        (
            "The delivery was not good at all, very disappointing",
            "negative",
        ),
        ("Thanks a lot, that was really helpful!", "positive"),
    ] {
        let s = model.score_in(text, en);
        assert_eq!(s.label, label, "{text}: {s:?}");
        let sum = s.negative + s.neutral + s.positive;
        assert!((sum - 1.0).abs() < 1e-4, "{text}: {s:?}");
    }
    assert!(model.version().contains("+lexicon/"), "{}", model.version());
}

#[test]
fn the_lexicon_turns_a_negated_word_around() {
    let model = SentimentModel::builtin();
    let en = Some(&Lang::EN);
    let plain = model.score_in("That answer was helpful", en);
    let negated = model.score_in("That answer was not helpful", en);
    assert!(negated.negative > plain.negative, "{plain:?} {negated:?}");
    assert!(negated.lexicon[0].valence < 0.0, "{negated:?}");
}
