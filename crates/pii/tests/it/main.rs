//! `candor-pii` through its public API: adversarial input and properties over generated text.

mod addresses;
mod adversarial;
mod birth_dates;
mod name_origins;
mod persons;
mod properties;

use candor_core::EntityKind;
use candor_pii::{Registry, normalise};

/// What the whole path (normalise, detect, map back) finds in `original`: each kind with the
/// ORIGINAL text it covers.
pub fn found_in_original(original: &str) -> Vec<(EntityKind, String)> {
    let n = normalise(original);
    Registry::default()
        .detect(&n.text)
        .into_iter()
        .map(|d| {
            let span = n.map.to_original(d.span);
            (d.kind, original[span.start..span.end].to_owned())
        })
        .collect()
}
