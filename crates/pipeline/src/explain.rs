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
use crate::retention::{Retention, RetentionClass};

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
    policy_page: PolicyPageTexts,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyPageTexts {
    title: String,
    #[serde(rename = "where")]
    where_ai: String,
    data: String,
    purposes: String,
    retention: String,
    /// One class with a period: `{class}` and `{days}`.
    retention_period: String,
    /// One class kept until erased: `{class}`.
    retention_kept: String,
    /// The name of each retention class, for customers.
    retention_classes: BTreeMap<String, String>,
    decisions: String,
    opt_out: String,
    reach_person: String,
    complain: String,
    responsible: String,
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

/// Every class with its period, or that it is kept until erased, in the page's language.
fn retention_periods(page: &PolicyPageTexts, retention: &Retention) -> String {
    RetentionClass::ALL
        .into_iter()
        .map(|c| {
            let name = page
                .retention_classes
                .get(c.as_str())
                .map_or(c.as_str(), String::as_str);
            match retention.days(c) {
                Some(days) => page
                    .retention_period
                    .replace("{class}", name)
                    .replace("{days}", &days.to_string()),
                None => page.retention_kept.replace("{class}", name),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The published AI policy, generated from the running configuration.
#[derive(Debug, Clone, Serialize)]
pub struct AiPolicy {
    /// The language it is written in.
    pub language: Lang,
    /// Its title.
    pub title: String,
    /// `(key, text)` sections in order: where, data, purposes, retention, decisions, opt_out,
    /// reach_person, complain, responsible.
    pub sections: Vec<(&'static str, String)>,
    /// The facts the text is made from, for machines.
    pub facts: AiPolicyFacts,
}

/// The facts behind the published AI policy.
#[derive(Debug, Clone, Serialize)]
pub struct AiPolicyFacts {
    /// Languages served.
    pub languages: Vec<Lang>,
    /// Whether the bot answers at all.
    pub bot_enabled: bool,
    /// Intents the bot may answer.
    pub bot_answerable_intents: Vec<String>,
    /// Intents that always go to a person.
    pub always_human_intents: Vec<String>,
    /// Confidence and frustration thresholds.
    pub thresholds: BTreeMap<&'static str, f64>,
    /// Consent defaults per purpose.
    pub consent_defaults: BTreeMap<String, bool>,
    /// The version of the policy text customers consent to.
    pub policy_text_version: String,
    /// Who owns complaints, and in how many days they are due.
    pub complaint_owner: String,
    /// Days until a complaint is due.
    pub complaint_due_days: u32,
    /// Retention in days per data class (every class); `None`: kept until erased.
    pub retention_days: BTreeMap<&'static str, Option<u32>>,
    /// The versions in force.
    pub versions: BTreeMap<&'static str, String>,
}

impl Pipeline {
    /// The AI policy as it is in force, in `lang` (a language the explanations are written
    /// in; English otherwise).
    pub fn ai_policy(&self, lang: Lang) -> AiPolicy {
        let all = texts();
        let (language, t) = all
            .get_key_value(&lang)
            .or_else(|| all.get_key_value(&Lang::EN))
            .expect("English explanations are shipped");
        let p = &self.policy;
        let page = &t.policy_page;
        let intents: Vec<String> = p
            .bot
            .answerable_intents
            .iter()
            .map(|i| intent_words(i))
            .collect();
        let purposes: Vec<&str> = p.consent.defaults.keys().map(String::as_str).collect();
        let disclosure = p.texts(Some(*language)).1.ai_disclosure.clone();
        let sections = vec![
            (
                "where",
                page.where_ai.replace("{intents}", &intents.join(", ")),
            ),
            ("data", page.data.clone()),
            (
                "purposes",
                page.purposes.replace("{purposes}", &purposes.join(", ")),
            ),
            (
                "retention",
                page.retention
                    .replace("{periods}", &retention_periods(page, &p.retention)),
            ),
            ("decisions", page.decisions.clone()),
            ("opt_out", page.opt_out.clone()),
            (
                "reach_person",
                page.reach_person.replace("{disclosure}", &disclosure),
            ),
            (
                "complain",
                page.complain
                    .replace("{owner}", &p.complaints.owner)
                    .replace("{days}", &p.complaints.due_days.to_string()),
            ),
            (
                "responsible",
                page.responsible.replace("{version}", &p.version),
            ),
        ];
        let facts = AiPolicyFacts {
            languages: p.languages.clone(),
            bot_enabled: p.bot.enabled,
            bot_answerable_intents: p.bot.answerable_intents.clone(),
            always_human_intents: p.escalation.always_human_intents.clone(),
            thresholds: BTreeMap::from([
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
            ]),
            consent_defaults: p.consent.defaults.clone(),
            policy_text_version: p.consent.policy_text_version.clone(),
            complaint_owner: p.complaints.owner.clone(),
            complaint_due_days: p.complaints.due_days,
            retention_days: RetentionClass::ALL
                .into_iter()
                .map(|c| (c.as_str(), p.retention.days(c)))
                .collect(),
            versions: BTreeMap::from([
                ("policy", p.version.clone()),
                ("pipeline", self.pipeline_version.clone()),
                ("language_model", self.language.version().to_owned()),
                ("intent_model", self.intent_version.clone()),
                ("sentiment_model", self.sentiment.version()),
                ("cues", self.cues.version().to_owned()),
                ("knowledge_base", self.knowledge_base_version()),
            ]),
        };
        AiPolicy {
            language: *language,
            title: page.title.clone(),
            sections,
            facts,
        }
    }

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

    #[test]
    fn every_language_names_every_retention_class_and_its_period() {
        let retention = Retention::from_days([(RetentionClass::MessageOriginals, 30)]);
        for (lang, t) in texts() {
            let page = &t.policy_page;
            for c in RetentionClass::ALL {
                assert!(
                    page.retention_classes.contains_key(c.as_str()),
                    "explanations/{lang}.toml lacks policy_page.retention_classes.{}",
                    c.as_str()
                );
            }
            assert!(page.retention.contains("{periods}"), "{lang}");
            let periods = retention_periods(page, &retention);
            assert!(periods.contains("30"), "{lang}: {periods}");
            assert!(!periods.contains('{'), "{lang}: {periods}");
            assert_eq!(periods.split("; ").count(), 4, "{lang}: {periods}");
        }
    }
}
