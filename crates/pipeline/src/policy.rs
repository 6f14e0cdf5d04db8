//! The policy: `policy.toml`, validated before anything runs.
//!
//! It says which languages are served, when the bot may answer (bot-answerable intents and
//! confidence thresholds), when a person must (always-human intents and terms, frustration
//! threshold), the service level of each intent, the texts the bot must use in each language,
//! and an ordered list of rules that can send messages to a person before any AI decision.
//! Validation reports every problem at once, not just the first.

use std::collections::{BTreeMap, HashSet};

use candor_core::{Channel, Lang};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::service::Purpose;

/// The policy Candor ships.
pub const DEFAULT_POLICY: &str = include_str!("../../../policy.toml");

/// `policy.toml` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    /// Languages and how sure language identification must be.
    pub languages: LanguagesConfig,
    /// Routing rules, first match wins.
    #[serde(default)]
    pub rules: Vec<RuleConfig>,
    /// When the bot may answer.
    pub bot: BotConfig,
    /// When a person must answer.
    pub escalation: EscalationConfig,
    /// Service levels for the queue priority.
    pub priority: PriorityConfig,
    /// Complaints about AI decisions.
    pub complaints: ComplaintsConfig,
    /// Consent defaults and the policy text customers consent to.
    pub consent: ConsentConfig,
    /// The texts the bot uses, per language code.
    pub texts: BTreeMap<String, TextsConfig>,
    /// Limits of the fairness checks.
    #[serde(default)]
    pub fairness: FairnessConfig,
    /// Retention in days per data class; a class left out is kept until erased.
    #[serde(default)]
    pub retention: BTreeMap<String, u32>,
    /// Personal data: recognisers declared here run beside the built-in ones.
    #[serde(default)]
    pub pii: PiiConfig,
}

/// The `[pii]` table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PiiConfig {
    /// `[[pii.custom]]`: the contact centre's own identifiers (customer numbers, order
    /// numbers), see `docs/specs/pii.md`.
    #[serde(default)]
    pub custom: Vec<candor_pii::CustomConfig>,
    /// How far one numbering of pseudonyms reaches: `conversation` (the default) or
    /// `customer`, see `docs/specs/privacy.md`.
    #[serde(default)]
    pub pseudonym_scope: Option<String>,
}

/// The `[fairness]` table: the counterfactual probes' flip-rate limit and the group audits'
/// alert limits. Every key is optional; the defaults are the fairness crate's
/// ([`candor_fairness::AuditConfig::default`]).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FairnessConfig {
    /// The largest share of counterfactual variants (name, place, tenure, formality, typo) whose
    /// route, priority band, intent or bot answer may differ from their probe's; `candor audit
    /// fairness --probe` fails above it.
    pub max_flip_rate: f64,
    /// Groups with fewer decisions in a group audit are listed but not judged.
    pub min_group_size: usize,
    /// A group audit alerts when a group's rate over the highest group's is below this (the
    /// four-fifths rule at 0.8).
    pub min_ratio: f64,
    /// A group audit alerts when two groups' rates differ by more than this.
    pub max_difference: f64,
    /// A group audit alerts when the shortest mean wait for a person over the longest is below
    /// this.
    pub min_wait_ratio: f64,
}

impl Default for FairnessConfig {
    fn default() -> Self {
        let audit = candor_fairness::AuditConfig::default();
        FairnessConfig {
            max_flip_rate: 0.02,
            min_group_size: audit.min_group_size,
            min_ratio: audit.min_ratio,
            max_difference: audit.max_difference,
            min_wait_ratio: audit.min_wait_ratio,
        }
    }
}

impl FairnessConfig {
    /// The group audits' limits: the scheduled audits, `GET /v1/fairness/report` and `candor
    /// audit fairness --since` all audit with these.
    pub fn audit_config(&self) -> candor_fairness::AuditConfig {
        candor_fairness::AuditConfig {
            min_group_size: self.min_group_size,
            min_ratio: self.min_ratio,
            max_difference: self.max_difference,
            min_wait_ratio: self.min_wait_ratio,
            ..candor_fairness::AuditConfig::default()
        }
    }

