//! Pseudonym ordinals per conversation and per customer: numbering, the scope a conversation
//! keeps, concurrency, erasure and retention.

use std::collections::{BTreeMap, BTreeSet};

use candor_core::{EntityKind, Timestamp};
use candor_store::testing::backdate_customer;
use candor_store::{PseudonymScope, PurgeBatch, RetentionClass, Store};

use crate::{Backend, message, open, per_backend};

per_backend!(
    customer_scope_numbers_a_value_once_for_all_of_a_customers_conversations,
    conversation_scope_numbers_each_conversation_from_one,
    a_conversation_keeps_the_scope_it_was_recorded_with,
    concurrent_messages_of_one_customer_agree_on_every_ordinal,
    erasure_deletes_the_customers_mappings_and_counters,
    retention_deletes_the_mappings_of_customers_whose_last_message_expired,
    retention_unlinks_a_conversations_mappings_but_keeps_its_numbers_taken,
);

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// A stand-in for the keyed digest of a value; the store never sees more than this.
fn digest(n: u8) -> [u8; 32] {
    [n; 32]
}

fn email(n: u8) -> (EntityKind, [u8; 32]) {
    (EntityKind::Email, digest(n))
}

fn now() -> Timestamp {
    Timestamp(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64,
    )
}

/// Purges the expired `message_originals` class in batches of one item until nothing is left,
/// returning every batch that purged something.
async fn purge_originals_one_by_one(
    s: &dyn Store,
    cutoff: Timestamp,
    at: Timestamp,
) -> Vec<PurgeBatch> {
    let record = |count: u64| format!("purged {count}").into_bytes();
    let mut batches = Vec::new();
    loop {
        let batch = s
            .purge_expired(RetentionClass::MessageOriginals, cutoff, 1, at, &record)
            .await
            .unwrap();
        if batch.count == 0 {
            return batches;
        }
        batches.push(batch);
    }
}

