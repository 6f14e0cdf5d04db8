//! The routing policy: `policy.toml`, validated before anything runs.
//!
//! A policy is an ordered list of rules; the first rule whose conditions all hold decides the
//! route. The last rule must have no conditions, so every message gets a route. Validation
//! reports every problem at once, not just the first.

use std::collections::HashSet;

use candor_core::{Channel, Lang, Route};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// The policy Candor ships: every message goes to a person.
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
    /// Where it routes.
    pub route: Route,
    /// Channels it applies to (`None`: all).
    pub channels: Option<Vec<Channel>>,
    /// Languages it applies to (`None`: all; `Some(None)` inside: unknown).
    pub languages: Option<Vec<Option<Lang>>>,
    /// Whether it applies to messages with or without personal data (`None`: both).
    pub contains_pii: Option<bool>,
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
                .parse::<Route>()
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

        if problems.is_empty() {
            Ok(Policy {
                languages,
                confidence_floor: config.languages.confidence_floor,
                rules,
                version,
            })
        } else {
            Err(PolicyError { problems })
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_policy_is_valid_and_sends_everything_to_a_person() {
        let policy = Policy::parse(DEFAULT_POLICY).unwrap();
        assert_eq!(
            policy.languages,
            vec![Lang::DA, Lang::NL, Lang::DE, Lang::EN]
        );
        let input = RuleInput {
            channel: Channel::Chat,
            language: None,
            contains_pii: true,
        };
        assert_eq!(policy.route(&input).route, Route::HumanQueue);
        assert!(policy.version.starts_with("sha256:"));
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
            route = "human_queue"
            [[rules]]
            name = "b"
            description = "never reached"
            route = "human_queue"
        "#;
        let err = Policy::parse(text).unwrap_err();
        let all = err.problems.join("\n");
        for expected in [
            "`Danish` is not an ISO 639-1 language code",
            "confidence_floor must be between 0 and 1",
            "description must not be empty",
            "`bot_answer` is not a route",
            "`fax` is not a channel",
            "`sv` is not in languages.supported",
            "name is used by more than one rule",
            "rule `b` can never match",
        ] {
            assert!(all.contains(expected), "missing `{expected}` in:\n{all}");
        }
    }

    #[test]
    fn unknown_keys_and_missing_catch_all_are_errors() {
        let typo = "[languages]\nsupported=[\"da\",\"en\"]\nconfidence_floor=0.5\nconfidance=1\n";
        assert!(Policy::parse(typo).unwrap_err().problems[0].contains("confidance"));
        let no_catch_all = r#"
            [languages]
            supported = ["da", "en"]
            confidence_floor = 0.5
            [[rules]]
            name = "email-only"
            description = "e-mail to people"
            route = "human_queue"
            when = { channels = ["email"] }
        "#;
        assert!(
            Policy::parse(no_catch_all).unwrap_err().problems[0]
                .contains("last rule must have no `when`")
        );
    }

    #[test]
    fn conditions_select_the_first_matching_rule() {
        let text = r#"
            [languages]
            supported = ["da", "en"]
            confidence_floor = 0.5
            [[rules]]
            name = "unknown-language-with-pii"
            description = "x"
            route = "human_queue"
            when = { languages = ["unknown"], contains_pii = true }
            [[rules]]
            name = "rest"
            description = "y"
            route = "human_queue"
        "#;
        let p = Policy::parse(text).unwrap();
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