    /// Adds a problem for every value out of range.
    fn validate(&self, problems: &mut Vec<String>) {
        for (key, value) in [
            ("max_flip_rate", self.max_flip_rate),
            ("min_ratio", self.min_ratio),
            ("max_difference", self.max_difference),
            ("min_wait_ratio", self.min_wait_ratio),
        ] {
            if !(0.0..=1.0).contains(&value) {
                problems.push(format!(
                    "fairness.{key} must be between 0 and 1, got {value}"
                ));
            }
        }
        if self.min_group_size == 0 {
            problems.push("fairness.min_group_size must be at least 1".to_owned());
        }
    }
}

/// The `[bot]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BotConfig {
    /// Whether the bot answers at all.
    pub enabled: bool,
    /// Intents the bot may answer from the knowledge base.
    pub answerable_intents: Vec<String>,
    /// The intent classifier's confidence needed before the bot answers.
    pub min_intent_confidence: f32,
    /// The knowledge base's retrieval confidence needed before the bot answers.
    pub min_retrieval_confidence: f32,
    /// Clarifying questions the bot may ask in a conversation before a person takes over.
    pub max_clarifying_questions: u32,
}

/// The `[escalation]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationConfig {
    /// At or above this frustration score a person takes over.
    pub frustration_threshold: f32,
    /// A rise of at least this much since the conversation's first message also hands over.
    pub frustration_rise: f32,
    /// Intents that always go to a person.
    pub always_human_intents: Vec<String>,
    /// Words or phrases, per language code, that always send a message to a person (fraud,
    /// bereavement, vulnerability). Matched case-insensitively on word boundaries.
    #[serde(default)]
    pub always_human_terms: BTreeMap<String, Vec<String>>,
}

/// The `[priority]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorityConfig {
    /// The service level, in minutes, of intents not listed.
    pub default_service_level_minutes: u32,
    /// Service level in minutes per intent.
    #[serde(default)]
    pub service_levels: BTreeMap<String, u32>,
}

/// The `[complaints]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComplaintsConfig {
    /// The role that owns new complaints: `supervisor` or `ai_officer`.
    pub owner: String,
    /// Days until a complaint is due.
    pub due_days: u32,
}

/// The `[consent]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentConfig {
    /// Per purpose (`ai_triage`, `ai_answers`, `analytics`, `model_training`): whether it
    /// counts as granted for a customer who never said otherwise. Every purpose needs one.
    pub defaults: BTreeMap<String, bool>,
    /// The version of the policy text customers see; recorded with every consent change.
    pub policy_text_version: String,
}

impl ConsentConfig {
    /// The default of a purpose (validation guarantees there is one).
    pub fn default_for(&self, purpose: Purpose) -> bool {
        self.defaults
            .get(purpose.as_str())
            .copied()
            .unwrap_or(false)
    }
}

/// One `[texts.<lang>]` table: what the bot says, in that language.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextsConfig {
    /// Appended to every AI-written reply: that an AI wrote it and how to reach a person.
    pub ai_disclosure: String,
    /// Sent when a person takes over.
    pub handoff: String,
    /// The one clarifying question the bot may ask.
    pub clarify: String,
    /// Confirms that the customer will get no more AI answers.
    pub opt_out_confirmed: String,
    /// Confirms that a complaint was filed.
    pub complaint_filed: String,
}

/// The `[languages]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguagesConfig {
    /// ISO 639-1 codes of the languages messages may be in.
    pub supported: Vec<String>,
    /// Below this confidence the language is "unknown".
    pub confidence_floor: f64,
}

/// One `[[rules]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    /// A unique name, recorded in every decision the rule makes.
    pub name: String,
    /// Why the rule exists, in plain language; shown in explanations.
    pub description: String,
    /// Where matching messages go.
    pub route: String,
    /// Conditions; all must hold. None means the rule always matches.
    #[serde(default)]
    pub when: Option<WhenConfig>,
}

/// The conditions of a rule.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct WhenConfig {
    /// The message arrived on one of these channels.
    pub channels: Option<Vec<String>>,
    /// The message's language is one of these (`unknown` matches an unidentified language).
    pub languages: Option<Vec<String>>,
    /// `true`: the message contains personal data; `false`: it does not.
    pub contains_pii: Option<bool>,
}

