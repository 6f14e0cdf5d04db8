//! What happens to each piece of personal data once it is found: the operators.
//!
//! [`Operators`] chooses one [`Operator`] per entity kind (with a default), and
//! [`Operators::apply`] rewrites a text in one pass over its detections. The result holds the
//! new text and a [`Mapping`]: for every replaced span, where it was, where its replacement
//! is, and the original value. The mapping is the secret half: it belongs in the vault, and
//! [`reveal`] uses it (with an explicit [`RevealAuthorisation`]) to restore the original text
//! exactly, returning a [`RevealEvent`] for the audit log.
//!
//! Encrypted values need no mapping: the token `<EMAIL:enc1:…>` carries the kind, a format
//! version and the sealed value, and [`decrypt_tokens`] opens it again with the same
//! [`EncryptionKey`].

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use candor_core::{EntityKind, Span};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use regex::Regex;

use crate::{Detection, Normalised, PseudonymKey, token};

/// One way of replacing a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    /// Remove the value: nothing takes its place.
    Redact,
    /// Replace every character but the last `keep_last` by `mask_char` (`************4444`),
    /// so that an agent can still tell two cards apart.
    Mask {
        /// How many trailing characters stay readable.
        keep_last: usize,
        /// The character that hides the others.
        mask_char: char,
    },
    /// Replace the value by its kind alone (`<EMAIL>`): two values become indistinguishable.
    Type,
    /// Replace the value by a stable numbered token (`<PERSON_1>`): the same value gets the
    /// same token, so the text still says "the same person again".
    Pseudonym,
    /// Replace the value by a self-describing ciphertext token (`<EMAIL:enc1:…>`) that
    /// [`decrypt_tokens`] opens with the [`EncryptionKey`].
    Encrypt,
}

impl Operator {
    /// The default mask: keep the last four characters, hide the rest with `*`.
    pub const MASK: Operator = Operator::Mask {
        keep_last: 4,
        mask_char: '*',
    };

    /// The operator's name as written in configuration and on the command line.
    pub fn name(&self) -> &'static str {
        match self {
            Operator::Redact => "redact",
            Operator::Mask { .. } => "mask",
            Operator::Type => "type",
            Operator::Pseudonym => "pseudonym",
            Operator::Encrypt => "encrypt",
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Errors of the operators and of [`reveal`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OperatorError {
    /// An operator name that is not one of the five.
    #[error("unknown operator `{0}` (expected redact, mask, type, pseudonym or encrypt)")]
    UnknownOperator(String),
    /// A `KIND=operator` override naming no entity kind.
    #[error("unknown entity kind `{0}` in an operator override")]
    UnknownKind(String),
    /// `encrypt` was chosen but no key was given.
    #[error("the encrypt operator needs an encryption key")]
    MissingKey,
    /// Key material that is not 32 bytes written as 64 hex digits.
    #[error("an encryption key must be exactly 64 hex digits")]
    BadKey,
    /// A reveal authorisation without a person or a reason.
    #[error("a reveal must say who asks and why ({0} is empty)")]
    IncompleteAuthorisation(&'static str),
    /// The text no longer holds a replacement where the mapping says it is.
    #[error("the text does not match its mapping at bytes {start}..{end}")]
    MappingMismatch {
        /// Start of the span in the rewritten text.
        start: usize,
        /// End of the span in the rewritten text.
        end: usize,
    },
    /// An encrypted token that does not open with this key (wrong key, or tampered).
    #[error("encrypted token at byte {0} does not open with this key")]
    Undecryptable(usize),
}

impl FromStr for Operator {
    type Err = OperatorError;
    /// `redact`, `mask` (last 4 kept, `*`), `mask:N` or `mask:N:C` (last N kept, mask char C),
    /// `type`, `pseudonym` or `encrypt`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unknown = || OperatorError::UnknownOperator(s.to_owned());
        let mut parts = s.splitn(3, ':');
        let head = parts.next().unwrap_or_default().to_ascii_lowercase();
        let op = match head.as_str() {
            "redact" => Operator::Redact,
            "type" | "replace" => Operator::Type,
            "pseudonym" | "pseudonymise" => Operator::Pseudonym,
            "encrypt" => Operator::Encrypt,
            "mask" => {
                let keep_last = match parts.next() {
                    None => 4,
                    Some(n) => n.parse().map_err(|_| unknown())?,
                };
                let mask_char = match parts.next() {
                    None => '*',
                    Some(c) => {
                        let mut chars = c.chars();
                        match (chars.next(), chars.next()) {
                            (Some(c), None) => c,
                            _ => return Err(unknown()),
                        }
                    }
                };
                return Ok(Operator::Mask {
                    keep_last,
                    mask_char,
                });
            }
            _ => return Err(unknown()),
        };
        if parts.next().is_some() {
            return Err(unknown());
        }
        Ok(op)
    }
}

/// A 32-byte key for the encrypt operator, from a key file or the environment, never from
/// the database: whoever holds the database alone cannot open the tokens.
#[derive(Clone)]
pub struct EncryptionKey([u8; 32]);

impl fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EncryptionKey(..)")
    }
}

impl EncryptionKey {
    /// A key from 32 secret bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> EncryptionKey {
        EncryptionKey(bytes)
    }

