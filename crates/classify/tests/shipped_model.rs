//! The shipped default intent model (`models/customer-service-intent.ctc`) loads, is intact,
//! names its data and licence, and gets plain requests right with reasons.

use std::path::Path;

use candor_classify::IntentModel;

fn shipped() -> IntentModel {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/customer-service-intent.ctc");
    IntentModel::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_shipped_model_is_intact_and_documented() {
    let model = shipped();
    assert_eq!(model.labels().len(), 27);
    let sheet = model.datasheet();
    assert!(sheet.source.contains("Bitext"), "{}", sheet.source);
    assert_eq!(
        sheet.licence,
        "CDLA-Sharing-1.0 (Bitext); Apache-2.0 (Candor data)"
    );
    // Bitext's 6,480 training rows plus Candor's own da/nl/de/en messages (repeated 3x).
    assert_eq!(sheet.train_rows, 11988);
    assert_eq!(sheet.valid_rows, 999);
    assert_eq!(sheet.classes.iter().map(|c| c.train).sum::<u64>(), 11988);
    assert!(sheet.valid_accuracy > 0.95);
}

#[test]
fn the_shipped_model_understands_plain_requests() {
    let model = shipped();
    for (text, intent) in [
        ("I want to talk to a human", "contact_human_agent"),
        ("I need to track my order", "track_order"),
        ("I forgot my password", "recover_password"),
        ("please cancel order 4411", "cancel_order"),
        ("I want my money back", "get_refund"),
    ] {
        let p = model.predict(text);
        assert_eq!(p.label.as_deref(), Some(intent), "{text}: {p:?}");
        let why = model.explain(text, intent, 3).unwrap();
        assert!(!why.contributions.is_empty());
        for c in &why.contributions {
            assert!(c.span.end <= text.len());
        }
    }
}
