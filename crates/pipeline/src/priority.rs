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
    /// The customer's frustration score, in `[0, 1]`.
    pub frustration: f32,
    /// Whether the customer said it is urgent.
    pub urgent: bool,
    /// How long the conversation has waited for a person, in minutes.
    pub waiting_minutes: f64,
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
    fn out_of_range_inputs_are_clamped() {
        assert_eq!(
            priority_score(&needs(0, 2.0, false, -5.0)),
            priority_score(&needs(1, 1.0, false, 0.0))
        );
    }
}