    /// A key written as 64 hex digits (surrounding whitespace ignored), as in a key file.
    ///
    /// # Errors
    ///
    /// [`OperatorError::BadKey`] for anything else.
    pub fn from_hex(text: &str) -> Result<EncryptionKey, OperatorError> {
        hex::decode(text.trim())
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .map(EncryptionKey)
            .ok_or(OperatorError::BadKey)
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&self.0.into())
    }

    /// The token for `value` of `kind`: `<KIND:enc1:base64url(nonce || ciphertext)>`. The kind
    /// is authenticated too, so a token relabelled as another kind does not open.
    pub fn seal(&self, kind: &str, value: &str) -> String {
        let nonce: [u8; NONCE_LEN] = rand::random();
        let sealed = self
            .cipher()
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: value.as_bytes(),
                    aad: kind.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 encrypts any message that fits in memory");
        let mut bytes = Vec::with_capacity(NONCE_LEN + sealed.len());
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(&sealed);
        format!("<{kind}:{ENC_VERSION}:{}>", B64.encode(bytes))
    }

    fn open(&self, kind: &str, payload: &str) -> Option<String> {
        let bytes = B64.decode(payload).ok()?;
        if bytes.len() < NONCE_LEN {
            return None;
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().ok()?;
        let plain = self
            .cipher()
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: sealed,
                    aad: kind.as_bytes(),
                },
            )
            .ok()?;
        String::from_utf8(plain).ok()
    }
}

const NONCE_LEN: usize = 24;
const ENC_VERSION: &str = "enc1";

static ENCRYPTED_TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"<([A-Z][A-Z0-9_]*):enc1:([A-Za-z0-9_-]+)>").expect("valid token pattern")
});

/// `text` with every encrypted token (`<KIND:enc1:…>`) replaced by the value it seals.
///
/// # Errors
///
/// [`OperatorError::Undecryptable`] when a token does not open with `key`: the whole text is
/// refused rather than half-decrypted.
pub fn decrypt_tokens(text: &str, key: &EncryptionKey) -> Result<String, OperatorError> {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for caps in ENCRYPTED_TOKEN.captures_iter(text) {
        let m = caps.get(0).expect("group 0 always matches");
        let value = key
            .open(&caps[1], &caps[2])
            .ok_or(OperatorError::Undecryptable(m.start()))?;
        out.push_str(&text[at..m.start()]);
        out.push_str(&value);
        at = m.end();
    }
    out.push_str(&text[at..]);
    Ok(out)
}

/// The numbering behind the pseudonym operator: which token each value has.
///
/// Values are identified by their [`PseudonymKey`] digest, never kept in clear, so a table
/// may be stored and reloaded ([`Pseudonyms::entries`], [`Pseudonyms::from_entries`]) to keep
/// tokens stable across all of one customer's conversations. Without a key (a text handled on
/// its own) a fixed all-zero key is used, which is enough for numbering within the text.
#[derive(Debug, Clone)]
pub struct Pseudonyms {
    key: PseudonymKey,
    ordinals: HashMap<(EntityKind, [u8; 32]), u32>,
    next: HashMap<EntityKind, u32>,
}