/// A validated policy.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Supported languages.
    pub languages: Vec<Lang>,
    /// Language confidence floor.
    pub confidence_floor: f64,
    /// Rules in order.
    pub rules: Vec<Rule>,
    /// When the bot may answer.
    pub bot: BotConfig,
    /// When a person must answer.
    pub escalation: EscalationConfig,
    /// Service levels.
    pub priority: PriorityConfig,
    /// Complaints.
    pub complaints: ComplaintsConfig,
    /// Consent defaults.
    pub consent: ConsentConfig,
    /// Texts per language (every supported language has one).
    pub texts: BTreeMap<Lang, TextsConfig>,
    /// Fairness limits.
    pub fairness: FairnessConfig,
    /// Retention per data class.
    pub retention: crate::retention::Retention,
    /// The recognisers declared in `[[pii.custom]]`, built and checked.
    pub custom_recognisers: Vec<candor_pii::CustomRecognizer>,
    /// Whether new conversations number pseudonyms on their own or with the customer's other
    /// conversations.
    pub pseudonym_scope: candor_store::PseudonymScope,
    /// Content hash of the policy text: `sha256:` and 16 hex digits.
    pub version: String,
}

/// A validated rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Its name.
    pub name: String,
    /// Why it exists.
    pub description: String,
    /// What it does.
    pub route: RuleRoute,
    /// Channels it applies to (`None`: all).
    pub channels: Option<Vec<Channel>>,
    /// Languages it applies to (`None`: all; `Some(None)` inside: unknown).
    pub languages: Option<Vec<Option<Lang>>>,
    /// Whether it applies to messages with or without personal data (`None`: both).
    pub contains_pii: Option<bool>,
}

/// What a matching rule does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleRoute {
    /// Send the message to a person, before any AI decision.
    Human,
    /// Let Candor decide: the bot answers when it can, a person otherwise.
    Auto,
}

impl std::str::FromStr for RuleRoute {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "human" => Ok(RuleRoute::Human),
            "auto" => Ok(RuleRoute::Auto),
            other => Err(format!(
                "`{other}` is not a rule route (expected `human` or `auto`)"
            )),
        }
    }
}

/// What a rule may look at.
#[derive(Debug, Clone, Copy)]
pub struct RuleInput {
    /// The channel.
    pub channel: Channel,
    /// The identified language.
    pub language: Option<Lang>,
    /// Whether personal data was found.
    pub contains_pii: bool,
}

impl Rule {
    /// Whether every condition of the rule holds.
    pub fn matches(&self, input: &RuleInput) -> bool {
        self.channels
            .as_ref()
            .is_none_or(|c| c.contains(&input.channel))
            && self
                .languages
                .as_ref()
                .is_none_or(|l| l.contains(&input.language))
            && self.contains_pii.is_none_or(|p| p == input.contains_pii)
    }

    fn is_unconditional(&self) -> bool {
        self.channels.is_none() && self.languages.is_none() && self.contains_pii.is_none()
    }
}

/// A policy that cannot be used, with every problem found.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid policy:\n  - {}", problems.join("\n  - "))]
pub struct PolicyError {
    /// Each problem, naming the rule or key.
    pub problems: Vec<String>,
}

impl Policy {
    /// Parses and validates policy text.
    ///
    /// # Errors
    ///
    /// Every problem found: TOML syntax and unknown keys (reported by the parser, which stops
    /// at the first), then every semantic problem at once.
    pub fn parse(text: &str) -> Result<Policy, PolicyError> {
        let config: PolicyConfig = toml::from_str(text).map_err(|e| PolicyError {
            problems: vec![e.to_string().trim_end().to_owned()],
        })?;
        let version = format!(
            "sha256:{}",
            &hex::encode(Sha256::digest(text.as_bytes()))[..16]
        );
        Policy::validate(config, version)
    }