async fn customer_scope_numbers_a_value_once_for_all_of_a_customers_conversations(
    backend: Backend,
) {
    let t = open(backend).await;
    let s = &t.store;
    let customer = PseudonymScope::Customer;
    let at = now();
    let first = s
        .pseudonym_ordinals("conv-a", "ann", customer, &[email(1), email(2)], at)
        .await
        .unwrap();
    assert_eq!(first, [1, 2]);
    // Another conversation of the same customer: the known value keeps its number, a new one
    // gets the next, and kinds are numbered apart.
    let second = s
        .pseudonym_ordinals(
            "conv-b",
            "ann",
            customer,
            &[email(3), email(2), (EntityKind::Phone, digest(2))],
            at,
        )
        .await
        .unwrap();
    assert_eq!(second, [3, 2, 1]);
    // Another customer with the same value shares nothing.
    let other = s
        .pseudonym_ordinals("conv-c", "bob", customer, &[email(2)], at)
        .await
        .unwrap();
    assert_eq!(other, [1]);
    // Idempotent.
    let again = s
        .pseudonym_ordinals("conv-a", "ann", customer, &[email(2), email(1)], at)
        .await
        .unwrap();
    assert_eq!(again, [2, 1]);
    assert!(
        s.pseudonym_ordinals("conv-a", "ann", customer, &[], at)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn conversation_scope_numbers_each_conversation_from_one(backend: Backend) {
    let t = open(backend).await;
    let s = &t.store;
    let scope = PseudonymScope::Conversation;
    let at = now();
    let a = s
        .pseudonym_ordinals("conv-a", "ann", scope, &[email(1), email(2)], at)
        .await
        .unwrap();
    let b = s
        .pseudonym_ordinals("conv-b", "ann", scope, &[email(2)], at)
        .await
        .unwrap();
    assert_eq!(a, [1, 2]);
    assert_eq!(b, [1], "a new conversation starts again at 1");
}

async fn a_conversation_keeps_the_scope_it_was_recorded_with(backend: Backend) {
    let t = open(backend).await;
    let s = &t.store;
    let at = now();
    // Recorded per conversation, before the policy switched to customer scope.
    s.pseudonym_ordinals("old", "ann", PseudonymScope::Conversation, &[email(1)], at)
        .await
        .unwrap();
    s.record_message(message("old", "ann", PseudonymScope::Conversation, at))
        .await
        .unwrap();
    // The customer's numbering has already given 1 to another value elsewhere.
    s.pseudonym_ordinals("new", "ann", PseudonymScope::Customer, &[email(9)], at)
        .await
        .unwrap();
    // In the old conversation the old numbering goes on, so its <EMAIL_1> keeps one value.
    let old = s
        .pseudonym_ordinals(
            "old",
            "ann",
            PseudonymScope::Customer,
            &[email(1), email(9)],
            at,
        )
        .await
        .unwrap();
    assert_eq!(old, [1, 2]);
    // And the other way round: a conversation recorded with customer scope keeps it.
    s.record_message(message("new", "ann", PseudonymScope::Customer, at))
        .await
        .unwrap();
    let new = s
        .pseudonym_ordinals(
            "new",
            "ann",
            PseudonymScope::Conversation,
            &[email(5), email(9)],
            at,
        )
        .await
        .unwrap();
    assert_eq!(new, [2, 1]);
}

/// Messages of one customer in several conversations at once, each asking for overlapping
/// values in its own order: every value gets one ordinal, and no ordinal two values.
async fn concurrent_messages_of_one_customer_agree_on_every_ordinal(backend: Backend) {
    let t = open(backend).await;
    let at = now();
    let mut tasks = Vec::new();
    for task in 0..24u8 {
        let store = t.store.clone();
        tasks.push(tokio::spawn(async move {
            // Values 1..=12, a different window and order per task.
            let mut values: Vec<_> = (0..6u8).map(|i| email(1 + (task + i * 5) % 12)).collect();
            if task % 2 == 1 {
                values.reverse();
            }
            let conversation = format!("conv-{}", task % 4);
            let ordinals = store
                .pseudonym_ordinals(&conversation, "ann", PseudonymScope::Customer, &values, at)
                .await
                .unwrap();
            values.into_iter().zip(ordinals).collect::<Vec<_>>()
        }));
    }
    let mut seen: BTreeMap<[u8; 32], u32> = BTreeMap::new();
    for task in tasks {
        for ((_, digest), ordinal) in task.await.unwrap() {
            let first = *seen.entry(digest).or_insert(ordinal);
            assert_eq!(first, ordinal, "one value got two ordinals");
        }
    }
    let ordinals: BTreeSet<u32> = seen.values().copied().collect();
    assert_eq!(ordinals.len(), seen.len(), "one ordinal went to two values");
    assert_eq!(ordinals, (1..=seen.len() as u32).collect::<BTreeSet<_>>());
    assert_eq!(seen.len(), 12);
}

async fn erasure_deletes_the_customers_mappings_and_counters(backend: Backend) {
    let t = open(backend).await;
    let s = &t.store;
    let at = now();
    for conv in ["conv-a", "conv-b"] {
        s.pseudonym_ordinals(
            conv,
            "ann",
            PseudonymScope::Customer,
            &[email(1), email(2)],
            at,
        )
        .await
        .unwrap();
        s.record_message(message(conv, "ann", PseudonymScope::Customer, at))
            .await
            .unwrap();
    }
    s.pseudonym_ordinals("conv-c", "bob", PseudonymScope::Customer, &[email(1)], at)
        .await
        .unwrap();
    s.record_message(message("conv-c", "bob", PseudonymScope::Customer, at))
        .await
        .unwrap();

    let counts = s.erase_customer("ann", "erased:ann-hash").await.unwrap();
    assert_eq!(counts.pseudonyms, 2, "ann's two customer-wide mappings");
    // A new conversation under the same id starts from nothing: no digest and no counter of
    // theirs is left.
    let after = s
        .pseudonym_ordinals("conv-d", "ann", PseudonymScope::Customer, &[email(2)], at)
        .await
        .unwrap();
    assert_eq!(after, [1]);
    // Nor did the erased conversations keep a mapping under the replacement id.
    let replaced = s
        .pseudonym_ordinals(
            "conv-e",
            "erased:ann-hash",
            PseudonymScope::Customer,
            &[email(2)],
            at,
        )
        .await
        .unwrap();
    assert_eq!(replaced, [1]);
    // Bob is untouched.
    let bob = s
        .pseudonym_ordinals(
            "conv-c",
            "bob",
            PseudonymScope::Customer,
            &[email(7), email(1)],
            at,
        )
        .await
        .unwrap();
    assert_eq!(bob, [2, 1]);
}

async fn retention_deletes_the_mappings_of_customers_whose_last_message_expired(backend: Backend) {
    let t = open(backend).await;
    let s = &t.store;
    let at = now();
    for (customer, conv) in [("ann", "conv-a"), ("bob", "conv-b")] {
        s.pseudonym_ordinals(
            conv,
            customer,
            PseudonymScope::Customer,
            &[email(1), email(2)],
            at,
        )
        .await
        .unwrap();
        s.record_message(message(conv, customer, PseudonymScope::Customer, at))
            .await
            .unwrap();
    }
    // Ann last wrote 100 days ago; Bob wrote 100 days ago too, but also today in another
    // conversation, so his mappings may still number values of live vaults.
    backdate_customer(&t.target, "ann", 100 * DAY_MS).await;
    backdate_customer(&t.target, "bob", 100 * DAY_MS).await;
    s.pseudonym_ordinals("conv-b2", "bob", PseudonymScope::Customer, &[email(3)], at)
        .await
        .unwrap();
    s.record_message(message("conv-b2", "bob", PseudonymScope::Customer, at))
        .await
        .unwrap();

    let cutoff = Timestamp(at.millis() - 90 * DAY_MS);
    let expired = s
        .expired(RetentionClass::MessageOriginals, cutoff)
        .await
        .unwrap();
    // Ann's original and her two mappings; Bob's old original. No vault values were stored.
    assert_eq!(expired.count, 4, "{expired:?}");
    let purged: u64 = purge_originals_one_by_one(s.as_ref(), cutoff, at)
        .await
        .iter()
        .map(|b| b.count)
        .sum();
    assert_eq!(purged, 4);
    assert_eq!(
        s.expired(RetentionClass::MessageOriginals, cutoff)
            .await
            .unwrap()
            .count,
        0
    );
    // Ann comes back: her old value gets a new number, never one given before.
    let ann = s
        .pseudonym_ordinals(
            "conv-a3",
            "ann",
            PseudonymScope::Customer,
            &[email(2), email(1)],
            at,
        )
        .await
        .unwrap();
    assert_eq!(ann, [3, 4]);
    // Bob's mappings stayed.
    let bob = s
        .pseudonym_ordinals(
            "conv-b2",
            "bob",
            PseudonymScope::Customer,
            &[email(2), email(1), email(3)],
            at,
        )
        .await
        .unwrap();
    assert_eq!(bob, [2, 1, 3]);
}

async fn retention_unlinks_a_conversations_mappings_but_keeps_its_numbers_taken(backend: Backend) {
    let t = open(backend).await;
    let s = &t.store;
    let at = now();
    let scope = PseudonymScope::Conversation;
    for (customer, conv) in [("ann", "conv-a"), ("bob", "conv-b")] {
        s.pseudonym_ordinals(conv, customer, scope, &[email(1), email(2)], at)
            .await
            .unwrap();
        s.record_message(message(conv, customer, scope, at))
            .await
            .unwrap();
    }
    // Ann's conversation last heard from her 100 days ago; Bob's is live.
    backdate_customer(&t.target, "ann", 100 * DAY_MS).await;

    let cutoff = Timestamp(at.millis() - 90 * DAY_MS);
    let expired = s
        .expired(RetentionClass::MessageOriginals, cutoff)
        .await
        .unwrap();
    // Ann's original and her conversation's two mappings.
    assert_eq!(expired.count, 3, "{expired:?}");
    let batches = purge_originals_one_by_one(s.as_ref(), cutoff, at).await;
    assert!(
        batches.iter().all(|b| b.audit_index.is_some()),
        "every batch is recorded"
    );
    let purged: u64 = batches.iter().map(|b| b.count).sum();
    assert_eq!(purged, 3);
    assert_eq!(
        s.expired(RetentionClass::MessageOriginals, cutoff)
            .await
            .unwrap()
            .count,
        0,
        "a purged mapping is not counted again"
    );
    // Ann returns to the same conversation: her old values no longer link to their numbers,
    // and they get new ones, never 1 or 2, which older text of the conversation may still show.
    let ann = s
        .pseudonym_ordinals("conv-a", "ann", scope, &[email(2), email(1)], at)
        .await
        .unwrap();
    assert_eq!(ann, [3, 4]);
    // Bob's live conversation keeps its mappings.
    let bob = s
        .pseudonym_ordinals("conv-b", "bob", scope, &[email(2), email(1)], at)
        .await
        .unwrap();
    assert_eq!(bob, [2, 1]);
}