impl Default for Pseudonyms {
    fn default() -> Self {
        Pseudonyms::new(PseudonymKey::from_bytes([0; 32]))
    }
}

impl Pseudonyms {
    /// An empty table keyed by `key`.
    pub fn new(key: PseudonymKey) -> Pseudonyms {
        Pseudonyms {
            key,
            ordinals: HashMap::new(),
            next: HashMap::new(),
        }
    }

    /// A table holding `entries` (kind, digest, ordinal) from an earlier conversation of the
    /// same customer; new values continue after the highest ordinal of their kind.
    pub fn from_entries(
        key: PseudonymKey,
        entries: impl IntoIterator<Item = (EntityKind, [u8; 32], u32)>,
    ) -> Pseudonyms {
        let mut table = Pseudonyms::new(key);
        for (kind, digest, ordinal) in entries {
            table.ordinals.insert((kind, digest), ordinal);
            let next = table.next.entry(kind).or_insert(0);
            *next = (*next).max(ordinal);
        }
        table
    }

    /// Every (kind, digest, ordinal) known, for storing.
    pub fn entries(&self) -> Vec<(EntityKind, [u8; 32], u32)> {
        let mut out: Vec<_> = self
            .ordinals
            .iter()
            .map(|((kind, digest), ordinal)| (*kind, *digest, *ordinal))
            .collect();
        out.sort_by_key(|(kind, _, ordinal)| (*kind, *ordinal));
        out
    }

    /// The ordinal of `canonical` as a value of `kind`, assigning the next one if it is new.
    pub fn ordinal(&mut self, kind: EntityKind, canonical: &str) -> u32 {
        let digest = self.key.digest(kind, canonical);
        *self.ordinals.entry((kind, digest)).or_insert_with(|| {
            let n = self.next.entry(kind).or_insert(0);
            *n += 1;
            *n
        })
    }
}

/// The operator for each kind, and the state some operators need.
#[derive(Debug, Clone)]
pub struct Operators {
    default: Operator,
    per_kind: HashMap<EntityKind, Operator>,
    key: Option<EncryptionKey>,
}

impl Operators {
    /// `default` for every kind, no encryption key.
    pub fn new(default: Operator) -> Operators {
        Operators {
            default,
            per_kind: HashMap::new(),
            key: None,
        }
    }

    /// These operators with `operator` for values of `kind`.
    pub fn with_kind(mut self, kind: EntityKind, operator: Operator) -> Operators {
        self.per_kind.insert(kind, operator);
        self
    }

    /// These operators with the key that [`Operator::Encrypt`] seals values under.
    pub fn with_key(mut self, key: EncryptionKey) -> Operators {
        self.key = Some(key);
        self
    }

    /// The operator for values of `kind`.
    pub fn for_kind(&self, kind: EntityKind) -> Operator {
        self.per_kind.get(&kind).copied().unwrap_or(self.default)
    }

    /// Checks that the operators can run: encrypt needs a key.
    ///
    /// # Errors
    ///
    /// [`OperatorError::MissingKey`] when some kind is to be encrypted and no key was given.
    pub fn validate(&self) -> Result<(), OperatorError> {
        let encrypts = self.default == Operator::Encrypt
            || self.per_kind.values().any(|o| *o == Operator::Encrypt);
        if encrypts && self.key.is_none() {
            return Err(OperatorError::MissingKey);
        }
        Ok(())
    }

