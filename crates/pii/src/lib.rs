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

mod address;
pub mod checksum;
pub mod corpora;
pub mod custom;
mod dates;
mod email_spoken;
pub mod eval;
mod finance;
mod gb_us_ids;
mod national_ids;
pub mod ner;
mod network;
mod normalise;
pub mod operators;
mod person;
mod pseudonymise;
mod recognise;
mod scan;

pub use address::StreetAddressRecognizer;
pub use custom::{CustomConfig, CustomError, CustomRecognizer};
pub use dates::DateOfBirthRecognizer;
pub use finance::{CARD_CONTEXT, CreditCardRecognizer, VAT_CONTEXT, VatRecognizer};
pub use gb_us_ids::{
    GB_NHS_CONTEXT, GB_NINO_CONTEXT, GbNhsRecognizer, GbNinoRecognizer, US_SSN_CONTEXT,
    UsSsnRecognizer,
};
pub use national_ids::{
    BSN_CONTEXT, CPR_CONTEXT, CprRecognizer, DE_ID_DOCUMENT_CONTEXT, DE_KVNR_CONTEXT,
    DE_SVNR_CONTEXT, DE_TAX_ID_CONTEXT, DeIdDocumentRecognizer, DeKvnrRecognizer, DeSvnrRecognizer,
    DeTaxIdRecognizer, NlBsnRecognizer,
};
pub use ner::{PersonModel, PersonModelRecognizer};
pub use network::{IP_CONTEXT, IpRecognizer, UrlRecognizer};
pub use normalise::{Normalised, OffsetMap, is_invisible_control, normalise};
pub use operators::{
    EncryptionKey, Mapping, Operator, OperatorError, Operators, Pseudonyms, Replacement,
    RevealAuthorisation, RevealEvent, Revealed, Rewritten, decrypt_tokens, reveal,
};
pub use person::{CustomerProfile, PersonRecognizer, ProfileRecognizer, detect_profile, fold};
pub use phonenumber::country::Id as PhoneRegion;
pub use pseudonymise::{PseudonymKey, local_ordinals, pseudonymise, token, without_tokens};
pub use recognise::{
    Detection, EmailRecognizer, IbanRecognizer, PHONE_CONTEXT, PhoneConfig, PhoneRecognizer,
    REPEATED_VALUE, Recognizer, Registry,
};

/// Helpers shared by the recognisers' unit tests.
#[cfg(test)]
pub(crate) mod test_support {
    use crate::Recognizer;

    /// What one recogniser reports for `text`: matched text, canonical form, validator, score.
    pub(crate) fn hits(
        r: &dyn Recognizer,
        text: &str,
    ) -> Vec<(String, String, Option<&'static str>, f32)> {
        let mut out = Vec::new();
        r.recognise(text, &mut out);
        out.into_iter()
            .map(|d| {
                (
                    text[d.span.start..d.span.end].to_owned(),
                    d.canonical,
                    d.validator,
                    d.score,
                )
            })
            .collect()
    }

    /// What one recogniser reports for `text`: matched text and canonical form.
    pub(crate) fn values(r: &dyn Recognizer, text: &str) -> Vec<(String, String)> {
        hits(r, text)
            .into_iter()
            .map(|(s, canonical, _, _)| (s, canonical))
            .collect()
    }
}
