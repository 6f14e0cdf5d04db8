//! Candor's shared vocabulary.
//!
//! Every other crate speaks in these types: a [`Lang`], an [`EntityKind`], a [`Span`] of text,
//! a [`Channel`], a [`Route`], a [`Decision`] with its [`Explanation`] and [`Versions`].
//! This crate has no IO and no async. The decision types derive serde, because one shape is
//! stored, returned by the API and written by `candor triage`; other wire types live at the
//! edges (`server`, `cli`).
//!
//! ```
//! use candor_core::{Lang, Channel};
//! let da: Lang = "da".parse().unwrap();
//! assert_eq!(da.code(), "da");
//! assert_eq!("chat".parse::<Channel>().unwrap(), Channel::Chat);
//! ```
#![deny(missing_docs)]

use std::fmt;
use std::str::FromStr;

mod access;
mod decision;

pub use access::{Action, ParseRoleError, Role, permits};
pub use decision::{
    Decision, EscalationReason, Explanation, FrustrationSignal, HumanRequestSignal, IntentSignal,
    ParseEscalationReasonError, ParseRouteError, Priority, Reason, Reply, Route, SentimentSignal,
    Understanding, Versions,
};

/// A language, identified by its ISO 639-1 code.
///
/// Languages are data, not code: any two-letter lowercase code is a `Lang`, and which ones a
/// deployment supports is configuration.
// Invariant: both bytes are ASCII lowercase letters.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Lang([u8; 2]);

impl Lang {
    /// Danish.
    pub const DA: Lang = Lang(*b"da");
    /// Dutch.
    pub const NL: Lang = Lang(*b"nl");
    /// German.
    pub const DE: Lang = Lang(*b"de");
    /// English.
    pub const EN: Lang = Lang(*b"en");

    /// The ISO 639-1 code, e.g. `"da"`.
    pub fn code(&self) -> &str {
        // The invariant makes this infallible.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl fmt::Debug for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl serde::Serialize for Lang {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> serde::Deserialize<'de> for Lang {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A string that is not a valid language code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an ISO 639-1 language code (two lowercase letters, e.g. `da`)")]
pub struct ParseLangError(pub String);

impl FromStr for Lang {
    type Err = ParseLangError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.as_bytes() {
            [a, b] if a.is_ascii_lowercase() && b.is_ascii_lowercase() => Ok(Lang([*a, *b])),
            _ => Err(ParseLangError(s.to_owned())),
        }
    }
}

/// The result of language identification: a language, or "unknown" below the confidence floor.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LanguageGuess {
    /// The language, or `None` when no language cleared the confidence floor.
    #[serde(rename = "code")]
    pub lang: Option<Lang>,
    /// Confidence in `[0, 1]` of the best candidate, also reported when it was below the floor.
    pub confidence: f64,
}

/// The kinds of personal data Candor recognises.
///
/// An enum rather than strings, so that a typo is a compile error and every consumer
/// (pseudonym tokens, explanations, audit records) agrees on the set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityKind {
    /// An e-mail address.
    Email,
    /// A telephone number that validates for its region.
    Phone,
    /// An International Bank Account Number (ISO 13616) with a valid mod-97 check.
    Iban,
    /// A payment card number (13 to 19 digits) with a known issuer prefix and a valid Luhn check.
    CreditCard,
    /// An IPv4 or IPv6 address.
    IpAddress,
    /// A web address starting with `http://`, `https://` or `www.`.
    Url,
    /// A Danish CPR number (personnummer): birth date `DDMMYY` and a four-digit serial.
    DkCpr,
    /// A Dutch BSN (burgerservicenummer) that passes the 11-proef.
    NlBsn,
    /// A German tax identification number (Steuerliche Identifikationsnummer).
    DeTaxId,
    /// A German pension insurance number (Rentenversicherungs- or Sozialversicherungsnummer).
    DeSvnr,
    /// A German health insurance number (Krankenversichertennummer, the lifelong part).
    DeKvnr,
    /// The serial number of a German identity card (Personalausweis) or passport (Reisepass).
    DeIdDocument,
    /// A Danish, Dutch or German VAT identification number, with its country prefix.
    VatNumber,
    /// A British National Insurance number (NINO): two letters, six digits, a letter A–D.
    GbNino,
    /// A British NHS number: ten digits with a modulus-11 check digit.
    GbNhs,
    /// A US Social Security number: area, group and serial (`AAA-GG-SSSS`).
    UsSsn,
    /// A postal address: street and house number, with postcode and city where given.
    StreetAddress,
    /// A date of birth: a date written near words that say it is one.
    DateOfBirth,
    /// A person's name.
    Person,
    /// A kind declared in configuration (a customer or order number, say), with its label.
    /// Built only by [`EntityKind::custom`], which checks the label.
    Custom(CustomKind),
}

/// The label of a configured entity kind, e.g. `CUSTOMER_NUMBER`.
///
/// Labels are interned: each distinct label is stored once for the life of the process, so
/// that the kind stays `Copy` and its name a `&'static str` like the built-in ones. Labels
/// come from configuration read at start, so the set is small and bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CustomKind(&'static str);

