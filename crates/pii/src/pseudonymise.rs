//! Replacing personal data with stable pseudonyms such as `<EMAIL_1>`.
//!
//! A pseudonym is stable within a conversation: the same value (by its canonical form) gets
//! the same token every time it appears. The mapping from value to ordinal is kept by the
//! caller (the store), keyed by a [`PseudonymKey`] digest so that the mapping never holds the
//! value itself.

use std::collections::HashMap;
use std::sync::LazyLock;

use candor_core::EntityKind;
use hmac::{Hmac, KeyInit, Mac};
use regex::Regex;
use sha2::Sha256;

use crate::Detection;

/// A secret key for keyed hashes (HMAC-SHA256) of personal data.
///
/// Keyed, so that someone holding the database but not the key cannot confirm a guessed
/// e-mail address or phone number by hashing it.
#[derive(Clone)]
pub struct PseudonymKey([u8; 32]);

impl std::fmt::Debug for PseudonymKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PseudonymKey(..)")
    }
}

impl PseudonymKey {
    /// A key from 32 secret bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> PseudonymKey {
        PseudonymKey(bytes)
    }

    fn mac(&self, domain: &[u8], parts: &[&[u8]]) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0)
            .expect("HMAC accepts any key length");
        mac.update(domain);
        for part in parts {
            // Length-prefix each part so that ("ab", "c") and ("a", "bc") differ.
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }

    /// The digest that identifies a value of `kind` without revealing it.
    pub fn digest(&self, kind: EntityKind, canonical: &str) -> [u8; 32] {
        self.mac(
            b"candor/pii-value/v1",
            &[kind.as_str().as_bytes(), canonical.as_bytes()],
        )
    }

    /// A keyed hash of an identifier (a customer id), for logs and audit records.
    pub fn identifier_hash(&self, identifier: &str) -> String {
        hex::encode(&self.mac(b"candor/identifier/v1", &[identifier.as_bytes()])[..16])
    }
}

/// The token that stands for the `ordinal`-th distinct value of `kind` in a conversation.
pub fn token(kind: EntityKind, ordinal: u32) -> String {
    format!("<{}_{}>", kind.as_str(), ordinal)
}

/// Ordinals for `detections` (in position order) within one text alone, without a store: the
/// first distinct canonical value of each kind gets 1, the next 2, and a repeated value keeps
/// its ordinal.
///
/// The message path numbers values per conversation through the store instead; this is for
/// texts handled on their own, such as `candor pii detect`.
pub fn local_ordinals(detections: &[Detection]) -> Vec<u32> {
    let mut seen: HashMap<(EntityKind, &str), u32> = HashMap::new();
    let mut next: HashMap<EntityKind, u32> = HashMap::new();
    detections
        .iter()
        .map(|d| {
            *seen
                .entry((d.kind, d.canonical.as_str()))
                .or_insert_with(|| {
                    let n = next.entry(d.kind).or_insert(0);
                    *n += 1;
                    *n
                })
        })
        .collect()
}

static TOKEN_LIKE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<([A-Z][A-Z_]*_\d+)>").expect("valid token pattern"));

/// Rewrites `text` with each detection replaced by its token.
///
/// `ordinals[i]` is the ordinal of `detections[i]`; detections must not overlap and must be
/// ordered by position (as [`crate::Registry::detect`] returns them). Text that merely looks
/// like a token (a customer typing `<EMAIL_1>`) is defanged to `‹EMAIL_1›`, so that a token in
/// the output always means a real pseudonym.
///
/// # Panics
///
/// When `ordinals` and `detections` differ in length, or detections overlap: both are bugs in
/// the caller.
pub fn pseudonymise(text: &str, detections: &[Detection], ordinals: &[u32]) -> String {
    assert_eq!(
        detections.len(),
        ordinals.len(),
        "one ordinal per detection"
    );
    let mut out = String::with_capacity(text.len() + 16 * detections.len());
    let mut at = 0;
    for (d, ordinal) in detections.iter().zip(ordinals) {
        assert!(d.span.start >= at, "detections overlap or are out of order");
        push_defanged(&mut out, &text[at..d.span.start]);
        out.push_str(&token(d.kind, *ordinal));
        at = d.span.end;
    }
    push_defanged(&mut out, &text[at..]);
    out
}

fn push_defanged(out: &mut String, plain: &str) {
    let mut at = 0;
    for caps in TOKEN_LIKE.captures_iter(plain) {
        let m = caps.get(0).expect("group 0 always matches");
        out.push_str(&plain[at..m.start()]);
        out.push('‹');
        out.push_str(&caps[1]);
        out.push('›');
        at = m.end();
    }
    out.push_str(&plain[at..]);
}

/// `text` with every pseudonym token blanked out, for models that should judge only the
/// customer's own words (a language identifier reading `<EMAIL_1>` as English, say).
pub fn without_tokens(pseudonymised: &str) -> String {
    TOKEN_LIKE.replace_all(pseudonymised, " ").into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Registry;

    #[test]
    fn replaces_values_with_tokens_and_defangs_look_alikes() {
        let text = "I am <EMAIL_1>, really a@b.dk and c@d.dk";
        let found = Registry::default().detect(text);
        let out = pseudonymise(text, &found, &[1, 2]);
        assert_eq!(out, "I am ‹EMAIL_1›, really <EMAIL_1> and <EMAIL_2>");
        assert_eq!(without_tokens(&out), "I am ‹EMAIL_1›, really   and  ");
    }

    #[test]
    fn local_ordinals_count_distinct_values_per_kind() {
        let text = "a@b.dk, 22 33 44 55, A@B.DK, c@d.dk, +45 22334455";
        let found = Registry::default().detect(text);
        let ordinals = local_ordinals(&found);
        assert_eq!(ordinals, vec![1, 1, 1, 2, 1]);
        assert_eq!(
            pseudonymise(text, &found, &ordinals),
            "<EMAIL_1>, <PHONE_1>, <EMAIL_1>, <EMAIL_2>, <PHONE_1>"
        );
        assert!(local_ordinals(&[]).is_empty());
    }

    #[test]
    fn digests_are_keyed_and_separate_kinds() {
        let a = PseudonymKey::from_bytes([1; 32]);
        let b = PseudonymKey::from_bytes([2; 32]);
        assert_ne!(
            a.digest(EntityKind::Email, "x"),
            b.digest(EntityKind::Email, "x")
        );
        assert_ne!(
            a.digest(EntityKind::Email, "x"),
            a.digest(EntityKind::Phone, "x")
        );
        assert_eq!(a.identifier_hash("c-1"), a.identifier_hash("c-1"));
        assert_eq!(a.identifier_hash("c-1").len(), 32);
    }
}