    fn validate(config: PolicyConfig, version: String) -> Result<Policy, PolicyError> {
        let mut problems = Vec::new();
        let mut languages = Vec::new();
        for code in &config.languages.supported {
            match code.parse::<Lang>() {
                Ok(l) => languages.push(l),
                Err(e) => problems.push(format!("languages.supported: {e}")),
            }
        }
        if !(0.0..=1.0).contains(&config.languages.confidence_floor) {
            problems.push(format!(
                "languages.confidence_floor must be between 0 and 1, got {}",
                config.languages.confidence_floor
            ));
        }
        if config.rules.is_empty() {
            problems.push("at least one [[rules]] entry is needed".to_owned());
        }

        let mut names = HashSet::new();
        let mut rules = Vec::new();
        for (i, r) in config.rules.iter().enumerate() {
            let at = if r.name.is_empty() {
                format!("rules[{i}]")
            } else {
                format!("rule `{}`", r.name)
            };
            if r.name.trim().is_empty() {
                problems.push(format!("{at}: name must not be empty"));
            } else if !names.insert(r.name.as_str()) {
                problems.push(format!("{at}: name is used by more than one rule"));
            }
            if r.description.trim().is_empty() {
                problems.push(format!(
                    "{at}: description must not be empty (it is shown in explanations)"
                ));
            }
            let route = r
                .route
                .parse::<RuleRoute>()
                .map_err(|e| problems.push(format!("{at}: {e}")))
                .ok();
            let when = r.when.clone().unwrap_or_default();
            let channels = when.channels.map(|cs| {
                cs.iter()
                    .filter_map(|c| {
                        c.parse::<Channel>()
                            .map_err(|e| problems.push(format!("{at}: when.channels: {e}")))
                            .ok()
                    })
                    .collect::<Vec<_>>()
            });
            let rule_languages = when.languages.map(|ls| {
                ls.iter()
                    .filter_map(|l| {
                        if l == "unknown" {
                            return Some(None);
                        }
                        match l.parse::<Lang>() {
                            Ok(lang) if languages.contains(&lang) => Some(Some(lang)),
                            Ok(lang) => {
                                problems.push(format!(
                                    "{at}: when.languages: `{lang}` is not in languages.supported"
                                ));
                                None
                            }
                            Err(e) => {
                                problems.push(format!("{at}: when.languages: {e}"));
                                None
                            }
                        }
                    })
                    .collect::<Vec<_>>()
            });
            for (key, empty) in [
                ("channels", channels.as_ref().is_some_and(Vec::is_empty)),
                (
                    "languages",
                    rule_languages.as_ref().is_some_and(Vec::is_empty),
                ),
            ] {
                if empty {
                    problems.push(format!(
                        "{at}: when.{key} is empty, so the rule can never match"
                    ));
                }
            }
            if let Some(route) = route {
                rules.push(Rule {
                    name: r.name.clone(),
                    description: r.description.clone(),
                    route,
                    channels,
                    languages: rule_languages,
                    contains_pii: when.contains_pii,
                });
            }
        }
        if let Some(pos) = rules.iter().position(Rule::is_unconditional) {
            for unreachable in &rules[pos + 1..] {
                problems.push(format!(
                    "rule `{}` can never match: rule `{}` before it matches every message",
                    unreachable.name, rules[pos].name
                ));
            }
        } else if !rules.is_empty() {
            problems.push(
                "the last rule must have no `when` conditions, so that every message gets a route"
                    .to_owned(),
            );
        }

        validate_service(&config, &languages, &mut problems);
        let custom_recognisers =
            candor_pii::custom::build(&config.pii.custom).unwrap_or_else(|e| {
                problems.extend(e.problems);
                Vec::new()
            });
        let retention = crate::retention::Retention::from_config(&config.retention, &mut problems);
        let pseudonym_scope = match config.pii.pseudonym_scope.as_deref() {
            None => candor_store::PseudonymScope::default(),
            Some(name) => candor_store::PseudonymScope::parse(name).unwrap_or_else(|| {
                problems.push(format!(
                    "pii.pseudonym_scope must be \"conversation\" or \"customer\", got {name:?}"
                ));
                candor_store::PseudonymScope::default()
            }),
        };
        let mut texts = BTreeMap::new();
        for (code, t) in &config.texts {
            match code.parse::<Lang>() {
                Ok(l) => {
                    texts.insert(l, t.clone());
                }
                Err(e) => problems.push(format!("texts.{code}: {e}")),
            }
        }

        if problems.is_empty() {
            Ok(Policy {
                languages,
                confidence_floor: config.languages.confidence_floor,
                rules,
                bot: config.bot,
                escalation: config.escalation,
                priority: config.priority,
                complaints: config.complaints,
                consent: config.consent,
                texts,
                fairness: config.fairness,
                retention,
                custom_recognisers,
                pseudonym_scope,
                version,
            })
        } else {
            Err(PolicyError { problems })
        }
    }

