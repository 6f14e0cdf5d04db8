//! Retention: what of each data class is older than its cutoff, and purging it in batches.
//!
//! [`RetentionStore`] is a supertrait of [`Store`](crate::Store), implemented for both backends
//! by `retention_store_impl!` with the same shared SQL. Originals and vault values are deleted;
//! derived rows stay (their route, rule, versions and audit index are the record of what
//! happened) with their free text replaced by `[purged]` and the time of the purge noted, so
//! that a purge never counts or changes the same item twice. The audit ledger is never purged.

use async_trait::async_trait;
use candor_core::Timestamp;

use crate::StoreError;

/// A class of data with its own retention period (`[retention]` in `policy.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RetentionClass {
    /// Sealed original messages, the sealed personal-data values of the vault, and the
    /// customer-wide pseudonym mappings of customers whose last message has expired.
    MessageOriginals,
    /// Pseudonymised message texts and the texts of agents' replies.
    PseudonymisedText,
    /// Stored decisions (the whole decision, its reasons and explanation).
    Decisions,
    /// The free text of feedback and overrides (comments, reasons, the labelled text).
    Feedback,
}

impl RetentionClass {
    /// Every class, in the order purges run.
    pub const ALL: [RetentionClass; 4] = [
        RetentionClass::MessageOriginals,
        RetentionClass::PseudonymisedText,
        RetentionClass::Decisions,
        RetentionClass::Feedback,
    ];

    /// The configuration and wire name.
    pub fn as_str(&self) -> &'static str {
        match self {
            RetentionClass::MessageOriginals => "message_originals",
            RetentionClass::PseudonymisedText => "pseudonymised_text",
            RetentionClass::Decisions => "decisions",
            RetentionClass::Feedback => "feedback",
        }
    }

    /// Parses a configuration name.
    pub fn parse(name: &str) -> Option<RetentionClass> {
        RetentionClass::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

/// One expired item, named without personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpiredItem {
    /// What it is: `original`, `vault_values`, `pseudonym_mapping`, `message_text`,
    /// `agent_reply`, `decision`, `feedback` or `override`.
    pub kind: &'static str,
    /// Its id: a message id, a conversation id (vault values; for a pseudonym mapping the
    /// conversation that last used it) or an event id.
    pub id: String,
    /// The time its age is counted from.
    pub at: Timestamp,
}

/// What of one class is older than a cutoff and not yet purged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expired {
    /// How many items.
    pub count: u64,
    /// The oldest of them.
    pub oldest: Option<ExpiredItem>,
}

/// What one purge batch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PurgeBatch {
    /// Items purged.
    pub count: u64,
    /// The leaf index of the batch's audit record; `None` when nothing was purged (and so
    /// nothing recorded).
    pub audit_index: Option<u64>,
}

/// Builds a batch's audit record from the number of items it purged.
pub type PurgeRecord<'a> = &'a (dyn Fn(u64) -> Vec<u8> + Send + Sync);

/// Retention on the store.
#[async_trait]
pub trait RetentionStore: Send + Sync {
    /// The items of `class` older than `cutoff` (strictly) that are not yet purged.
    async fn expired(
        &self,
        class: RetentionClass,
        cutoff: Timestamp,
    ) -> Result<Expired, StoreError>;

    /// Purges up to about `limit` of the oldest expired items of `class` in ONE transaction,
    /// which also appends the audit record `record(count)` when anything was purged, so that
    /// a purge is never done unrecorded. Call until it returns a count of 0.
    async fn purge_expired(
        &self,
        class: RetentionClass,
        cutoff: Timestamp,
        limit: u32,
        at: Timestamp,
        record: PurgeRecord<'_>,
    ) -> Result<PurgeBatch, StoreError>;
}

/// What a purged per-conversation mapping's digest becomes: unique within its conversation and
/// kind (as its number is), and never 32 bytes long, so it matches no value's HMAC digest.
pub(crate) fn purged_digest(ordinal: i64) -> [u8; 14] {
    let mut d = *b"purged\0\0\0\0\0\0\0\0";
    d[6..].copy_from_slice(&ordinal.to_be_bytes());
    d
}

