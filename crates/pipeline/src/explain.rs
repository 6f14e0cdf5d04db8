//! Explanations of a decision for its two audiences: the customer (plain language, in their
//! language, from the data files in `crates/pipeline/explanations/<lang>.toml`) and staff
//! (features and weights, thresholds, versions).
//!
//! Adding a language is adding its file to [`EXPLANATION_FILES`]; a language without one is
//! explained in English.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use candor_core::{Decision, Lang, Route, Versions};
use serde::{Deserialize, Serialize};

use crate::Pipeline;

/// The shipped explanation texts, per language.
const EXPLANATION_FILES: &[(&str, &str)] = &[
    ("da", include_str!("../explanations/da.toml")),
    ("de", include_str!("../explanations/de.toml")),
    ("en", include_str!("../explanations/en.toml")),
    ("nl", include_str!("../explanations/nl.toml")),
];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Texts {
    understood_intent: String,
    understood_unknown: String,
    bot_answer: String,
    clarify: String,
    priority: String,
    reach_person: String,
    complain: String,
    reasons: BTreeMap<String, String>,
}

fn texts() -> &'static BTreeMap<Lang, Texts> {
    static TEXTS: OnceLock<BTreeMap<Lang, Texts>> = OnceLock::new();
    TEXTS.get_or_init(|| {
        EXPLANATION_FILES
            .iter()
            .map(|(code, text)| {
                let lang: Lang = code
                    .parse()
                    .expect("shipped explanation file has a valid code");
                let texts: Texts = toml::from_str(text)
                    .unwrap_or_else(|e| panic!("shipped explanations/{code}.toml is invalid: {e}"));
                (lang, texts)
            })
            .collect()
    })
}

/// The languages customer explanations are written in.
pub fn explanation_languages() -> Vec<Lang> {
    texts().keys().copied().collect()
}

/// A decision explained to the customer.
#[derive(Debug, Clone, Serialize)]
pub struct CustomerExplanation {
    /// The language it is written in.
    pub language: Lang,
    /// The sentences, in order: what was understood, what was decided and why, that priority
    /// depends only on need, how to reach a person, how to complain.
    pub sentences: Vec<String>,
    /// The sentences as one text.
    pub text: String,
}

/// One feature of the intent model's evidence.
#[derive(Debug, Clone, Serialize)]
pub struct FeatureWeight {
    /// The feature, readably (`word "parcel"`).
    pub feature: String,
    /// Its contribution to the intent's logit.
    pub weight: f32,
    /// Byte offsets into the pseudonymised text.
    pub start: usize,
    /// End offset.
    pub end: usize,
}

/// A decision explained to staff.
#[derive(Debug, Clone, Serialize)]
pub struct StaffExplanation {
    /// Who answers.
    pub route: Route,
    /// The step that decided.
    pub rule: String,
    /// Why a person answers, if one does.
    pub escalation_reason: Option<String>,
    /// The summary.
    pub summary: String,
    /// Every fact behind the decision, in order.
    pub reasons: Vec<candor_core::Reason>,
    /// The intent model's strongest evidence for the intent, recomputed with the model in force
    /// (`versions.intent_model` says which model decided).
    pub intent_features: Vec<FeatureWeight>,
    /// The thresholds of the policy in force.
    pub thresholds: BTreeMap<&'static str, f64>,
    /// What produced the decision.
    pub versions: Versions,
}

fn intent_words(label: &str) -> String {
    label.replace('_', " ")
}

/// Explains a decision to the customer, in `lang` (or the decision's language, or English).
pub fn for_customer(decision: &Decision, lang: Option<Lang>) -> CustomerExplanation {
    let all = texts();
    let (language, t) = lang
        .or(decision.understanding.language.lang)
        .and_then(|l| all.get_key_value(&l))
        .or_else(|| all.get_key_value(&Lang::EN))
        .expect("English explanations are shipped");
    let mut sentences = Vec::new();
    match decision
        .understanding
        .intent
        .as_ref()
        .and_then(|i| i.label.as_deref())
    {
        Some(label) => sentences.push(
            t.understood_intent
                .replace("{intent}", &intent_words(label)),
        ),
        None => sentences.push(t.understood_unknown.clone()),
    }
    match (&decision.route, &decision.reply, decision.escalation_reason) {
        (Route::Bot, Some(reply), _) => match (&reply.article_id, reply.article_version) {
            (Some(id), Some(v)) => sentences.push(
                t.bot_answer
                    .replace("{article}", id)
                    .replace("{version}", &v.to_string()),
            ),
            _ => sentences.push(t.clarify.clone()),
        },
        (_, _, Some(reason)) => {
            if let Some(s) = t.reasons.get(reason.as_str()) {
                sentences.push(s.clone());
            }
            sentences.push(t.priority.clone());
        }
        _ => {}
    }
    sentences.push(t.reach_person.clone());
    sentences.push(t.complain.clone());
    CustomerExplanation {
        language: *language,
        text: sentences.join(" "),
        sentences,
    }
}

impl Pipeline {
    /// Explains a decision to staff.
    pub fn explain_for_staff(
        &self,
        decision: &Decision,
        pseudonymised_text: &str,
    ) -> StaffExplanation {
        let intent_features = decision
            .understanding
            .intent
            .as_ref()
            .and_then(|i| i.label.as_deref())
            .and_then(|label| self.intent.explain(pseudonymised_text, label, 10).ok())
            .map(|e| {
                e.contributions
                    .into_iter()
                    .map(|c| FeatureWeight {
                        feature: c.feature,
                        weight: c.weight,
                        start: c.span.start,
                        end: c.span.end,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let p = &self.policy;
        let thresholds = BTreeMap::from([
            (
                "min_intent_confidence",
                f64::from(p.bot.min_intent_confidence),
            ),
            (
                "min_retrieval_confidence",
                f64::from(p.bot.min_retrieval_confidence),
            ),
            (
                "frustration_threshold",
                f64::from(p.escalation.frustration_threshold),
            ),
            ("frustration_rise", f64::from(p.escalation.frustration_rise)),
            ("language_confidence_floor", p.confidence_floor),
        ]);
        StaffExplanation {
            route: decision.route,
            rule: decision.rule.clone(),
            escalation_reason: decision.escalation_reason.map(|r| r.as_str().to_owned()),
            summary: decision.explanation.summary.clone(),
            reasons: decision.explanation.reasons.clone(),
            intent_features,
            thresholds,
            versions: decision.versions.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candor_core::EscalationReason;

    #[test]
    fn every_language_file_explains_every_escalation_reason() {
        for (lang, t) in texts() {
            for reason in EscalationReason::ALL {
                assert!(
                    t.reasons.contains_key(reason.as_str()),
                    "explanations/{lang}.toml lacks reasons.{reason}"
                );
            }
            assert!(t.understood_intent.contains("{intent}"), "{lang}");
            assert!(t.bot_answer.contains("{article}"), "{lang}");
        }
        assert_eq!(explanation_languages().len(), 4);
    }
}