    /// The texts for a language; English, or the first configured language, when the language
    /// is unknown or has none.
    pub fn texts(&self, lang: Option<Lang>) -> (Lang, &TextsConfig) {
        lang.and_then(|l| self.texts.get_key_value(&l))
            .or_else(|| self.texts.get_key_value(&Lang::EN))
            .or_else(|| self.texts.iter().next())
            .map(|(l, t)| (*l, t))
            .expect("a validated policy has texts for every supported language")
    }

    /// The service level of an intent, in minutes.
    pub fn service_level_minutes(&self, intent: Option<&str>) -> u32 {
        intent
            .and_then(|i| self.priority.service_levels.get(i).copied())
            .unwrap_or(self.priority.default_service_level_minutes)
    }

    /// The first rule that matches.
    pub fn route(&self, input: &RuleInput) -> &Rule {
        // Validation guarantees an unconditional last rule, so some rule always matches.
        self.rules
            .iter()
            .find(|r| r.matches(input))
            .unwrap_or_else(|| self.rules.last().expect("a validated policy has rules"))
    }
}

/// The checks of the `[bot]`, `[escalation]`, `[priority]`, `[complaints]` and `[texts]`
/// tables.
fn validate_service(config: &PolicyConfig, languages: &[Lang], problems: &mut Vec<String>) {
    let unit = |key: &str, v: f32, problems: &mut Vec<String>| {
        if !(0.0..=1.0).contains(&v) {
            problems.push(format!("{key} must be between 0 and 1, got {v}"));
        }
    };
    unit(
        "bot.min_intent_confidence",
        config.bot.min_intent_confidence,
        problems,
    );
    unit(
        "bot.min_retrieval_confidence",
        config.bot.min_retrieval_confidence,
        problems,
    );
    unit(
        "escalation.frustration_threshold",
        config.escalation.frustration_threshold,
        problems,
    );
    unit(
        "escalation.frustration_rise",
        config.escalation.frustration_rise,
        problems,
    );
    for intent in &config.bot.answerable_intents {
        if config.escalation.always_human_intents.contains(intent) {
            problems.push(format!(
                "intent `{intent}` is both in bot.answerable_intents and escalation.always_human_intents"
            ));
        }
        if intent.trim().is_empty() {
            problems.push("bot.answerable_intents: an intent name is empty".to_owned());
        }
    }
    for code in config.escalation.always_human_terms.keys() {
        if let Err(e) = code.parse::<Lang>() {
            problems.push(format!("escalation.always_human_terms.{code}: {e}"));
        }
    }
    for (code, terms) in &config.escalation.always_human_terms {
        if terms.iter().any(|t| t.trim().is_empty()) {
            problems.push(format!(
                "escalation.always_human_terms.{code}: a term is empty"
            ));
        }
    }
    config.fairness.validate(problems);
    if config.priority.default_service_level_minutes == 0 {
        problems.push("priority.default_service_level_minutes must be at least 1".to_owned());
    }
    for (intent, minutes) in &config.priority.service_levels {
        if *minutes == 0 {
            problems.push(format!(
                "priority.service_levels.{intent} must be at least 1 minute"
            ));
        }
    }
    if !["supervisor", "ai_officer"].contains(&config.complaints.owner.as_str()) {
        problems.push(format!(
            "complaints.owner must be `supervisor` or `ai_officer`, got `{}`",
            config.complaints.owner
        ));
    }
    if config.complaints.due_days == 0 {
        problems.push("complaints.due_days must be at least 1".to_owned());
    }
    for purpose in config.consent.defaults.keys() {
        if Purpose::parse(purpose).is_none() {
            problems.push(format!(
                "consent.defaults.{purpose}: unknown purpose (known: {})",
                Purpose::ALL.map(|p| p.as_str()).join(", ")
            ));
        }
    }
    for purpose in Purpose::ALL {
        if !config.consent.defaults.contains_key(purpose.as_str()) {
            problems.push(format!(
                "consent.defaults.{} is missing: every purpose needs a default",
                purpose.as_str()
            ));
        }
    }
    if config.consent.policy_text_version.trim().is_empty() {
        problems.push("consent.policy_text_version must not be empty".to_owned());
    }
    for lang in languages {
        match config.texts.get(lang.code()) {
            None => problems.push(format!(
                "texts.{lang} is missing: every supported language needs the bot's texts"
            )),
            Some(t) => {
                for (key, text) in [
                    ("ai_disclosure", &t.ai_disclosure),
                    ("handoff", &t.handoff),
                    ("clarify", &t.clarify),
                    ("opt_out_confirmed", &t.opt_out_confirmed),
                    ("complaint_filed", &t.complaint_filed),
                ] {
                    if text.trim().is_empty() {
                        problems.push(format!("texts.{lang}.{key} must not be empty"));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The service tables every test policy needs, for languages da and en.
    const SERVICE: &str = r#"
        [bot]
        enabled = true
        answerable_intents = ["track_order"]
        min_intent_confidence = 0.5
        min_retrieval_confidence = 0.5
        max_clarifying_questions = 1
        [escalation]
        frustration_threshold = 0.6
        frustration_rise = 0.3
        always_human_intents = ["complaint"]
        [priority]
        default_service_level_minutes = 480
        [complaints]
        owner = "ai_officer"
        due_days = 14
        [consent]
        defaults = { ai_triage = true, ai_answers = true, analytics = false, model_training = false }
        policy_text_version = "test-1"
        [texts.da]
        ai_disclosure = "AI"
        handoff = "h"
        clarify = "c"
        opt_out_confirmed = "o"
        complaint_filed = "f"
        [texts.en]
        ai_disclosure = "AI"
        handoff = "h"
        clarify = "c"
        opt_out_confirmed = "o"
        complaint_filed = "f"
    "#;

    fn with_service(head: &str) -> String {
        format!("{head}\n{SERVICE}")
    }

    #[test]
    fn the_shipped_policy_is_valid() {
        let policy = Policy::parse(DEFAULT_POLICY).unwrap();
        assert_eq!(
            policy.languages,
            vec![Lang::DA, Lang::NL, Lang::DE, Lang::EN]
        );
        let chat = RuleInput {
            channel: Channel::Chat,
            language: None,
            contains_pii: true,
        };
        assert_eq!(policy.route(&chat).route, RuleRoute::Auto);
        let voice = RuleInput {
            channel: Channel::Voice,
            ..chat
        };
        assert_eq!(policy.route(&voice).route, RuleRoute::Human);
        assert!(policy.version.starts_with("sha256:"));
        for lang in &policy.languages {
            assert_eq!(policy.texts(Some(*lang)).0, *lang);
        }
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let text = r#"
            [languages]
            supported = ["da", "Danish"]
            confidence_floor = 1.5
            [[rules]]
            name = "a"
            description = ""
            route = "bot_answer"
            [rules.when]
            channels = ["fax"]
            languages = ["sv"]
            [[rules]]
            name = "a"
            description = "catch-all"
            route = "human"
            [[rules]]
            name = "b"
            description = "never reached"
            route = "auto"
            [bot]
            enabled = true
            answerable_intents = ["complaint"]
            min_intent_confidence = 2.0
            min_retrieval_confidence = 0.5
            max_clarifying_questions = 1
            [escalation]
            frustration_threshold = 0.6
            frustration_rise = 0.3
            always_human_intents = ["complaint"]
            [priority]
            default_service_level_minutes = 0
            [complaints]
            owner = "intern"
            due_days = 14
            [consent]
            defaults = { ai_triage = true, ai_answers = true, analytics = false, model_training = false, marketing = true }
            policy_text_version = "1"
            [texts.da]
            ai_disclosure = " "
            handoff = "h"
            clarify = "c"
            opt_out_confirmed = "o"
            complaint_filed = "f"
        "#;
        let err = Policy::parse(text).unwrap_err();
        let all = err.problems.join("\n");
        for expected in [
            "`Danish` is not an ISO 639-1 language code",
            "confidence_floor must be between 0 and 1",
            "description must not be empty",
            "`bot_answer` is not a rule route",
            "`fax` is not a channel",
            "`sv` is not in languages.supported",
            "name is used by more than one rule",
            "rule `b` can never match",
            "bot.min_intent_confidence must be between 0 and 1",
            "`complaint` is both in bot.answerable_intents and escalation.always_human_intents",
            "priority.default_service_level_minutes must be at least 1",
            "complaints.owner must be `supervisor` or `ai_officer`",
            "texts.da.ai_disclosure must not be empty",
            "consent.defaults.marketing: unknown purpose",
        ] {
            assert!(all.contains(expected), "missing `{expected}` in:\n{all}");
        }
    }

    #[test]
    fn custom_recognisers_are_built_and_every_problem_reported() {
        let with = |tables: &str| format!("{DEFAULT_POLICY}\n{tables}");
        let policy = Policy::parse(&with(
            "[[pii.custom]]\nname = \"CUSTOMER_NUMBER\"\npattern = 'CUST-\\d{6}'\ncontext = [\"kundenummer\"]\n",
        ))
        .unwrap();
        assert_eq!(policy.custom_recognisers.len(), 1);
        assert_eq!(
            policy.custom_recognisers[0].kind().as_str(),
            "CUSTOMER_NUMBER"
        );
        let err = Policy::parse(&with(
            "[[pii.custom]]\nname = \"\"\npattern = '(x'\nchecksum = \"crc\"\n",
        ))
        .unwrap_err();
        assert_eq!(err.problems.len(), 3, "{err}");
        assert!(
            Policy::parse(DEFAULT_POLICY)
                .unwrap()
                .custom_recognisers
                .is_empty()
        );
    }

    #[test]
    fn pseudonym_scope_defaults_to_the_conversation_and_rejects_other_names() {
        use candor_store::PseudonymScope;
        let with = |tables: &str| format!("{DEFAULT_POLICY}\n{tables}");
        assert_eq!(
            Policy::parse(DEFAULT_POLICY).unwrap().pseudonym_scope,
            PseudonymScope::Conversation
        );
        for (name, scope) in [
            ("conversation", PseudonymScope::Conversation),
            ("customer", PseudonymScope::Customer),
        ] {
            let policy =
                Policy::parse(&with(&format!("[pii]\npseudonym_scope = \"{name}\"\n"))).unwrap();
            assert_eq!(policy.pseudonym_scope, scope);
        }
        // Reported with the other problems, not as the first one only.
        let err = Policy::parse(&with(
            "[pii]\npseudonym_scope = \"tenant\"\n[[pii.custom]]\nname = \"\"\npattern = 'x'\n",
        ))
        .unwrap_err();
        assert!(
            err.problems
                .iter()
                .any(|p| p.contains("pii.pseudonym_scope") && p.contains("\"tenant\"")),
            "{err}"
        );
        assert_eq!(err.problems.len(), 2, "{err}");
    }

    #[test]
    fn consent_defaults_name_every_known_purpose_and_only_those() {
        let head = "[languages]\nsupported = [\"da\", \"en\"]\nconfidence_floor = 0.5\n[[rules]]\nname = \"all\"\ndescription = \"d\"\nroute = \"auto\"\n";
        let policy = Policy::parse(&with_service(head)).unwrap();
        assert!(policy.consent.default_for(Purpose::AiTriage));
        assert!(!policy.consent.default_for(Purpose::ModelTraining));
        assert_eq!(policy.consent.policy_text_version, "test-1");

        let bad = with_service(head).replace(
            "analytics = false, model_training = false }",
            "analytcs = false, model_training = false }",
        );
        let problems = Policy::parse(&bad).unwrap_err().problems;
        assert!(
            problems
                .iter()
                .any(|p| p.contains("consent.defaults.analytcs: unknown purpose")),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("consent.defaults.analytics is missing")),
            "{problems:?}"
        );
        let empty = with_service(head).replace("\"test-1\"", "\" \"");
        assert!(Policy::parse(&empty).unwrap_err().problems[0].contains("policy_text_version"));
    }

    #[test]
    fn the_fairness_limit_is_optional_and_checked() {
        assert_eq!(
            Policy::parse(DEFAULT_POLICY)
                .unwrap()
                .fairness
                .max_flip_rate,
            0.02
        );
        let head = r#"
            [languages]
            supported = ["da", "en"]
            confidence_floor = 0.5
            [[rules]]
            name = "rest"
            description = "y"
            route = "auto"
        "#;
        let without = with_service(head);
        assert_eq!(
            Policy::parse(&without).unwrap().fairness.max_flip_rate,
            0.02
        );
        let bad = format!("{without}\n[fairness]\nmax_flip_rate = 1.5\n");
        let all = Policy::parse(&bad).unwrap_err().problems.join("\n");
        assert!(
            all.contains("fairness.max_flip_rate must be between 0 and 1"),
            "{all}"
        );
    }

    #[test]
    fn the_group_audit_limits_default_to_the_fairness_crate_and_can_be_set() {
        let shipped = Policy::parse(DEFAULT_POLICY).unwrap().fairness;
        assert_eq!(
            shipped.audit_config(),
            candor_fairness::AuditConfig::default()
        );
        let head = r#"
            [languages]
            supported = ["da", "en"]
            confidence_floor = 0.5
            [[rules]]
            name = "rest"
            description = "y"
            route = "auto"
        "#;
        let without = with_service(head);
        let strict = format!(
            "{without}\n[fairness]\nmin_group_size = 5\nmin_ratio = 0.9\nmax_difference = 0.05\nmin_wait_ratio = 0.95\n"
        );
        let limits = Policy::parse(&strict).unwrap().fairness.audit_config();
        assert_eq!(limits.min_group_size, 5);
        assert_eq!(limits.min_ratio, 0.9);
        assert_eq!(limits.max_difference, 0.05);
        assert_eq!(limits.min_wait_ratio, 0.95);
    }

    #[test]
    fn every_out_of_range_fairness_limit_is_reported_at_once() {
        let head = r#"
            [languages]
            supported = ["da", "en"]
            confidence_floor = 0.5
            [[rules]]
            name = "rest"
            description = "y"
            route = "auto"
        "#;
        let bad = format!(
            "{}\n[fairness]\nmin_group_size = 0\nmin_ratio = 1.2\nmax_difference = -0.1\nmin_wait_ratio = nan\n",
            with_service(head)
        );
        let problems = Policy::parse(&bad).unwrap_err().problems;
        for key in ["min_ratio", "max_difference", "min_wait_ratio"] {
            assert!(
                problems
                    .iter()
                    .any(|p| p.contains(&format!("fairness.{key} must be between 0 and 1"))),
                "{key}: {problems:?}"
            );
        }
        assert!(
            problems
                .iter()
                .any(|p| p.contains("fairness.min_group_size must be at least 1")),
            "{problems:?}"
        );
        let unknown = format!("{}\n[fairness]\nfour_fifths = 0.8\n", with_service(head));
        let e = Policy::parse(&unknown).unwrap_err().problems.join("\n");
        assert!(e.contains("four_fifths"), "{e}");
    }

    #[test]
    fn a_supported_language_without_texts_is_an_error() {
        let text = with_service(
            r#"
            [languages]
            supported = ["da", "en", "nl"]
            confidence_floor = 0.5
            [[rules]]
            name = "rest"
            description = "y"
            route = "auto"
        "#,
        );
        let all = Policy::parse(&text).unwrap_err().problems.join("\n");
        assert!(all.contains("texts.nl is missing"), "{all}");
    }

    #[test]
    fn unknown_keys_and_missing_catch_all_are_errors() {
        let typo = "[languages]\nsupported=[\"da\",\"en\"]\nconfidence_floor=0.5\nconfidance=1\n";
        assert!(Policy::parse(typo).unwrap_err().problems[0].contains("confidance"));
        let no_catch_all = with_service(
            r#"
            [languages]
            supported = ["da", "en"]
            confidence_floor = 0.5
            [[rules]]
            name = "email-only"
            description = "e-mail to people"
            route = "human"
            when = { channels = ["email"] }
        "#,
        );
        assert!(
            Policy::parse(&no_catch_all).unwrap_err().problems[0]
                .contains("last rule must have no `when`")
        );
    }

    #[test]
    fn conditions_select_the_first_matching_rule() {
        let text = with_service(
            r#"
            [languages]
            supported = ["da", "en"]
            confidence_floor = 0.5
            [[rules]]
            name = "unknown-language-with-pii"
            description = "x"
            route = "human"
            when = { languages = ["unknown"], contains_pii = true }
            [[rules]]
            name = "rest"
            description = "y"
            route = "auto"
        "#,
        );
        let p = Policy::parse(&text).unwrap();
        let hit = RuleInput {
            channel: Channel::Api,
            language: None,
            contains_pii: true,
        };
        let miss = RuleInput {
            channel: Channel::Api,
            language: Some(Lang::DA),
            contains_pii: true,
        };
        assert_eq!(p.route(&hit).name, "unknown-language-with-pii");
        assert_eq!(p.route(&miss).name, "rest");
    }
}