    /// Rewrites `text`, replacing each detection with its kind's operator, and records every
    /// change in the returned mapping.
    ///
    /// `detections` hold byte spans into `text` (map them back with the offset map first
    /// when they were found in normalised text), in position order and without overlaps, as
    /// [`crate::Registry::detect`] returns them. Text that merely looks like a token
    /// (`<EMAIL_1>` typed by a customer) is defanged to `‹EMAIL_1›`, so that a token in the
    /// output always means a real replacement; the defanging is in the mapping too, so that
    /// [`reveal`] restores the text exactly.
    ///
    /// # Errors
    ///
    /// [`OperatorError::MissingKey`] when a value is to be encrypted without a key.
    ///
    /// # Panics
    ///
    /// When detections overlap, are out of order or do not lie on char boundaries of `text`:
    /// bugs in the caller.
    pub fn apply(
        &self,
        text: &str,
        detections: &[Detection],
        pseudonyms: &mut Pseudonyms,
    ) -> Result<Rewritten, OperatorError> {
        self.validate()?;
        let mut out = String::with_capacity(text.len() + 16 * detections.len());
        let mut mapping = Vec::with_capacity(detections.len());
        let mut at = 0;
        for d in detections {
            assert!(d.span.start >= at, "detections overlap or are out of order");
            defang(&mut out, &mut mapping, text, at, d.span.start);
            let value = &text[d.span.start..d.span.end];
            let operator = self.for_kind(d.kind);
            let start = out.len();
            match operator {
                Operator::Redact => {}
                Operator::Mask {
                    keep_last,
                    mask_char,
                } => {
                    let n = value.chars().count();
                    for (i, c) in value.chars().enumerate() {
                        out.push(if i + keep_last >= n { c } else { mask_char });
                    }
                }
                Operator::Type => {
                    out.push('<');
                    out.push_str(d.kind.as_str());
                    out.push('>');
                }
                Operator::Pseudonym => {
                    out.push_str(&token(d.kind, pseudonyms.ordinal(d.kind, &d.canonical)))
                }
                Operator::Encrypt => {
                    let key = self.key.as_ref().ok_or(OperatorError::MissingKey)?;
                    out.push_str(&key.seal(d.kind.as_str(), value));
                }
            }
            mapping.push(Replacement {
                original: d.span,
                output: Span::new(start, out.len()),
                kind: Some(d.kind),
                operator: Some(operator),
                value: value.to_owned(),
            });
            at = d.span.end;
        }
        defang(&mut out, &mut mapping, text, at, text.len());
        Ok(Rewritten {
            text: out,
            mapping: Mapping(mapping),
        })
    }

    /// [`Operators::apply`] to the ORIGINAL text of `normalised`, with `detections` found in
    /// the normalised text mapped back through its offset map: the customer's own spelling
    /// (fullwidth digits, invisible characters) is kept everywhere but in the replaced
    /// values, and the mapping restores the text exactly as it came.
    ///
    /// # Errors
    ///
    /// As [`Operators::apply`].
    pub fn apply_original(
        &self,
        original: &str,
        normalised: &Normalised,
        detections: &[Detection],
        pseudonyms: &mut Pseudonyms,
    ) -> Result<Rewritten, OperatorError> {
        let mapped: Vec<Detection> = detections
            .iter()
            .map(|d| Detection {
                span: normalised.map.to_original(d.span),
                ..d.clone()
            })
            .collect();
        self.apply(original, &mapped, pseudonyms)
    }
}

static TOKEN_LIKE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<([A-Z][A-Z0-9_]*(?:_\d+|:enc1:[A-Za-z0-9_-]+)?)>").unwrap());

/// Copies `text[from..to]` to `out`, defanging every token look-alike and recording it.
fn defang(out: &mut String, mapping: &mut Vec<Replacement>, text: &str, from: usize, to: usize) {
    let plain = &text[from..to];
    let mut at = 0;
    for caps in TOKEN_LIKE.captures_iter(plain) {
        let m = caps.get(0).expect("group 0 always matches");
        out.push_str(&plain[at..m.start()]);
        let start = out.len();
        out.push('‹');
        out.push_str(&caps[1]);
        out.push('›');
        mapping.push(Replacement {
            original: Span::new(from + m.start(), from + m.end()),
            output: Span::new(start, out.len()),
            kind: None,
            operator: None,
            value: m.as_str().to_owned(),
        });
        at = m.end();
    }
    out.push_str(&plain[at..]);
}

/// One change made by [`Operators::apply`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replacement {
    /// Where the value was, in bytes of the input text.
    pub original: Span,
    /// Where its replacement is, in bytes of the rewritten text (empty for redact).
    pub output: Span,
    /// The kind of the value; `None` for a token look-alike that was defanged.
    pub kind: Option<EntityKind>,
    /// The operator applied; `None` for a defanged look-alike.
    pub operator: Option<Operator>,
    /// The original value: secret, for the vault only.
    pub value: String,
}