/// The free-text keys of feedback and override details (`docs/specs/agent.md`).
pub(crate) const FREE_TEXT_KEYS: [&str; 3] = ["comment", "reason", "text"];

/// A feedback or override detail with its free text replaced by `[purged]`; the structured
/// facts (whether the decision was right, what was changed) stay. A detail that is not a
/// JSON object is replaced whole.
pub(crate) fn purge_detail(detail: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(detail) {
        Ok(serde_json::Value::Object(mut map)) => {
            for key in FREE_TEXT_KEYS {
                if let Some(v) = map.get_mut(key)
                    && v.is_string()
                {
                    *v = serde_json::Value::from("[purged]");
                }
            }
            serde_json::Value::Object(map).to_string()
        }
        _ => "{}".to_owned(),
    }
}

/// Implements [`RetentionStore`] inside `shared_store_impl!`, where the backend's helpers are
/// in scope.
macro_rules! retention_store_impl {
    ($store:ty) => {
        use crate::retention::{
            Expired, ExpiredItem, PurgeBatch, PurgeRecord, RetentionClass, RetentionStore,
        };

        /// Counts with `count_sql` and finds the oldest with `oldest_sql` (columns `id`, `at_ms`);
        /// both take the cutoff as `$1`.
        async fn expired_part(
            pool: &sqlx::Pool<Db>,
            kind: &'static str,
            count_sql: &'static str,
            oldest_sql: &'static str,
            cutoff: Timestamp,
        ) -> Result<Expired, StoreError> {
            let count: i64 = sqlx::query_scalar(count_sql).bind(cutoff.millis()).fetch_one(pool).await?;
            let oldest = sqlx::query(oldest_sql).bind(cutoff.millis()).fetch_optional(pool).await?;
            Ok(Expired {
                count: to_u64(count, "count")?,
                oldest: oldest
                    .map(|r| -> Result<ExpiredItem, StoreError> {
                        Ok(ExpiredItem { kind, id: r.try_get("id")?, at: Timestamp(r.try_get("at_ms")?) })
                    })
                    .transpose()?,
            })
        }

        fn merge(a: Expired, b: Expired) -> Expired {
            let oldest = match (a.oldest, b.oldest) {
                (Some(x), Some(y)) => Some(if y.at < x.at { y } else { x }),
                (x, y) => x.or(y),
            };
            Expired { count: a.count + b.count, oldest }
        }

        #[async_trait]
        impl RetentionStore for $store {
            async fn expired(&self, class: RetentionClass, cutoff: Timestamp) -> Result<Expired, StoreError> {
                let pool = self.reader();
                Ok(match class {
                    RetentionClass::MessageOriginals => merge(
                        merge(
                        expired_part(
                            pool,
                            "original",
                            "SELECT COUNT(*) FROM message_originals o JOIN messages m ON m.id = o.message_id \
                             WHERE m.received_at_ms < $1",
                            "SELECT m.id AS id, m.received_at_ms AS at_ms FROM message_originals o \
                             JOIN messages m ON m.id = o.message_id WHERE m.received_at_ms < $1 \
                             ORDER BY m.received_at_ms, m.id LIMIT 1",
                            cutoff,
                        )
                        .await?,
                        expired_part(
                            pool,
                            "vault_values",
                            "SELECT COUNT(*) FROM pii_vault v JOIN conversations c ON c.id = v.conversation_id \
                             WHERE c.last_message_at_ms < $1",
                            "SELECT c.id AS id, c.last_message_at_ms AS at_ms FROM pii_vault v \
                             JOIN conversations c ON c.id = v.conversation_id WHERE c.last_message_at_ms < $1 \
                             ORDER BY c.last_message_at_ms, c.id LIMIT 1",
                            cutoff,
                        )
                        .await?,
                    ),
                        merge(
                        expired_part(
                            pool,
                            "pseudonym_mapping",
                            "SELECT COUNT(*) FROM customer_pseudonyms p WHERE p.used_at_ms < $1 AND NOT EXISTS \
                             (SELECT 1 FROM conversations c WHERE c.customer_id = p.customer_id AND c.last_message_at_ms >= $1)",
                            "SELECT p.conversation_id AS id, p.used_at_ms AS at_ms FROM customer_pseudonyms p \
                             WHERE p.used_at_ms < $1 AND NOT EXISTS (SELECT 1 FROM conversations c \
                             WHERE c.customer_id = p.customer_id AND c.last_message_at_ms >= $1) \
                             ORDER BY p.used_at_ms, p.conversation_id LIMIT 1",
                            cutoff,
                        )
                        .await?,
                        expired_part(
                            pool,
                            "pseudonym_mapping",
                            "SELECT COUNT(*) FROM pseudonyms p JOIN conversations c ON c.id = p.conversation_id \
                             WHERE c.last_message_at_ms < $1 AND length(p.digest) = 32",
                            "SELECT c.id AS id, c.last_message_at_ms AS at_ms FROM pseudonyms p \
                             JOIN conversations c ON c.id = p.conversation_id \
                             WHERE c.last_message_at_ms < $1 AND length(p.digest) = 32 \
                             ORDER BY c.last_message_at_ms, c.id LIMIT 1",
                            cutoff,
                        )
                        .await?,
                        ),
                    ),
                    RetentionClass::PseudonymisedText => merge(
                        expired_part(
                            pool,
                            "message_text",
                            "SELECT COUNT(*) FROM messages WHERE received_at_ms < $1 AND text_purged_at_ms IS NULL",
                            "SELECT id, received_at_ms AS at_ms FROM messages \
                             WHERE received_at_ms < $1 AND text_purged_at_ms IS NULL ORDER BY received_at_ms, id LIMIT 1",
                            cutoff,
                        )
                        .await?,
                        expired_part(
                            pool,
                            "agent_reply",
                            "SELECT COUNT(*) FROM conversation_events \
                             WHERE kind = 'agent_reply' AND at_ms < $1 AND purged_at_ms IS NULL",
                            "SELECT id, at_ms FROM conversation_events \
                             WHERE kind = 'agent_reply' AND at_ms < $1 AND purged_at_ms IS NULL ORDER BY at_ms, id LIMIT 1",
                            cutoff,
                        )
                        .await?,
                    ),
                    RetentionClass::Decisions => {
                        expired_part(
                            pool,
                            "decision",
                            "SELECT COUNT(*) FROM messages WHERE received_at_ms < $1 AND decision_purged_at_ms IS NULL",
                            "SELECT id, received_at_ms AS at_ms FROM messages \
                             WHERE received_at_ms < $1 AND decision_purged_at_ms IS NULL ORDER BY received_at_ms, id LIMIT 1",
                            cutoff,
                        )
                        .await?
                    }
                    RetentionClass::Feedback => {
                        let mut e = expired_part(
                            pool,
                            "feedback",
                            "SELECT COUNT(*) FROM conversation_events \
                             WHERE kind IN ('feedback', 'override') AND at_ms < $1 AND purged_at_ms IS NULL",
                            "SELECT id, at_ms FROM conversation_events \
                             WHERE kind IN ('feedback', 'override') AND at_ms < $1 AND purged_at_ms IS NULL \
                             ORDER BY at_ms, id LIMIT 1",
                            cutoff,
                        )
                        .await?;
                        if let Some(oldest) = &mut e.oldest {
                            let kind: Option<String> = sqlx::query_scalar("SELECT kind FROM conversation_events WHERE id = $1")
                                .bind(&oldest.id)
                                .fetch_optional(pool)
                                .await?;
                            if kind.as_deref() == Some("override") {
                                oldest.kind = "override";
                            }
                        }
                        e
                    }
                })
            }

            async fn purge_expired(
                &self,
                class: RetentionClass,
                cutoff: Timestamp,
                limit: u32,
                at: Timestamp,
                record: PurgeRecord<'_>,
            ) -> Result<PurgeBatch, StoreError> {
                let (cut, limit, now) = (cutoff.millis(), i64::from(limit.max(1)), at.millis());
                let mut tx = self.writer().begin().await?;
                let count = match class {
                    RetentionClass::MessageOriginals => {
                        let originals = sqlx::query(
                            "DELETE FROM message_originals WHERE message_id IN (SELECT o.message_id FROM message_originals o \
                             JOIN messages m ON m.id = o.message_id WHERE m.received_at_ms < $1 \
                             ORDER BY m.received_at_ms, m.id LIMIT $2)",
                        )
                        .bind(cut)
                        .bind(limit)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                        // A vault value may occur in any message of its conversation, so it goes
                        // when the conversation's last message has expired.
                        let vault = sqlx::query(
                            "DELETE FROM pii_vault WHERE conversation_id IN (SELECT c.id FROM conversations c \
                             WHERE c.last_message_at_ms < $1 AND EXISTS (SELECT 1 FROM pii_vault v WHERE v.conversation_id = c.id) \
                             ORDER BY c.last_message_at_ms, c.id LIMIT $2)",
                        )
                        .bind(cut)
                        .bind(limit)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                        // A customer's mappings link their values across conversations; once
                        // their last message has expired, so has every vault value they
                        // could number, and the mappings would only link. The counters stay,
                        // so that no number is given to a second value.
                        let mappings = sqlx::query(
                            "DELETE FROM customer_pseudonyms WHERE (customer_id, kind, digest) IN \
                             (SELECT p.customer_id, p.kind, p.digest FROM customer_pseudonyms p \
                             WHERE p.used_at_ms < $1 AND NOT EXISTS (SELECT 1 FROM conversations c \
                             WHERE c.customer_id = p.customer_id AND c.last_message_at_ms >= $1) \
                             ORDER BY p.used_at_ms, p.customer_id LIMIT $2)",
                        )
                        .bind(cut)
                        .bind(limit)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                        // A conversation's mappings go with its vault values. Their digests are
                        // overwritten, not deleted: the rows keep their numbers taken, so that a
                        // customer returning to the conversation never gets a number that older
                        // pseudonymised text there still shows for another value.
                        let expired_mappings = sqlx::query(
                            "SELECT p.conversation_id, p.kind, p.ordinal FROM pseudonyms p \
                             JOIN conversations c ON c.id = p.conversation_id \
                             WHERE c.last_message_at_ms < $1 AND length(p.digest) = 32 \
                             ORDER BY c.last_message_at_ms, c.id, p.kind, p.ordinal LIMIT $2",
                        )
                        .bind(cut)
                        .bind(limit)
                        .fetch_all(&mut *tx)
                        .await?;
                        let mut conversation_mappings = 0;
                        for row in expired_mappings {
                            let ordinal: i64 = row.try_get("ordinal")?;
                            conversation_mappings += sqlx::query(
                                "UPDATE pseudonyms SET digest = $4 \
                                 WHERE conversation_id = $1 AND kind = $2 AND ordinal = $3",
                            )
                            .bind(row.try_get::<String, _>("conversation_id")?)
                            .bind(row.try_get::<String, _>("kind")?)
                            .bind(ordinal)
                            .bind(&crate::retention::purged_digest(ordinal)[..])
                            .execute(&mut *tx)
                            .await?
                            .rows_affected();
                        }
                        originals + vault + mappings + conversation_mappings
                    }
                    RetentionClass::PseudonymisedText => {
                        let texts = sqlx::query(
                            "UPDATE messages SET pseudonymised_text = '[purged]', text_purged_at_ms = $3 \
                             WHERE text_purged_at_ms IS NULL AND id IN \
                             (SELECT id FROM messages WHERE received_at_ms < $1 AND text_purged_at_ms IS NULL \
                             ORDER BY received_at_ms, id LIMIT $2)",
                        )
                        .bind(cut)
                        .bind(limit)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                        let replies = sqlx::query(
                            "UPDATE conversation_events SET detail = '{\"text\":\"[purged]\"}', purged_at_ms = $3 \
                             WHERE purged_at_ms IS NULL AND id IN \
                             (SELECT id FROM conversation_events WHERE kind = 'agent_reply' AND at_ms < $1 \
                             AND purged_at_ms IS NULL ORDER BY at_ms, id LIMIT $2)",
                        )
                        .bind(cut)
                        .bind(limit)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                        texts + replies
                    }
                    RetentionClass::Decisions => {
                        // Both statements select the same rows: the first changes nothing the
                        // selection looks at, and no new message is older than a past cutoff.
                        sqlx::query(
                            "DELETE FROM decision_reasons WHERE message_id IN (SELECT id FROM messages \
                             WHERE received_at_ms < $1 AND decision_purged_at_ms IS NULL ORDER BY received_at_ms, id LIMIT $2)",
                        )
                        .bind(cut)
                        .bind(limit)
                        .execute(&mut *tx)
                        .await?;
                        sqlx::query(
                            "UPDATE messages SET decision_json = NULL, explanation = '[purged]', decision_purged_at_ms = $3 \
                             WHERE decision_purged_at_ms IS NULL AND id IN (SELECT id FROM messages \
                             WHERE received_at_ms < $1 AND decision_purged_at_ms IS NULL \
                             ORDER BY received_at_ms, id LIMIT $2)",
                        )
                        .bind(cut)
                        .bind(limit)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected()
                    }
                    RetentionClass::Feedback => {
                        let rows = sqlx::query(
                            "SELECT id, detail FROM conversation_events WHERE kind IN ('feedback', 'override') \
                             AND at_ms < $1 AND purged_at_ms IS NULL ORDER BY at_ms, id LIMIT $2",
                        )
                        .bind(cut)
                        .bind(limit)
                        .fetch_all(&mut *tx)
                        .await?;
                        let mut purged = 0;
                        for row in &rows {
                            let id: String = row.try_get("id")?;
                            let detail: String = row.try_get("detail")?;
                            // Another node purging at the same time may have been first.
                            purged += sqlx::query(
                                "UPDATE conversation_events SET detail = $1, purged_at_ms = $2 \
                                 WHERE id = $3 AND purged_at_ms IS NULL",
                            )
                            .bind(crate::retention::purge_detail(&detail))
                            .bind(now)
                            .bind(&id)
                            .execute(&mut *tx)
                            .await?
                            .rows_affected();
                        }
                        purged
                    }
                };
                if count == 0 {
                    tx.rollback().await?;
                    return Ok(PurgeBatch::default());
                }
                let index = append_in_tx(&mut tx, &[record(count)], at).await?;
                tx.commit().await?;
                if self.backend() == Backend::Sqlite {
                    // Moves the zeroed pages (secure_delete) into the database file and empties
                    // the write-ahead log, whose older frames still hold the purged bytes. A
                    // reader in the way only delays this to the next checkpoint.
                    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").fetch_all(self.writer()).await?;
                }
                Ok(PurgeBatch { count, audit_index: Some(index) })
            }
        }
    };
}

pub(crate) use retention_store_impl;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_round_trip_their_names() {
        for c in RetentionClass::ALL {
            assert_eq!(RetentionClass::parse(c.as_str()), Some(c));
        }
        assert_eq!(RetentionClass::parse("originals"), None);
    }

    #[test]
    fn purging_a_detail_keeps_its_facts_and_drops_its_free_text() {
        let detail = r#"{"comment":"wrong, see <EMAIL_1>","correct":false,"intent":"track_order","text":"hi <NAME_1>"}"#;
        let purged: serde_json::Value = serde_json::from_str(&purge_detail(detail)).unwrap();
        assert_eq!(purged["comment"], "[purged]");
        assert_eq!(purged["text"], "[purged]");
        assert_eq!(purged["correct"], false);
        assert_eq!(purged["intent"], "track_order");
        let over =
            purge_detail(r#"{"field":"route","from":"bot","to":"human","reason":"Ole asked"}"#);
        assert!(!over.contains("Ole"), "{over}");
        assert!(over.contains(r#""to":"human""#), "{over}");
        assert_eq!(purge_detail("not json"), "{}");
    }
}
