//! The shipped articles: complete, consistent across languages, and tagged with real intents.

use std::collections::{BTreeMap, BTreeSet};

use candor_core::Lang;
use candor_kb::load_dir;

use crate::sample_dir;

/// The labels of the shipped intent model.
const INTENTS: [&str; 27] = [
    "cancel_order",
    "change_order",
    "change_shipping_address",
    "check_cancellation_fee",
    "check_invoice",
    "check_payment_methods",
    "check_refund_policy",
    "complaint",
    "contact_customer_service",
    "contact_human_agent",
    "create_account",
    "delete_account",
    "delivery_options",
    "delivery_period",
    "edit_account",
    "get_invoice",
    "get_refund",
    "newsletter_subscription",
    "payment_issue",
    "place_order",
    "recover_password",
    "registration_problems",
    "review",
    "set_up_shipping_address",
    "switch_account",
    "track_order",
    "track_refund",
];

/// Intents that must reach a person, never an article.
const FOR_PEOPLE: [&str; 4] = [
    "complaint",
    "contact_human_agent",
    "contact_customer_service",
    "payment_issue",
];

const LANGS: [Lang; 4] = [Lang::DA, Lang::NL, Lang::DE, Lang::EN];

#[test]
fn every_article_exists_in_all_four_languages() {
    let articles = load_dir(&sample_dir()).unwrap();
    let mut langs_by_id: BTreeMap<&str, BTreeSet<Lang>> = BTreeMap::new();
    for a in &articles {
        langs_by_id.entry(&a.id).or_default().insert(a.lang);
    }
    assert!(langs_by_id.len() >= 10, "{} ids", langs_by_id.len());
    for (id, langs) in &langs_by_id {
        assert_eq!(langs, &BTreeSet::from(LANGS), "{id}");
    }
    for topic in [
        "password-reset",
        "change-address",
        "track-order",
        "invoice-copy",
        "opening-hours",
        "cancel-order",
        "refund-status",
        "payment-methods",
        "delivery-options",
        "create-account",
        "delete-account",
    ] {
        assert!(langs_by_id.contains_key(topic), "{topic} missing");
    }
}

#[test]
fn files_are_named_after_their_id_and_language() {
    for a in load_dir(&sample_dir()).unwrap() {
        let path = sample_dir()
            .join(a.lang.code())
            .join(format!("{}.md", a.id));
        assert!(
            path.is_file(),
            "{} ({}) is not at {}",
            a.id,
            a.lang,
            path.display()
        );
    }
}

#[test]
fn intents_are_model_labels_and_translations_agree() {
    let articles = load_dir(&sample_dir()).unwrap();
    let mut by_id: BTreeMap<&str, &Vec<String>> = BTreeMap::new();
    for a in &articles {
        for intent in &a.intents {
            assert!(
                INTENTS.contains(&intent.as_str()),
                "{} ({}): {intent}",
                a.id,
                a.lang
            );
            assert!(
                !FOR_PEOPLE.contains(&intent.as_str()),
                "{} ({}): {intent}",
                a.id,
                a.lang
            );
        }
        let first = by_id.entry(&a.id).or_insert(&a.intents);
        assert_eq!(
            *first, &a.intents,
            "{} ({}) differs from its translations",
            a.id, a.lang
        );
    }
}

#[test]
fn answers_are_short_plain_text() {
    for a in load_dir(&sample_dir()).unwrap() {
        let text = a.answer_text();
        let words = text.split_whitespace().count();
        assert!(
            (40..=150).contains(&words),
            "{} ({}): {words} words",
            a.id,
            a.lang
        );
        assert!(
            !text.contains("**") && !text.contains("](") && !text.contains('#'),
            "{} ({})",
            a.id,
            a.lang
        );
        assert_eq!(candor_kb::Article::parse(&a.to_markdown()).unwrap(), a);
    }
}