/// Every change made to one text, in position order. It holds the original values, so it is
/// kept in the vault, never beside the rewritten text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mapping(pub Vec<Replacement>);

impl Mapping {
    /// The changes that replaced personal data (not the defanged look-alikes).
    pub fn values(&self) -> impl Iterator<Item = &Replacement> {
        self.0.iter().filter(|r| r.kind.is_some())
    }
}

/// A rewritten text and how it was rewritten.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewritten {
    /// The text with every value replaced.
    pub text: String,
    /// The changes, for the vault and for [`reveal`].
    pub mapping: Mapping,
}

/// Permission to re-identify: who asks and why. The fields are private, so the only way to
/// get one is [`RevealAuthorisation::new`], which refuses an empty person or reason; a reveal
/// can therefore not happen by accident or without a stated purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevealAuthorisation {
    who: String,
    why: String,
}

impl RevealAuthorisation {
    /// An authorisation for `who` (a user or role identifier) with the reason `why`.
    ///
    /// # Errors
    ///
    /// [`OperatorError::IncompleteAuthorisation`] when either is blank.
    pub fn new(
        who: impl Into<String>,
        why: impl Into<String>,
    ) -> Result<RevealAuthorisation, OperatorError> {
        let (who, why) = (who.into(), why.into());
        if who.trim().is_empty() {
            return Err(OperatorError::IncompleteAuthorisation("who"));
        }
        if why.trim().is_empty() {
            return Err(OperatorError::IncompleteAuthorisation("why"));
        }
        Ok(RevealAuthorisation { who, why })
    }

    /// Who asked.
    pub fn who(&self) -> &str {
        &self.who
    }

    /// Why.
    pub fn why(&self) -> &str {
        &self.why
    }
}

/// What a reveal did, to be appended to the audit log. It names the kinds and how many
/// values were revealed, never the values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevealEvent {
    /// Who asked.
    pub who: String,
    /// Why.
    pub why: String,
    /// The kind of every value revealed, in position order.
    pub kinds: Vec<EntityKind>,
}

/// A re-identified text and the audit event to record for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revealed {
    /// The original text.
    pub text: String,
    /// The event to append to the audit log.
    pub event: RevealEvent,
}

