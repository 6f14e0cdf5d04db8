//! Candor's privacy boundary: find personal data and replace it before any model sees the text.
//!
//! The path through this crate is [`normalise`] → [`Registry::detect`] → [`pseudonymise`].
//! Detections carry spans into the normalised text; [`OffsetMap::to_original`] maps them back
//! to the bytes the customer sent.
//!
//! ```
//! use candor_pii::{normalise, pseudonymise, Registry};
//! let n = normalise("Mail me at ｏｌｅ@example.dk");
//! let found = Registry::default().detect(&n.text);
//! let ordinals: Vec<u32> = (1..=found.len() as u32).collect();
//! assert_eq!(pseudonymise(&n.text, &found, &ordinals), "Mail me at <EMAIL_1>");
//! let original = n.map.to_original(found[0].span);
//! assert_eq!(original.start, 11);
//! ```
#![deny(missing_docs)]

mod normalise;
mod pseudonymise;
mod recognise;

pub use normalise::{Normalised, OffsetMap, is_invisible_control, normalise};
pub use phonenumber::country::Id as PhoneRegion;
pub use pseudonymise::{PseudonymKey, pseudonymise, token, without_tokens};
pub use recognise::{
    Detection, EmailRecognizer, IbanRecognizer, PhoneConfig, PhoneRecognizer, Recognizer, Registry,
};
