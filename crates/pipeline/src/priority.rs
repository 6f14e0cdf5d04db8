//! Priority in the human queue, by need only.
//!
//! [`NeedSignals`] is the complete list of what the score may use. It has no field for a
//! name, place, language, channel, customer tenure or value, so none of them can change a
//! priority: adding one would be a visible change to this type and to docs/specs/priority.md.

use serde::{Deserialize, Serialize};

/// Everything the priority score is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct NeedSignals {
    /// The service level of the request's intent, in minutes (from the policy).
    pub service_level_minutes: u32,
    /// The customer's frustration from their own words and the conversation, in `[0, 1]`:
    /// [`need_frustration`], which leaves the sentiment model's part out.
    pub frustration: f32,
    /// Whether the customer said it is urgent.
    pub urgent: bool,
    /// How long the conversation has waited for a person, in minutes.
    pub waiting_minutes: f64,
}

/// The frustration reason that comes from the sentiment model rather than from the customer's
/// words or the conversation (`docs/specs/cues.md`).
pub const SENTIMENT_REASON: &str = "negative_sentiment";

/// The frustration that may rank a customer: the frustration reasons' weights combined as the
/// frustration score combines them (`1 - Π(1 - weight)`), leaving out the sentiment model's.
///
/// The sentiment model's reading of a calm message is noise that the priority must not follow:
/// on the same calm probe messages it gives Dutch and Danish customers 1.7 to 1.9 times the
/// frustration it gives English ones, and one misspelt word moved it by 0.02 to 0.05, enough
/// to move requests between priority bands (`docs/specs/priority.md`). What the customer says
/// (cue words such as "still not" or "third time", shouting, runs of "!!!") and how the
/// conversation went (unresolved turns, a repeated request, rising frustration) are kept. The
/// full score, sentiment included, still decides escalation to a person.
pub fn need_frustration<'a>(reasons: impl IntoIterator<Item = (&'a str, f32)>) -> f32 {
    let calm = reasons
        .into_iter()
        .filter(|(code, _)| *code != SENTIMENT_REASON)
        .map(|(_, weight)| 1.0 - weight.clamp(0.0, 1.0))
        .product::<f32>();
    (1.0 - calm).clamp(0.0, 1.0)
}

/// Weight of a fully frustrated customer, in the same unit as one service level.
const FRUSTRATION_WEIGHT: f64 = 0.5;
/// Weight of an explicit "urgent".
const URGENT_WEIGHT: f64 = 0.5;

/// The priority score: higher is served first.
///
/// `(60 + waiting_minutes) / service_level_minutes + 0.5 × frustration + 0.5 × urgent`.
/// The first term is the share of the service level used up (with an hour's head start, so
/// short service levels rank first from the start); frustration and urgency each add up to
/// half a service level.
pub fn priority_score(n: &NeedSignals) -> f64 {
    let sla = f64::from(n.service_level_minutes.max(1));
    let urgent = if n.urgent { URGENT_WEIGHT } else { 0.0 };
    (60.0 + n.waiting_minutes.max(0.0)) / sla
        + FRUSTRATION_WEIGHT * f64::from(n.frustration.clamp(0.0, 1.0))
        + urgent
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needs(sla: u32, frustration: f32, urgent: bool, waiting: f64) -> NeedSignals {
        NeedSignals {
            service_level_minutes: sla,
            frustration,
            urgent,
            waiting_minutes: waiting,
        }
    }

    #[test]
    fn each_need_raises_the_score() {
        let base = priority_score(&needs(480, 0.0, false, 0.0));
        assert!(priority_score(&needs(60, 0.0, false, 0.0)) > base);
        assert!(priority_score(&needs(480, 0.8, false, 0.0)) > base);
        assert!(priority_score(&needs(480, 0.0, true, 0.0)) > base);
        assert!(priority_score(&needs(480, 0.0, false, 30.0)) > base);
    }

    #[test]
    fn waiting_past_the_service_level_overtakes_frustration() {
        let calm_but_late = priority_score(&needs(480, 0.0, false, 600.0));
        let frustrated_just_now = priority_score(&needs(480, 1.0, false, 0.0));
        assert!(calm_but_late > frustrated_just_now);
    }

    #[test]
    fn need_frustration_leaves_the_sentiment_model_out() {
        assert_eq!(need_frustration([]), 0.0);
        assert_eq!(need_frustration([(SENTIMENT_REASON, 0.45)]), 0.0);
        let cue = need_frustration([("still_not", 0.4), (SENTIMENT_REASON, 0.3)]);
        assert!((cue - 0.4).abs() < 1e-6, "{cue}");
        // Two reasons combine as the frustration score does: 1 - 0.6 × 0.5.
        let two = need_frustration([("still_not", 0.4), ("shouting", 0.5)]);
        assert!((two - 0.7).abs() < 1e-6, "{two}");
        assert_eq!(need_frustration([("insult", 3.0)]), 1.0);
    }

    #[test]
    fn out_of_range_inputs_are_clamped() {
        assert_eq!(
            priority_score(&needs(0, 2.0, false, -5.0)),
            priority_score(&needs(1, 1.0, false, 0.0))
        );
    }
}