/// Restores the original of `rewritten` from its `mapping`.
///
/// # Errors
///
/// [`OperatorError::MappingMismatch`] when `rewritten` is not the text the mapping was made
/// for (a replacement span lies outside it or not on char boundaries, or spans are out of
/// order): a reveal never guesses.
pub fn reveal(
    rewritten: &str,
    mapping: &Mapping,
    authorisation: &RevealAuthorisation,
) -> Result<Revealed, OperatorError> {
    let mut out = String::with_capacity(rewritten.len());
    let mut at = 0;
    for r in &mapping.0 {
        let Span { start, end } = r.output;
        let mismatch = OperatorError::MappingMismatch { start, end };
        if start < at || rewritten.get(at..start).is_none() || rewritten.get(start..end).is_none() {
            return Err(mismatch);
        }
        out.push_str(&rewritten[at..start]);
        out.push_str(&r.value);
        at = end;
    }
    out.push_str(rewritten.get(at..).ok_or(OperatorError::MappingMismatch {
        start: at,
        end: rewritten.len(),
    })?);
    Ok(Revealed {
        text: out,
        event: RevealEvent {
            who: authorisation.who.clone(),
            why: authorisation.why.clone(),
            kinds: mapping.values().filter_map(|r| r.kind).collect(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Registry;

    fn run(ops: &Operators, text: &str) -> Rewritten {
        let found = Registry::default().detect(text);
        ops.apply(text, &found, &mut Pseudonyms::default()).unwrap()
    }

    const TEXT: &str = "Mail ole@example.dk or OLE@example.dk, card 4111 1111 1111 1111.";

    #[test]
    fn each_operator_rewrites_values() {
        assert_eq!(
            run(&Operators::new(Operator::Redact), TEXT).text,
            "Mail  or , card ."
        );
        assert_eq!(
            run(&Operators::new(Operator::Type), TEXT).text,
            "Mail <EMAIL> or <EMAIL>, card <CREDIT_CARD>."
        );
        assert_eq!(
            run(&Operators::new(Operator::Pseudonym), TEXT).text,
            "Mail <EMAIL_1> or <EMAIL_1>, card <CREDIT_CARD_1>."
        );
        let masked = Operators::new(Operator::Pseudonym).with_kind(
            EntityKind::CreditCard,
            Operator::Mask {
                keep_last: 4,
                mask_char: '#',
            },
        );
        assert_eq!(
            run(&masked, TEXT).text,
            "Mail <EMAIL_1> or <EMAIL_1>, card ###############1111."
        );
    }

    #[test]
    fn encrypted_tokens_decrypt_back_and_only_with_the_key() {
        let key = EncryptionKey::from_bytes([7; 32]);
        let ops = Operators::new(Operator::Encrypt).with_key(key.clone());
        let out = run(&ops, TEXT);
        assert!(out.text.starts_with("Mail <EMAIL:enc1:"), "{}", out.text);
        assert!(!out.text.contains("ole@"));
        assert_eq!(decrypt_tokens(&out.text, &key).unwrap(), TEXT);
        let other = EncryptionKey::from_bytes([8; 32]);
        assert_eq!(
            decrypt_tokens(&out.text, &other),
            Err(OperatorError::Undecryptable(5))
        );
        // The kind is authenticated: relabelling a token breaks it.
        let relabelled = out.text.replacen("<EMAIL:", "<PHONE:", 1);
        assert!(decrypt_tokens(&relabelled, &key).is_err());
        assert_eq!(
            Operators::new(Operator::Encrypt).apply(TEXT, &[], &mut Pseudonyms::default()),
            Err(OperatorError::MissingKey)
        );
    }

    #[test]
    fn reveal_restores_and_records_who_and_why() {
        let text = "I typed <EMAIL_1> myself; write to a@b.dk";
        let out = run(&Operators::new(Operator::Redact), text);
        assert_eq!(out.text, "I typed ‹EMAIL_1› myself; write to ");
        let auth = RevealAuthorisation::new("dpo:anna", "subject access request 17").unwrap();
        let back = reveal(&out.text, &out.mapping, &auth).unwrap();
        assert_eq!(back.text, text);
        assert_eq!(back.event.kinds, vec![EntityKind::Email]);
        assert_eq!(back.event.who, "dpo:anna");
        assert!(reveal("short", &out.mapping, &auth).is_err());
        assert_eq!(
            RevealAuthorisation::new("anna", "  "),
            Err(OperatorError::IncompleteAuthorisation("why"))
        );
    }

    #[test]
    fn pseudonyms_continue_across_conversations_of_one_customer() {
        let key = PseudonymKey::from_bytes([3; 32]);
        let mut first = Pseudonyms::new(key.clone());
        assert_eq!(first.ordinal(EntityKind::Email, "a@b.dk"), 1);
        assert_eq!(first.ordinal(EntityKind::Email, "c@d.dk"), 2);
        let mut second = Pseudonyms::from_entries(key, first.entries());
        assert_eq!(second.ordinal(EntityKind::Email, "c@d.dk"), 2);
        assert_eq!(second.ordinal(EntityKind::Email, "e@f.dk"), 3);
        assert_eq!(second.ordinal(EntityKind::Phone, "+4522334455"), 1);
    }

    #[test]
    fn operator_names_parse_with_mask_options() {
        assert_eq!("redact".parse(), Ok(Operator::Redact));
        assert_eq!("mask".parse(), Ok(Operator::MASK));
        assert_eq!(
            "mask:2:x".parse(),
            Ok(Operator::Mask {
                keep_last: 2,
                mask_char: 'x'
            })
        );
        assert!("mask:two".parse::<Operator>().is_err());
        assert!("scramble".parse::<Operator>().is_err());
        assert!("type:3".parse::<Operator>().is_err());
    }
}
