//! Understanding a message and deciding who answers it.
//!
//! The order of the checks is the policy's promise, and is fixed here: a person when the
//! customer has opted out of AI or not consented to AI triage, asks for a person, already has
//! one, sends an always-human kind of request, is frustrated, the bot already failed, or they
//! have not consented to AI answers; otherwise the bot answers only when it is sure what was
//! asked (intent confidence) AND has a good answer (retrieval confidence), and asks at most
//! the policy's number of clarifying questions before a person takes over.
//! docs/specs/decision.md lists every step.

use candor_classify::LanguageContext;
use candor_classify::cues::FrustrationInput;
use candor_core::{
    Decision, EscalationReason, Explanation, FrustrationSignal, HumanRequestSignal, IntentSignal,
    Lang, LanguageGuess, Priority, Reason, Reply, Route, SentimentSignal, Understanding, Versions,
};
use candor_pii::without_tokens;
use candor_store::ConversationState;

use crate::policy::RuleRoute;
use crate::priority::{NeedSignals, priority_score};
use crate::stages::Clock;
use crate::{PiiFound, Pipeline, RuleInput, Stage};

/// A rise in frustration hands over only once the score is this share of the threshold: every
/// later message carries some frustration from the turns before it, and a rise from a calm
/// greeting to a mildly negative question is not a frustrated customer.
const RISING_FLOOR: f32 = 0.75;

/// What is known about the conversation before this message.
#[derive(Debug, Clone, Default)]
pub(crate) struct Context {
    /// Its state, `None` for a new conversation.
    pub state: Option<ConversationState>,
    /// The customer's earlier messages, oldest first.
    pub turns: Vec<Turn>,
    /// A person marked a bot answer in this conversation as wrong.
    pub bot_marked_wrong: bool,
    /// The customer has opted out of AI (before this message).
    pub opted_out: bool,
    /// The customer's consent to `ai_triage` is not in force (withdrawn, or not granted by
    /// default): no model reads their message. Stored negated so `Default` means consent.
    pub no_ai_triage: bool,
    /// The customer's consent to `ai_answers` is not in force: the bot does not answer them.
    pub no_ai_answers: bool,
    /// A locale the integration declared for the customer.
    pub declared_language: Option<Lang>,
}

/// One earlier customer message, as decided.
#[derive(Debug, Clone)]
pub(crate) struct Turn {
    pub language: LanguageGuess,
    pub intent: Option<String>,
    pub frustration: Option<f32>,
    /// The article the bot answered from, if it did.
    pub article: Option<String>,
    /// Whether the bot asked a clarifying question.
    pub clarified: bool,
}

impl Turn {
    pub(crate) fn from_decision(d: &Decision) -> Turn {
        Turn {
            language: d.understanding.language,
            intent: d
                .understanding
                .intent
                .as_ref()
                .and_then(|i| i.label.clone()),
            frustration: d.understanding.frustration.as_ref().map(|f| f.score),
            article: d.reply.as_ref().and_then(|r| r.article_id.clone()),
            clarified: d.route == Route::Bot
                && d.reply.as_ref().is_some_and(|r| r.article_id.is_none()),
        }
    }
}

/// Side effects the message asks for, carried out by the caller.
#[derive(Debug, Clone, Default)]
pub(crate) struct Requests {
    /// The customer asked, in this message, to get no more AI.
    pub opt_out: bool,
    /// The customer complained, in this message, about an earlier decision.
    pub complaint: bool,
}

pub(crate) struct Decided {
    pub decision: Decision,
    pub requests: Requests,
}

fn reason(stage: Stage, code: &str, detail: String) -> Reason {
    Reason {
        stage: stage.as_str().to_owned(),
        code: code.to_owned(),
        detail,
    }
}