impl CustomKind {
    /// The label.
    pub fn as_str(&self) -> &'static str {
        self.0
    }
}

static CUSTOM_LABELS: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());

fn known_custom(label: &str) -> Option<&'static str> {
    let labels = CUSTOM_LABELS.lock().unwrap_or_else(|e| e.into_inner());
    labels.iter().copied().find(|l| *l == label)
}

impl EntityKind {
    /// Every kind, in a stable order.
    pub const ALL: &'static [EntityKind] = &[
        EntityKind::Email,
        EntityKind::Phone,
        EntityKind::Iban,
        EntityKind::CreditCard,
        EntityKind::IpAddress,
        EntityKind::Url,
        EntityKind::DkCpr,
        EntityKind::NlBsn,
        EntityKind::DeTaxId,
        EntityKind::DeSvnr,
        EntityKind::DeKvnr,
        EntityKind::DeIdDocument,
        EntityKind::VatNumber,
        EntityKind::StreetAddress,
        EntityKind::DateOfBirth,
        EntityKind::Person,
        EntityKind::GbNino,
        EntityKind::GbNhs,
        EntityKind::UsSsn,
    ];

    /// The upper-case name used in pseudonym tokens and wire formats, e.g. `EMAIL`.
    pub fn as_str(&self) -> &'static str {
        match self {
            EntityKind::Email => "EMAIL",
            EntityKind::Phone => "PHONE",
            EntityKind::Iban => "IBAN",
            EntityKind::CreditCard => "CREDIT_CARD",
            EntityKind::IpAddress => "IP_ADDRESS",
            EntityKind::Url => "URL",
            EntityKind::DkCpr => "DK_CPR",
            EntityKind::NlBsn => "NL_BSN",
            EntityKind::DeTaxId => "DE_TAX_ID",
            EntityKind::DeSvnr => "DE_SVNR",
            EntityKind::DeKvnr => "DE_KVNR",
            EntityKind::DeIdDocument => "DE_ID_DOCUMENT",
            EntityKind::VatNumber => "VAT_NUMBER",
            EntityKind::StreetAddress => "STREET_ADDRESS",
            EntityKind::DateOfBirth => "DATE_OF_BIRTH",
            EntityKind::Person => "PERSON",
            EntityKind::GbNino => "GB_NINO",
            EntityKind::GbNhs => "GB_NHS",
            EntityKind::UsSsn => "US_SSN",
            EntityKind::Custom(c) => c.as_str(),
        }
    }

    /// The configured kind labelled `label`: upper-case ASCII letters and single underscores
    /// (`CUSTOMER_NUMBER`), at most 40 characters, not a built-in kind's name. Digits are left
    /// out so that a pseudonym token (`<CUSTOMER_NUMBER_1>`) always ends in its only number.
    ///
    /// # Errors
    ///
    /// A label that breaks these rules.
    pub fn custom(label: &str) -> Result<EntityKind, ParseEntityKindError> {
        let bad = || ParseEntityKindError(label.to_owned());
        let well_formed = !label.is_empty()
            && label.len() <= 40
            && label.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
            && !label.starts_with('_')
            && !label.ends_with('_')
            && !label.contains("__");
        if !well_formed || EntityKind::ALL.iter().any(|k| k.as_str() == label) {
            return Err(bad());
        }
        let mut labels = CUSTOM_LABELS.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(known) = labels.iter().copied().find(|l| *l == label) {
            return Ok(EntityKind::Custom(CustomKind(known)));
        }
        let interned: &'static str = Box::leak(label.to_owned().into_boxed_str());
        labels.push(interned);
        Ok(EntityKind::Custom(CustomKind(interned)))
    }
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not an entity kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a known entity kind")]
pub struct ParseEntityKindError(pub String);

impl FromStr for EntityKind {
    type Err = ParseEntityKindError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Configured kinds parse once their configuration has declared them, so that a typo
        // elsewhere (an operator override, a label in evaluation data) is still an error.
        EntityKind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str().eq_ignore_ascii_case(s))
            .or_else(|| {
                known_custom(&s.to_ascii_uppercase()).map(|l| EntityKind::Custom(CustomKind(l)))
            })
            .ok_or_else(|| ParseEntityKindError(s.to_owned()))
    }
}

/// A half-open byte range `[start, end)` into a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    ///
    /// # Panics
    ///
    /// When `end < start`: a reversed span is a bug in the caller.
    pub fn new(start: usize, end: usize) -> Span {
        assert!(start <= end, "reversed span {start}..{end}");
        Span { start, end }
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// Whether the span covers no bytes.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// Whether two spans share at least one byte.
    pub fn overlaps(&self, other: &Span) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// Where a message came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    /// E-mail.
    Email,
    /// A chat widget or messaging app.
    Chat,
    /// A transcribed phone call.
    Voice,
    /// Any other integration through the API.
    Api,
}

