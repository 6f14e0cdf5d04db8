//! Scores the default registry on Presidio Research's synthetic PII sentences (evaluate only).
//!
//! ```text
//! cargo run -p candor-pii --release --example eval_presidio [-- PATH/synth_dataset_v2.json]
//! ```
//!
//! The data set's types are mapped to Candor's kinds; types Candor does not detect (GPE,
//! ORGANIZATION, DATE_TIME, TITLE, AGE, NRP, US_SSN, US_DRIVER_LICENSE) are left out of the
//! labels, and `ZIP_CODE` counts as part of a street address.

use candor_core::{EntityKind, Span};
use candor_pii::Registry;
use candor_pii::eval::{Labelled, evaluate};

fn kind(presidio: &str) -> Option<EntityKind> {
    Some(match presidio {
        "PERSON" => EntityKind::Person,
        "STREET_ADDRESS" | "ZIP_CODE" => EntityKind::StreetAddress,
        "CREDIT_CARD" => EntityKind::CreditCard,
        "PHONE_NUMBER" => EntityKind::Phone,
        "EMAIL_ADDRESS" => EntityKind::Email,
        "IBAN_CODE" => EntityKind::Iban,
        "IP_ADDRESS" => EntityKind::IpAddress,
        "DOMAIN_NAME" => EntityKind::Url,
        _ => return None,
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/presidio-synth-pii-en/synth_dataset_v2.json"
        )
        .to_owned()
    });
    let raw: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
    let mut data = Vec::new();
    for item in raw.as_array().ok_or("expected a JSON array")? {
        let text = item["full_text"].as_str().ok_or("full_text")?.to_owned();
        // Positions are character offsets; spans here are byte offsets.
        let mut bytes: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        bytes.push(text.len());
        let mut spans = Vec::new();
        for s in item["spans"].as_array().ok_or("spans")? {
            let Some(k) = kind(s["entity_type"].as_str().unwrap_or_default()) else {
                continue;
            };
            let at = |key: &str| s[key].as_u64().and_then(|v| bytes.get(v as usize).copied());
            let (Some(start), Some(end)) = (at("start_position"), at("end_position")) else {
                return Err("span outside its text".into());
            };
            spans.push((Span::new(start, end), k));
        }
        data.push(Labelled { text, spans });
    }
    let started = std::time::Instant::now();
    // Candor detects kinds the data set does not label (national IDs, dates of birth).
    let unlabelled = [
        EntityKind::DkCpr,
        EntityKind::NlBsn,
        EntityKind::DeTaxId,
        EntityKind::DeSvnr,
        EntityKind::DeKvnr,
        EntityKind::DeIdDocument,
        EntityKind::VatNumber,
        EntityKind::DateOfBirth,
    ];
    let report = evaluate(&Registry::default(), &data, &unlabelled);
    let elapsed = started.elapsed();
    println!("| kind | precision | recall | F1 | tp | fp | fn |");
    println!("|---|---|---|---|---|---|---|");
    for (k, c) in &report.per_kind {
        println!(
            "| {} | {:.3} | {:.3} | {:.3} | {} | {} | {} |",
            k.as_str(),
            c.precision(),
            c.recall(),
            c.f1(),
            c.true_positives,
            c.false_positives,
            c.false_negatives
        );
    }
    let t = report.typed();
    println!(
        "| typed (micro) | {:.3} | {:.3} | {:.3} | {} | {} | {} |",
        t.precision(),
        t.recall(),
        t.f1(),
        t.true_positives,
        t.false_positives,
        t.false_negatives
    );
    println!(
        "\n{} texts; untyped recall {:.3}; leak rate {:.1}%; {:.0} texts/s",
        report.texts,
        report.untyped_recall,
        100.0 * report.leak_rate,
        report.texts as f64 / elapsed.as_secs_f64()
    );
    Ok(())
}