/// Understands the pseudonymised text and decides.
pub(crate) fn decide(
    p: &Pipeline,
    channel: candor_core::Channel,
    text: &str,
    pii: &[PiiFound],
    ctx: &Context,
    clock: &mut Clock,
) -> Decided {
    let plain = without_tokens(text);
    let mut reasons = Vec::new();

    // Language, with the conversation as evidence.
    let mut language = p.language.identify_in_context(
        &plain,
        &LanguageContext {
            previous: ctx.turns.iter().map(|t| t.language).collect(),
            declared: ctx.declared_language,
        },
    );
    // A short message with one misspelt word can fall below the floor although its other
    // words are plainly of one language; the word lists are a second opinion, so that a typo
    // does not send a customer to a person for "language unknown".
    let by_words = match language.lang {
        None => p.speller.language_by_words(&plain, &p.policy.languages),
        Some(_) => None,
    };
    if let Some(vote) = by_words {
        language.lang = Some(vote.lang);
    }
    reasons.push(reason(
        Stage::Language,
        if language.lang.is_some() {
            "language_identified"
        } else {
            "language_unknown"
        },
        match (language.lang, by_words) {
            (Some(l), Some(vote)) => format!(
                "The message is in `{l}` by its words: {:.0}% are in the `{l}` word list, and they are {:.0} times as frequent there as in any other language's (language identification alone was not sure: {:.2}).",
                vote.share * 100.0,
                vote.ratio.min(1e6),
                language.confidence
            ),
            (Some(l), None) => format!(
                "The message is in `{l}` (confidence {:.2}, with the conversation so far as context).",
                language.confidence
            ),
            (None, _) => format!(
                "The language could not be identified with enough confidence ({:.2}, below the floor of {:.2}).",
                language.confidence, p.policy.confidence_floor
            ),
        },
    ));
    clock.lap(Stage::Language);
    if !pii.is_empty() {
        let mut kinds: Vec<&str> = pii.iter().map(|f| f.kind.as_str()).collect();
        kinds.sort_unstable();
        kinds.dedup();
        reasons.push(reason(
            Stage::Pseudonymise,
            "pii_pseudonymised",
            format!(
                "{} piece(s) of personal data ({}) were replaced with pseudonyms before any model saw the text.",
                pii.len(),
                kinds.join(", ")
            ),
        ));
    }

    // The models read the need only: greetings, statements of tenure, signatures and places
    // are left out, so that who the customer is cannot move their route or priority.
    let neutral = p.neutral.neutralise(text, language.lang);
    // One misspelt word must not change the intent (and with it the route and priority).
    let spelled = p.speller.correct(&neutral.text, language.lang);
    let read = spelled.text.as_str();
    if !spelled.corrections.is_empty() {
        let parts: Vec<String> = spelled
            .corrections
            .iter()
            .map(|c| format!("\"{}\" as \"{}\"", c.from, c.to))
            .collect();
        reasons.push(reason(
            Stage::Understand,
            "spelling_corrected",
            format!("Read with spelling corrected: {}.", parts.join(", ")),
        ));
    }
    if !neutral.left_out.is_empty() {
        let parts: Vec<String> = neutral
            .left_out
            .iter()
            .map(|l| format!("{} \"{}\"", l.kind.as_str(), &text[l.span.clone()]))
            .collect();
        reasons.push(reason(
            Stage::Understand,
            "not_read",
            format!(
                "Left out of what the models read, because routing and priority must not depend on them: {}.",
                parts.join(", ")
            ),
        ));
    }

    // Reaching a person is never optional, so these run for everyone, opted out or not: they
    // are the customer's own words about how they want to be served.
    let human = p.cues.human_request(text, language.lang);
    let opt_out_phrase = p.cues.opt_out(text, language.lang);
    let complaint_phrase = p.cues.complaint(text, language.lang);
    let urgency = p.cues.urgency(text, language.lang);
    for (found, code, what) in [
        (&human, "human_requested", "asked for a person"),
        (
            &opt_out_phrase,
            "opt_out_requested",
            "asked to get no more AI answers",
        ),
        (
            &complaint_phrase,
            "complaint_requested",
            "complained about a decision",
        ),
        (&urgency, "urgent", "said it is urgent"),
    ] {
        if found.detected {
            let at: Vec<String> = found
                .evidence
                .iter()
                .map(|e| format!("\"{}\" ({})", &text[e.span.start..e.span.end], e.cue))
                .collect();
            reasons.push(reason(
                Stage::Understand,
                code,
                format!(
                    "The customer {what}: {} (confidence {:.2}).",
                    at.join(", "),
                    found.confidence
                ),
            ));
        }
    }
    let opted_out = ctx.opted_out || opt_out_phrase.detected;

    // AI triage (intent, sentiment, frustration) only for customers who have not opted out
    // and whose consent to AI triage is in force.
    let (intent, sentiment, frustration, need_frustration) = if opted_out || ctx.no_ai_triage {
        let why = if opted_out {
            "The customer has opted out of AI"
        } else {
            "The customer has not consented to AI triage"
        };
        reasons.push(reason(
            Stage::Understand,
            "ai_triage_skipped",
            format!("{why}, so no intent, sentiment or frustration model ran."),
        ));
        (None, None, None, 0.0)
    } else {
        let prediction = p.intent.predict(read);
        let label = prediction.label.clone();
        if let Some(label) = &label {
            let why = p
                .intent
                .explain(read, label, 3)
                .map(|e| {
                    e.contributions
                        .iter()
                        .map(|c| format!("{} {:+.2}", c.feature, c.weight))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            reasons.push(reason(
                Stage::Understand,
                "intent",
                format!(
                    "Understood as `{label}` (confidence {:.2}); strongest evidence: {why}.",
                    prediction.confidence
                ),
            ));
        } else {
            reasons.push(reason(
                Stage::Understand,
                "intent_abstained",
                format!(
                    "The intent model was not sure what the customer wants (best guess confidence {:.2}).",
                    prediction.confidence
                ),
            ));
        }
        let s = p.sentiment.score_in(read, language.lang.as_ref());
        let previous_scores: Vec<f32> = ctx.turns.iter().filter_map(|t| t.frustration).collect();
        let repeated_intent = label
            .as_ref()
            .is_some_and(|l| ctx.turns.iter().any(|t| t.intent.as_ref() == Some(l)));
        let f = p.cues.frustration(
            read,
            language.lang,
            &FrustrationInput {
                negative_sentiment: s.negative,
                unresolved_customer_turns: u32::try_from(ctx.turns.len()).unwrap_or(u32::MAX),
                repeated_intent,
                previous_scores,
            },
        );
        let f_reasons: Vec<Reason> = f
            .reasons
            .iter()
            .map(|r| {
                reason(
                    Stage::Understand,
                    r.code,
                    format!("{} (weight {:.2})", r.detail, r.weight),
                )
            })
            .collect();
        reasons.push(reason(
            Stage::Understand,
            "frustration",
            format!(
                "Frustration score {:.2} (sentiment: {}, negative {:.2}{}).",
                f.score,
                s.label,
                s.negative,
                negative_lexicon_words(read, &s.lexicon)
            ),
        ));
        (
            Some(IntentSignal {
                label,
                confidence: prediction.confidence,
                abstained: prediction.abstained,
            }),
            Some(SentimentSignal {
                label: s.label.clone(),
                negative: s.negative,
            }),
            Some(FrustrationSignal {
                score: f.score,
                reasons: f_reasons,
            }),
            crate::priority::need_frustration(f.reasons.iter().map(|r| (r.code, r.weight))),
        )
    };

    clock.lap(Stage::Understand);
    let understanding = Understanding {
        language,
        intent,
        sentiment,
        frustration,
        human_request: HumanRequestSignal {
            detected: human.detected,
            confidence: human.confidence,
        },
    };
    let requests = Requests {
        opt_out: opt_out_phrase.detected && !ctx.opted_out,
        complaint: complaint_phrase.detected,
    };
    let (lang, texts) = p.policy.texts(language.lang);

    let rule = p.policy.route(&RuleInput {
        channel,
        language: language.lang,
        contains_pii: !pii.is_empty(),
    });
    let intent_label = understanding
        .intent
        .as_ref()
        .and_then(|i| i.label.as_deref());
    let frustration_score = understanding.frustration.as_ref().map_or(0.0, |f| f.score);

    // Who answers: the first step that applies decides.
    let escalate = |why: EscalationReason, step: &str, detail: String| Step::Human {
        why,
        step: step.to_owned(),
        detail,
    };
    let step = if opted_out {
        escalate(
            EscalationReason::OptedOut,
            "opted_out",
            "The customer has opted out of AI: only people answer them.".to_owned(),
        )
    } else if ctx.no_ai_triage {
        escalate(
            EscalationReason::NoConsent,
            "no_consent_ai_triage",
            "The customer has not consented to AI triage: a person reads and answers their messages."
                .to_owned(),
        )
    } else if human.detected {
        escalate(
            EscalationReason::HumanRequested,
            "human_requested",
            "The customer asked for a person, so a person answers, without another bot turn."
                .to_owned(),
        )
    } else if matches!(
        ctx.state,
        Some(ConversationState::WaitingForHuman | ConversationState::Assigned)
    ) {
        escalate(
            EscalationReason::WithPerson,
            "with_person",
            "A person is already handling this conversation.".to_owned(),
        )
    } else if rule.route == RuleRoute::Human {
        escalate(
            EscalationReason::PolicyRule,
            &rule.name,
            format!("Policy rule `{}`: {}", rule.name, rule.description),
        )
    } else if complaint_phrase.detected {
        escalate(
            EscalationReason::AlwaysHuman,
            "complaint",
            "Complaints about decisions are handled by people.".to_owned(),
        )
    } else if let Some(term) = p.always_human_term(text) {
        escalate(
            EscalationReason::AlwaysHuman,
            "always_human_term",
            format!("The message mentions \"{term}\", which always goes to a person."),
        )
    } else if frustration_score >= p.policy.escalation.frustration_threshold {
        escalate(
            EscalationReason::Frustration,
            "frustration",
            format!(
                "The customer seems frustrated (score {frustration_score:.2}, threshold {:.2}).",
                p.policy.escalation.frustration_threshold
            ),
        )
    } else if let Some(first) = ctx.turns.iter().find_map(|t| t.frustration)
        && frustration_score - first >= p.policy.escalation.frustration_rise
        && frustration_score >= RISING_FLOOR * p.policy.escalation.frustration_threshold
    {
        escalate(
            EscalationReason::Frustration,
            "frustration_rising",
            format!(
                "Frustration keeps rising in this conversation ({first:.2} → {frustration_score:.2})."
            ),
        )
    } else if let Some(i) = intent_label.filter(|i| {
        p.policy
            .escalation
            .always_human_intents
            .iter()
            .any(|h| h == i)
    }) {
        escalate(
            EscalationReason::AlwaysHuman,
            "always_human_intent",
            format!("Requests of kind `{i}` always go to a person."),
        )
    } else if ctx.bot_marked_wrong
        || intent_label.is_some_and(|i| {
            ctx.turns
                .iter()
                .any(|t| t.article.is_some() && t.intent.as_deref() == Some(i))
        })
    {
        escalate(
            EscalationReason::BotFailed,
            "bot_failed",
            "The bot already answered this once and it did not help, so a person takes over."
                .to_owned(),
        )
    } else if ctx.no_ai_answers {
        escalate(
            EscalationReason::NoConsent,
            "no_consent_ai_answers",
            "The customer has not consented to AI answers: a person answers them.".to_owned(),
        )
    } else if !p.policy.bot.enabled {
        escalate(
            EscalationReason::PolicyRule,
            "bot_disabled",
            "Bot answers are switched off in the policy.".to_owned(),
        )
    } else if language.lang.is_none() {
        escalate(
            EscalationReason::LanguageUnknown,
            "language_unknown",
            "The language could not be identified, so a person answers.".to_owned(),
        )
    } else {
        bot_or_person(p, &understanding, ctx, lang, &without_tokens(read))
    };

    let versions = Versions {
        pipeline: p.pipeline_version.clone(),
        policy: p.policy.version.clone(),
        language_model: p.language.version().to_owned(),
        intent_model: p.intent_version.clone(),
        sentiment_model: p.sentiment.version(),
        cues: format!(
            "{} {} {}",
            p.cues.version(),
            p.neutral.version(),
            p.speller.version()
        ),
        knowledge_base: p.knowledge_base_version(),
    };

    let decision = match step {
        Step::Bot {
            step,
            detail,
            body,
            article,
        } => {
            reasons.push(reason(Stage::Decide, &step, detail.clone()));
            let reply = bot_reply(body, lang, article, &texts.ai_disclosure);
            Decision {
                route: Route::Bot,
                rule: step,
                escalation_reason: None,
                reply: Some(reply),
                notice: None,
                understanding,
                priority: None,
                explanation: Explanation {
                    summary: format!("The AI assistant answers. {detail}"),
                    reasons,
                },
                versions,
            }
        }
        Step::Human { why, step, detail } => {
            reasons.push(reason(Stage::Decide, why.as_str(), detail.clone()));
            let service_level_minutes = p.policy.service_level_minutes(
                understanding
                    .intent
                    .as_ref()
                    .and_then(|i| i.label.as_deref()),
            );
            let needs = NeedSignals {
                service_level_minutes,
                frustration: need_frustration,
                urgent: urgency.detected,
                waiting_minutes: 0.0,
            };
            let notice = if requests.opt_out {
                texts.opt_out_confirmed.clone()
            } else if requests.complaint {
                format!("{} {}", texts.complaint_filed, texts.handoff)
            } else {
                texts.handoff.clone()
            };
            Decision {
                route: Route::Human,
                rule: step,
                escalation_reason: Some(why),
                reply: None,
                notice: Some(notice),
                understanding,
                priority: Some(Priority {
                    score: priority_score(&needs),
                    service_level_minutes,
                    frustration: need_frustration,
                    urgent: urgency.detected,
                }),
                explanation: Explanation {
                    summary: format!("A person answers. {detail}"),
                    reasons,
                },
                versions,
            }
        }
    };
    clock.lap(Stage::Decide);
    Decided { decision, requests }
}

enum Step {
    Bot {
        step: String,
        detail: String,
        body: String,
        article: Option<(String, u32)>,
    },
    Human {
        why: EscalationReason,
        step: String,
        detail: String,
    },
}

/// The bot's part: answer from the knowledge base when sure, ask once when unsure, else a
/// person.
fn bot_or_person(p: &Pipeline, u: &Understanding, ctx: &Context, lang: Lang, query: &str) -> Step {
    let bot = &p.policy.bot;
    let clarified = ctx.turns.iter().filter(|t| t.clarified).count();
    let intent = u.intent.as_ref();
    let sure = intent.is_some_and(|i| !i.abstained && i.confidence >= bot.min_intent_confidence);
    if !sure {
        let confidence = intent.map_or(0.0, |i| i.confidence);
        return if clarified < bot.max_clarifying_questions as usize {
            Step::Bot {
                step: "clarify".to_owned(),
                detail: format!(
                    "It was not sure what the customer wants (confidence {confidence:.2}, needed {:.2}), so it asks once.",
                    bot.min_intent_confidence
                ),
                body: p.policy.texts(Some(lang)).1.clarify.clone(),
                article: None,
            }
        } else {
            Step::Human {
                why: EscalationReason::LowConfidence,
                step: "low_confidence".to_owned(),
                detail: format!(
                    "Still not sure what the customer wants (confidence {confidence:.2}) after a clarifying question."
                ),
            }
        };
    }
    let label = intent.and_then(|i| i.label.clone()).unwrap_or_default();
    if !bot.answerable_intents.contains(&label) {
        return Step::Human {
            why: EscalationReason::NoAnswer,
            step: "not_bot_answerable".to_owned(),
            detail: format!("Requests of kind `{label}` are not ones the bot may answer."),
        };
    }
    match p.best_article(query, &label, lang) {
        Some(found) if found.confidence >= bot.min_retrieval_confidence => Step::Bot {
            step: "bot_answer".to_owned(),
            detail: format!(
                "It answers `{label}` from knowledge-base article `{}` version {} (retrieval confidence {:.2}, needed {:.2}).",
                found.id, found.version, found.confidence, bot.min_retrieval_confidence
            ),
            body: found.body,
            article: Some((found.id, found.version)),
        },
        // Sure of the kind of request but not of the answer: ask once, as for an unsure intent.
        Some(found) if clarified < bot.max_clarifying_questions as usize => Step::Bot {
            step: "clarify".to_owned(),
            detail: format!(
                "The best knowledge-base article (`{}`) matched with confidence {:.2}, below the {:.2} needed, so it asks once.",
                found.id, found.confidence, bot.min_retrieval_confidence
            ),
            body: p.policy.texts(Some(lang)).1.clarify.clone(),
            article: None,
        },
        Some(found) => Step::Human {
            why: EscalationReason::LowConfidence,
            step: "low_confidence".to_owned(),
            detail: format!(
                "After a clarifying question, the best knowledge-base article (`{}`) still matched with only {:.2}, below the {:.2} needed.",
                found.id, found.confidence, bot.min_retrieval_confidence
            ),
        },
        None => Step::Human {
            why: EscalationReason::NoAnswer,
            step: "no_answer".to_owned(),
            detail: format!(
                "The knowledge base has no article for `{label}` in `{lang}` that matches the question."
            ),
        },
    }
}

/// The only way a bot reply is made: the disclosure is always part of the text.
pub(crate) fn bot_reply(
    body: String,
    language: Lang,
    article: Option<(String, u32)>,
    disclosure: &str,
) -> Reply {
    let (article_id, article_version) = article.unzip();
    Reply {
        text: format!("{}\n\n{disclosure}", body.trim_end()),
        language,
        article_id,
        article_version,
        ai_disclosure: disclosure.to_owned(),
    }
}

/// A decision the pipeline may release: a bot reply without its disclosure is turned into a
/// hand-off (it cannot happen through [`bot_reply`], but the promise is checked, not assumed).
pub(crate) fn enforce_disclosure(mut d: Decision) -> Decision {
    let disclosed = d
        .reply
        .as_ref()
        .is_some_and(|r| !r.ai_disclosure.trim().is_empty() && r.text.contains(&r.ai_disclosure));
    if d.route == Route::Bot && !disclosed {
        d.route = Route::Human;
        d.reply = None;
        d.escalation_reason = Some(EscalationReason::PolicyRule);
        d.rule = "missing_ai_disclosure".to_owned();
        d.explanation.reasons.push(reason(
            Stage::Decide,
            "missing_ai_disclosure",
            "A bot reply without its AI disclosure was withheld; a person answers.".to_owned(),
        ));
    }
    d
}

/// The valence lexicon's most negative words in `read` (the text the sentiment model read,
/// already pseudonymised), as `; negative words: "awful" −3.1, …`: staff see which words
/// made the message read as negative, not only a probability. Empty when there are none.
fn negative_lexicon_words(read: &str, hits: &[candor_classify::valence::ValenceHit]) -> String {
    const SHOWN: usize = 3;
    let mut negative: Vec<&candor_classify::valence::ValenceHit> =
        hits.iter().filter(|h| h.valence < 0.0).collect();
    negative.sort_by(|a, b| a.valence.total_cmp(&b.valence));
    let words: Vec<String> = negative
        .iter()
        .filter_map(|h| read.get(h.span.clone()).map(|w| (w, h.valence)))
        .take(SHOWN)
        .map(|(w, v)| format!("\"{w}\" {v:.1}"))
        .collect();
    if words.is_empty() {
        String::new()
    } else {
        format!("; negative words: {}", words.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::negative_lexicon_words;
    use candor_classify::SentimentModel;
    use candor_core::Lang;

    #[test]
    fn the_frustration_reason_names_the_most_negative_words_the_lexicon_found() {
        let model = SentimentModel::builtin();
        let text = "The delivery was terrible, the app is awful and I am not happy.";
        let s = model.score_in(text, Some(&Lang::EN));
        let shown = negative_lexicon_words(text, &s.lexicon);
        assert!(shown.starts_with("; negative words: "), "{shown}");
        assert!(shown.contains("\"terrible\""), "{shown}");
        assert!(shown.contains("\"awful\""), "{shown}");
        assert!(!shown.contains("delivery"), "{shown}");
    }

    #[test]
    fn a_message_without_negative_lexicon_words_adds_nothing_to_the_reason() {
        let model = SentimentModel::builtin();
        let text = "Thank you, that was great help.";
        let s = model.score_in(text, Some(&Lang::EN));
        assert_eq!(negative_lexicon_words(text, &s.lexicon), "");
        // A language without a lexicon has no hits to show.
        let da = model.score_in("Det er forfærdeligt", Some(&Lang::DA));
        assert_eq!(
            negative_lexicon_words("Det er forfærdeligt", &da.lexicon),
            ""
        );
    }
}