impl Channel {
    /// Every channel, in a stable order.
    pub const ALL: &'static [Channel] =
        &[Channel::Email, Channel::Chat, Channel::Voice, Channel::Api];

    /// The lower-case wire name, e.g. `chat`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Chat => "chat",
            Channel::Voice => "voice",
            Channel::Api => "api",
        }
    }
}

/// A name that is not a channel.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a channel (expected one of: email, chat, voice, api)")]
pub struct ParseChannelError(pub String);

impl FromStr for Channel {
    type Err = ParseChannelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Channel::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| ParseChannelError(s.to_owned()))
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A point in time, in milliseconds since the Unix epoch (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// Milliseconds since the Unix epoch.
    pub fn millis(&self) -> i64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lang_parses_only_two_lowercase_letters() {
        assert_eq!("nl".parse::<Lang>().unwrap(), Lang::NL);
        for bad in ["", "d", "DA", "dan", "d1", "dä"] {
            assert!(bad.parse::<Lang>().is_err(), "{bad} parsed");
        }
    }

    #[test]
    fn names_round_trip() {
        for k in EntityKind::ALL {
            assert_eq!(k.as_str().parse::<EntityKind>().unwrap(), *k);
        }
        for c in Channel::ALL {
            assert_eq!(c.as_str().parse::<Channel>().unwrap(), *c);
        }
        for r in Route::ALL {
            assert_eq!(r.as_str().parse::<Route>().unwrap(), *r);
        }
        assert!("fax".parse::<Channel>().is_err());
        for r in EscalationReason::ALL {
            assert_eq!(r.as_str().parse::<EscalationReason>().unwrap(), *r);
        }
    }

    #[test]
    fn decisions_serialise_with_wire_names() {
        let guess = LanguageGuess {
            lang: Some(Lang::DA),
            confidence: 0.9,
        };
        let json = serde_json::to_string(&guess).unwrap();
        assert_eq!(json, r#"{"code":"da","confidence":0.9}"#);
        assert_eq!(serde_json::from_str::<LanguageGuess>(&json).unwrap(), guess);
        assert!(serde_json::from_str::<LanguageGuess>(r#"{"code":"DA","confidence":1}"#).is_err());
        assert_eq!(
            serde_json::to_string(&EscalationReason::HumanRequested).unwrap(),
            r#""human_requested""#
        );
        assert_eq!(serde_json::to_string(&Route::Bot).unwrap(), r#""bot""#);
    }

    #[test]
    fn all_lists_every_entity_kind_once_in_declaration_order() {
        // Exhaustive on purpose: a new variant does not compile until it is placed here, and
        // then the loop fails until it is also in `ALL`.
        let position = |k: EntityKind| match k {
            EntityKind::Email => 0,
            EntityKind::Phone => 1,
            EntityKind::Iban => 2,
            EntityKind::CreditCard => 3,
            EntityKind::IpAddress => 4,
            EntityKind::Url => 5,
            EntityKind::DkCpr => 6,
            EntityKind::NlBsn => 7,
            EntityKind::DeTaxId => 8,
            EntityKind::DeSvnr => 9,
            EntityKind::DeKvnr => 10,
            EntityKind::DeIdDocument => 11,
            EntityKind::VatNumber => 12,
            EntityKind::StreetAddress => 13,
            EntityKind::DateOfBirth => 14,
            EntityKind::Person => 15,
            EntityKind::GbNino => 16,
            EntityKind::GbNhs => 17,
            EntityKind::UsSsn => 18,
            // Configured kinds are declared at run time and are not in `ALL`.
            EntityKind::Custom(_) => usize::MAX,
        };
        assert_eq!(EntityKind::ALL.len(), 19);
        for (i, k) in EntityKind::ALL.iter().enumerate() {
            assert_eq!(position(*k), i, "{k}");
        }
        assert_eq!("dk_cpr".parse::<EntityKind>().unwrap(), EntityKind::DkCpr);
    }

    #[test]
    fn custom_kinds_are_checked_interned_and_parse_once_declared() {
        assert!("ORDER_REFERENCE".parse::<EntityKind>().is_err());
        let k = EntityKind::custom("ORDER_REFERENCE").unwrap();
        assert_eq!(k.as_str(), "ORDER_REFERENCE");
        assert_eq!(EntityKind::custom("ORDER_REFERENCE").unwrap(), k);
        assert_eq!("order_reference".parse::<EntityKind>().unwrap(), k);
        for bad in [
            "",
            "order",
            "ORDER2",
            "_ORDER",
            "ORDER_",
            "A__B",
            "EMAIL",
            &"X".repeat(41),
        ] {
            assert!(EntityKind::custom(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn spans_overlap_only_when_sharing_bytes() {
        let a = Span::new(0, 5);
        assert!(a.overlaps(&Span::new(4, 6)));
        assert!(!a.overlaps(&Span::new(5, 6)));
        assert_eq!(a.len(), 5);
    }
}
