//! The statements and row decoding that SQLite and PostgreSQL share.
//!
//! Both backends accept the same SQL here (`$n` placeholders, `ON CONFLICT`, `RETURNING`), so
//! the [`Store`](crate::Store) implementation is written once, in `shared_store_impl!`, and
//! instantiated per backend with the two things that differ: how a writer takes the
//! conversation lock, and how it reads the audit head for update.

/// Implements [`crate::Store`] for a type with `writer()` and `reader()` pools of database
/// `$db`.
macro_rules! shared_store_impl {
    (
        store: $store:ty,
        db: $db:ty,
        backend: $backend:expr,
        lock_conversation: $lock_conversation:expr,
        select_audit_head: $select_audit_head:expr $(,)?
    ) => {
        mod shared_impl {
            use super::*;
            use crate::{
                AuditEntry, Backend, ConversationState, ErasureCounts, Hash, NewMessage, PseudonymScope, StoredCheckpoint, StoredToken, StoredVaultEntry, QueueEntry, Store, StoreError,
                StoredConversation, StoredMessage, StoredPii,
            };
            use async_trait::async_trait;
            use candor_audit::merkle;
            use candor_core::{
                Channel, Decision, EntityKind, Explanation, HumanRequestSignal, Lang, LanguageGuess, Reason, Role, Route, Span,
                Timestamp, Understanding, Versions,
            };
            use sqlx::Row;
            use uuid::Uuid;

            type Db = $db;
            type DbRow = <Db as sqlx::Database>::Row;

            const LOCK_CONVERSATION: Option<&'static str> = $lock_conversation;
            const SELECT_AUDIT_HEAD: &'static str = $select_audit_head;

            const MESSAGE_COLUMNS_BY_ID: &str = "SELECT id, conversation_id, customer_id, channel, received_at_ms, \
                 pseudonymised_text, metadata, language, language_confidence, route, rule, explanation, \
                 pipeline_version, policy_version, language_model_version, audit_index, decision_json \
                 FROM messages WHERE id = $1";
            const MESSAGE_COLUMNS_BY_CONVERSATION: &str = "SELECT id, conversation_id, customer_id, channel, \
                 received_at_ms, pseudonymised_text, metadata, language, language_confidence, route, rule, \
                 explanation, pipeline_version, policy_version, language_model_version, audit_index, decision_json \
                 FROM messages WHERE conversation_id = $1 ORDER BY seq_in_conversation";
            const PII_BY_ID: &str = "SELECT message_id, kind, start_byte, end_byte, token, score, recogniser \
                 FROM message_pii WHERE message_id = $1 ORDER BY ord";
            const PII_BY_CONVERSATION: &str = "SELECT p.message_id, p.kind, p.start_byte, p.end_byte, p.token, \
                 p.score, p.recogniser FROM message_pii p JOIN messages m ON m.id = p.message_id \
                 WHERE m.conversation_id = $1 ORDER BY p.message_id, p.ord";
            const REASONS_BY_ID: &str = "SELECT message_id, stage, code, detail FROM decision_reasons \
                 WHERE message_id = $1 ORDER BY ord";
            const REASONS_BY_CONVERSATION: &str = "SELECT r.message_id, r.stage, r.code, r.detail \
                 FROM decision_reasons r JOIN messages m ON m.id = r.message_id \
                 WHERE m.conversation_id = $1 ORDER BY r.message_id, r.ord";

            fn corrupt(what: impl std::fmt::Display) -> StoreError {
                StoreError::Corrupt(what.to_string())
            }

            fn hash32(bytes: Vec<u8>, column: &str) -> Result<[u8; 32], StoreError> {
                bytes.try_into().map_err(|_| corrupt(format!("{column} is not 32 bytes")))
            }

            fn to_u64(v: i64, column: &str) -> Result<u64, StoreError> {
                u64::try_from(v).map_err(|_| corrupt(format!("{column} is negative")))
            }

            fn decode_message(row: &DbRow, pii: Vec<StoredPii>, reasons: Vec<Reason>) -> Result<StoredMessage, StoreError> {
                let id: String = row.try_get("id")?;
                let language: Option<String> = row.try_get("language")?;
                let route: String = row.try_get("route")?;
                let channel: String = row.try_get("channel")?;
                let decision_json: Option<String> = row.try_get("decision_json")?;
                let parsed_language = language.map(|l| l.parse::<Lang>()).transpose().map_err(corrupt)?;
                Ok(StoredMessage {
                    id: Uuid::parse_str(&id).map_err(corrupt)?,
                    conversation_id: row.try_get("conversation_id")?,
                    customer_id: row.try_get("customer_id")?,
                    channel: channel.parse::<Channel>().map_err(corrupt)?,
                    received_at: Timestamp(row.try_get("received_at_ms")?),
                    pseudonymised_text: row.try_get("pseudonymised_text")?,
                    metadata: row.try_get("metadata")?,
                    language: parsed_language,
                    language_confidence: row.try_get("language_confidence")?,
                    pii,
                    decision: match decision_json {
                        Some(json) => serde_json::from_str::<Decision>(&json).map_err(corrupt)?,
                        // Rows from before decisions were stored whole: rebuild what they held.
                        None => Decision {
                            route: route.parse::<Route>().map_err(corrupt)?,
                            rule: row.try_get("rule")?,
                            escalation_reason: None,
                            reply: None,
                            notice: None,
                            understanding: Understanding {
                                language: LanguageGuess { lang: parsed_language, confidence: row.try_get("language_confidence")? },
                                intent: None,
                                sentiment: None,
                                frustration: None,
                                human_request: HumanRequestSignal { detected: false, confidence: 0.0 },
                            },
                            priority: None,
                            explanation: Explanation { summary: row.try_get("explanation")?, reasons },
                            versions: Versions {
                                pipeline: row.try_get("pipeline_version")?,
                                policy: row.try_get("policy_version")?,
                                language_model: row.try_get("language_model_version")?,
                                intent_model: String::new(),
                                sentiment_model: String::new(),
                                cues: String::new(),
                                knowledge_base: String::new(),
                            },
                        },
                    },
                    audit_index: to_u64(row.try_get("audit_index")?, "audit_index")?,
                })
            }

            fn to_ordinal(v: i64) -> Result<u32, StoreError> {
                u32::try_from(v).map_err(|_| corrupt("pseudonym ordinal out of range"))
            }

            /// Ordinals numbered within one conversation, under its lock.
            async fn conversation_ordinals(
                tx: &mut sqlx::Transaction<'static, Db>,
                conversation_id: &str,
                values: &[(EntityKind, [u8; 32])],
            ) -> Result<Vec<u32>, StoreError> {
                if let Some(lock) = LOCK_CONVERSATION {
                    sqlx::query(lock).bind(conversation_id).execute(&mut **tx).await?;
                }
                let mut ordinals = Vec::with_capacity(values.len());
                for (kind, digest) in values {
                    let existing: Option<i64> = sqlx::query_scalar(
                        "SELECT ordinal FROM pseudonyms WHERE conversation_id = $1 AND kind = $2 AND digest = $3",
                    )
                    .bind(conversation_id)
                    .bind(kind.as_str())
                    .bind(&digest[..])
                    .fetch_optional(&mut **tx)
                    .await?;
                    let ordinal = match existing {
                        Some(o) => o,
                        None => {
                            let next: i64 = sqlx::query_scalar(
                                "SELECT COALESCE(MAX(ordinal), 0) + 1 FROM pseudonyms WHERE conversation_id = $1 AND kind = $2",
                            )
                            .bind(conversation_id)
                            .bind(kind.as_str())
                            .fetch_one(&mut **tx)
                            .await?;
                            sqlx::query(
                                "INSERT INTO pseudonyms (conversation_id, kind, digest, ordinal) VALUES ($1, $2, $3, $4)",
                            )
                            .bind(conversation_id)
                            .bind(kind.as_str())
                            .bind(&digest[..])
                            .bind(next)
                            .execute(&mut **tx)
                            .await?;
                            next
                        }
                    };
                    ordinals.push(to_ordinal(ordinal)?);
                }
                Ok(ordinals)
            }

            /// Ordinals numbered across all of a customer's conversations, under a lock on the
            /// customer, so that messages of theirs in several conversations at once agree.
            async fn customer_ordinals(
                tx: &mut sqlx::Transaction<'static, Db>,
                customer_id: &str,
                conversation_id: &str,
                values: &[(EntityKind, [u8; 32])],
                at: Timestamp,
            ) -> Result<Vec<u32>, StoreError> {
                if let Some(lock) = LOCK_CONVERSATION {
                    // A conversation id that hashes alike only shares the lock, never the numbering.
                    sqlx::query(lock).bind(format!("customer/{customer_id}")).execute(&mut **tx).await?;
                }
                let mut ordinals = Vec::with_capacity(values.len());
                for (kind, digest) in values {
                    // Noting the use keeps the mapping from retention while the customer writes.
                    let existing: Option<i64> = sqlx::query_scalar(
                        "UPDATE customer_pseudonyms SET \
                         conversation_id = CASE WHEN used_at_ms <= $4 THEN $5 ELSE conversation_id END, \
                         used_at_ms = CASE WHEN used_at_ms <= $4 THEN $4 ELSE used_at_ms END \
                         WHERE customer_id = $1 AND kind = $2 AND digest = $3 RETURNING ordinal",
                    )
                    .bind(customer_id)
                    .bind(kind.as_str())
                    .bind(&digest[..])
                    .bind(at.millis())
                    .bind(conversation_id)
                    .fetch_optional(&mut **tx)
                    .await?;
                    let ordinal = match existing {
                        Some(o) => o,
                        None => {
                            // The counter, not the mappings, gives the next number: retention
                            // deletes mappings, and a number must not come back for another value.
                            let next: i64 = sqlx::query_scalar(
                                "INSERT INTO customer_pseudonym_counters (customer_id, kind, last_ordinal) VALUES ($1, $2, 1) \
                                 ON CONFLICT (customer_id, kind) DO UPDATE \
                                 SET last_ordinal = customer_pseudonym_counters.last_ordinal + 1 RETURNING last_ordinal",
                            )
                            .bind(customer_id)
                            .bind(kind.as_str())
                            .fetch_one(&mut **tx)
                            .await?;
                            sqlx::query(
                                "INSERT INTO customer_pseudonyms (customer_id, kind, digest, ordinal, conversation_id, used_at_ms) \
                                 VALUES ($1, $2, $3, $4, $5, $6)",
                            )
                            .bind(customer_id)
                            .bind(kind.as_str())
                            .bind(&digest[..])
                            .bind(next)
                            .bind(conversation_id)
                            .bind(at.millis())
                            .execute(&mut **tx)
                            .await?;
                            next
                        }
                    };
                    ordinals.push(to_ordinal(ordinal)?);
                }
                Ok(ordinals)
            }

            fn decode_pii(row: &DbRow) -> Result<(String, StoredPii), StoreError> {
                let kind: String = row.try_get("kind")?;
                let start = to_u64(row.try_get("start_byte")?, "start_byte")? as usize;
                let end = to_u64(row.try_get("end_byte")?, "end_byte")? as usize;
                if end < start {
                    return Err(corrupt("PII span ends before it starts"));
                }
                let score: f64 = row.try_get("score")?;
                Ok((
                    row.try_get("message_id")?,
                    StoredPii {
                        kind: kind.parse::<EntityKind>().map_err(corrupt)?,
                        span: Span::new(start, end),
                        token: row.try_get("token")?,
                        score: score as f32,
                        recogniser: row.try_get("recogniser")?,
                    },
                ))
            }

            fn decode_reason(row: &DbRow) -> Result<(String, Reason), StoreError> {
                Ok((
                    row.try_get("message_id")?,
                    Reason { stage: row.try_get("stage")?, code: row.try_get("code")?, detail: row.try_get("detail")? },
                ))
            }

            /// Takes the rows belonging to message `id` out of a grouping.
            fn take_for<T>(items: &mut std::collections::HashMap<String, Vec<T>>, id: &str) -> Vec<T> {
                items.remove(id).unwrap_or_default()
            }

            #[allow(clippy::too_many_arguments)]
            async fn insert_state_event(
                tx: &mut sqlx::Transaction<'_, Db>,
                conversation_id: &str,
                at: Timestamp,
                actor: &str,
                message_id: Option<Uuid>,
                from: Option<ConversationState>,
                to: ConversationState,
                detail: &str,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO conversation_events (id, conversation_id, at_ms, kind, actor, message_id, from_state, to_state, detail) \
                     VALUES ($1, $2, $3, 'state', $4, $5, $6, $7, $8)",
                )
                .bind(Uuid::now_v7().to_string())
                .bind(conversation_id)
                .bind(at.millis())
                .bind(actor)
                .bind(message_id.map(|m| m.to_string()))
                .bind(from.map(|f| f.as_str()))
                .bind(to.as_str())
                .bind(detail)
                .execute(&mut **tx)
                .await?;
                Ok(())
            }

            crate::service::service_store_impl!($store);
            crate::retention::retention_store_impl!($store);
            crate::keys::key_store_impl!($store);
            crate::accounts::account_store_impl!($store);

            fn decode_vault(row: &DbRow) -> Result<StoredVaultEntry, StoreError> {
                let kind: String = row.try_get("kind")?;
                Ok(StoredVaultEntry {
                    conversation_id: row.try_get("conversation_id")?,
                    token: row.try_get("token")?,
                    kind: kind.parse::<EntityKind>().map_err(corrupt)?,
                    sealed: row.try_get("sealed")?,
                })
            }

            fn decode_token(row: &DbRow) -> Result<StoredToken, StoreError> {
                let role: String = row.try_get("role")?;
                let revoked: Option<i64> = row.try_get("revoked_at_ms")?;
                let expires: Option<i64> = row.try_get("expires_at_ms")?;
                Ok(StoredToken {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    role: role.parse::<Role>().map_err(corrupt)?,
                    token_hash: hash32(row.try_get("token_hash")?, "api_tokens.token_hash")?,
                    created_at: Timestamp(row.try_get("created_at_ms")?),
                    revoked_at: revoked.map(Timestamp),
                    expires_at: expires.map(Timestamp),
                    user_id: row.try_get("user_id")?,
                })
            }

            fn decode_checkpoint(row: &DbRow) -> Result<StoredCheckpoint, StoreError> {
                Ok(StoredCheckpoint {
                    size: to_u64(row.try_get("size")?, "audit_checkpoints.size")?,
                    root_hash: hash32(row.try_get("root_hash")?, "audit_checkpoints.root_hash")?,
                    note: row.try_get("note")?,
                    created_at: Timestamp(row.try_get("created_at_ms")?),
                })
            }

            /// Appends records at the end of the ledger inside `tx`, storing each leaf and every
            /// subtree hash it completes; returns the first leaf index.
            async fn append_in_tx(
                tx: &mut sqlx::Transaction<'static, Db>,
                payloads: &[Vec<u8>],
                at: Timestamp,
            ) -> Result<u64, StoreError> {
                if payloads.is_empty() {
                    let size: i64 = sqlx::query_scalar("SELECT size FROM audit_head WHERE id = 1").fetch_one(&mut **tx).await?;
                    return to_u64(size, "audit_head.size");
                }
                let size: i64 = sqlx::query_scalar(SELECT_AUDIT_HEAD).fetch_one(&mut **tx).await?;
                let start = to_u64(size, "audit_head.size")?;
                let count = payloads.len() as u64;
                let leaves: Vec<Hash> = payloads.iter().map(|p| merkle::leaf_hash(p)).collect();
                let mut existing = Vec::new();
                for idx in merkle::append_dependencies(start, count) {
                    let hash: Vec<u8> = sqlx::query_scalar("SELECT hash FROM audit_hashes WHERE idx = $1")
                        .bind(idx as i64)
                        .fetch_optional(&mut **tx)
                        .await?
                        .ok_or_else(|| corrupt(format!("stored audit hash {idx} is missing")))?;
                    existing.push(hash32(hash, "audit_hashes.hash")?);
                }
                let hashes = merkle::append_hashes(start, &leaves, &existing);
                // Chunks keep each statement under SQLite's bound-parameter limit.
                for (offset, chunk) in payloads.chunks(1000).enumerate() {
                    let first = start + (offset * 1000) as u64;
                    let mut q = sqlx::QueryBuilder::<Db>::new("INSERT INTO audit_log (idx, payload, created_at_ms) ");
                    q.push_values(chunk.iter().enumerate(), |mut b, (i, payload)| {
                        b.push_bind((first + i as u64) as i64).push_bind(payload.clone()).push_bind(at.millis());
                    });
                    q.build().execute(&mut **tx).await?;
                }
                for chunk in hashes.chunks(2000) {
                    let mut q = sqlx::QueryBuilder::<Db>::new("INSERT INTO audit_hashes (idx, hash) ");
                    q.push_values(chunk.iter(), |mut b, (idx, hash)| {
                        b.push_bind(*idx as i64).push_bind(hash.to_vec());
                    });
                    q.build().execute(&mut **tx).await?;
                }
                sqlx::query("UPDATE audit_head SET size = $1 WHERE id = 1")
                    .bind((start + count) as i64)
                    .execute(&mut **tx)
                    .await?;
                Ok(start)
            }

            fn group<T>(rows: Vec<(String, T)>) -> std::collections::HashMap<String, Vec<T>> {
                let mut map: std::collections::HashMap<String, Vec<T>> = std::collections::HashMap::new();
                for (id, item) in rows {
                    map.entry(id).or_default().push(item);
                }
                map
            }

            #[async_trait]
            impl Store for $store {
                fn backend(&self) -> Backend {
                    $backend
                }

                async fn ping(&self) -> Result<(), StoreError> {
                    sqlx::query("SELECT 1").execute(self.reader()).await?;
                    Ok(())
                }

                async fn check_conversation(&self, conversation_id: &str, customer_id: &str) -> Result<(), StoreError> {
                    let owner: Option<String> = sqlx::query_scalar("SELECT customer_id FROM conversations WHERE id = $1")
                        .bind(conversation_id)
                        .fetch_optional(self.reader())
                        .await?;
                    match owner {
                        Some(owner) if owner != customer_id => {
                            Err(StoreError::ConversationOwnedByOther(conversation_id.to_owned()))
                        }
                        _ => Ok(()),
                    }
                }

                async fn pseudonym_ordinals(
                    &self,
                    conversation_id: &str,
                    customer_id: &str,
                    scope: PseudonymScope,
                    values: &[(EntityKind, [u8; 32])],
                    at: Timestamp,
                ) -> Result<Vec<u32>, StoreError> {
                    if values.is_empty() {
                        return Ok(Vec::new());
                    }
                    let mut tx = self.writer().begin().await?;
                    let recorded: Option<String> = sqlx::query_scalar("SELECT pseudonym_scope FROM conversations WHERE id = $1")
                        .bind(conversation_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                    let scope = match recorded {
                        Some(name) => PseudonymScope::parse(&name).ok_or_else(|| corrupt(format!("unknown pseudonym scope {name:?}")))?,
                        None => scope,
                    };
                    let ordinals = match scope {
                        PseudonymScope::Conversation => conversation_ordinals(&mut tx, conversation_id, values).await?,
                        PseudonymScope::Customer => customer_ordinals(&mut tx, customer_id, conversation_id, values, at).await?,
                    };
                    tx.commit().await?;
                    Ok(ordinals)
                }

                async fn record_message(&self, m: NewMessage) -> Result<u64, StoreError> {
                    let id = m.id.to_string();
                    let mut tx = self.writer().begin().await?;
                    if let Some(lock) = LOCK_CONVERSATION {
                        sqlx::query(lock).bind(&m.conversation_id).execute(&mut *tx).await?;
                    }
                    let current: Option<String> = sqlx::query_scalar("SELECT state FROM conversations WHERE id = $1")
                        .bind(&m.conversation_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                    let current = current.map(|s| ConversationState::parse(&s)).transpose()?;
                    // A person who has the conversation keeps it; otherwise the route decides.
                    let next = match (current, m.decision.route) {
                        (Some(ConversationState::Assigned), _) => ConversationState::Assigned,
                        (Some(ConversationState::WaitingForHuman), _) | (_, Route::Human) => ConversationState::WaitingForHuman,
                        (_, Route::Bot) => ConversationState::Bot,
                    };
                    let starts_waiting = next == ConversationState::WaitingForHuman && current != Some(next);
                    let decision_json = serde_json::to_string(&m.decision).map_err(corrupt)?;
                    let row = sqlx::query(
                        "INSERT INTO conversations (id, customer_id, channel, state, created_at_ms, waiting_since_ms, \
                         last_message_at_ms, message_count, last_language, need_json, pseudonym_scope) \
                         VALUES ($1, $2, $3, $4, $5, $6, $5, 1, $7, $8, $9) \
                         ON CONFLICT (id) DO UPDATE SET last_message_at_ms = excluded.last_message_at_ms, \
                         message_count = conversations.message_count + 1, state = excluded.state, \
                         waiting_since_ms = CASE WHEN excluded.waiting_since_ms IS NULL THEN conversations.waiting_since_ms \
                         ELSE excluded.waiting_since_ms END, \
                         last_language = excluded.last_language, need_json = COALESCE(excluded.need_json, conversations.need_json) \
                         RETURNING customer_id, message_count",
                    )
                    .bind(&m.conversation_id)
                    .bind(&m.customer_id)
                    .bind(m.channel.as_str())
                    .bind(next.as_str())
                    .bind(m.received_at.millis())
                    .bind(starts_waiting.then_some(m.received_at.millis()))
                    .bind(m.language.map(|l| l.code().to_owned()))
                    .bind(&m.need)
                    .bind(m.pseudonym_scope.as_str())
                    .fetch_one(&mut *tx)
                    .await?;
                    let owner: String = row.try_get("customer_id")?;
                    if owner != m.customer_id {
                        return Err(StoreError::ConversationOwnedByOther(m.conversation_id));
                    }
                    let seq_in_conversation: i64 = row.try_get("message_count")?;
                    if current != Some(next) {
                        let detail = serde_json::json!({
                            "route": m.decision.route.as_str(),
                            "escalation_reason": m.decision.escalation_reason.map(|r| r.as_str()),
                            "rule": m.decision.rule,
                        })
                        .to_string();
                        insert_state_event(&mut tx, &m.conversation_id, m.received_at, "candor", Some(m.id), current, next, &detail).await?;
                    }

                    sqlx::query("INSERT INTO message_originals (message_id, sealed) VALUES ($1, $2)")
                        .bind(&id)
                        .bind(&m.original_sealed)
                        .execute(&mut *tx)
                        .await?;

                    for (ord, p) in m.pii.iter().enumerate() {
                        sqlx::query(
                            "INSERT INTO message_pii (message_id, ord, kind, start_byte, end_byte, token, score, recogniser) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                        )
                        .bind(&id)
                        .bind(ord as i64)
                        .bind(p.kind.as_str())
                        .bind(p.span.start as i64)
                        .bind(p.span.end as i64)
                        .bind(&p.token)
                        .bind(f64::from(p.score))
                        .bind(&p.recogniser)
                        .execute(&mut *tx)
                        .await?;
                    }
                    for (ord, r) in m.decision.explanation.reasons.iter().enumerate() {
                        sqlx::query(
                            "INSERT INTO decision_reasons (message_id, ord, stage, code, detail) VALUES ($1, $2, $3, $4, $5)",
                        )
                        .bind(&id)
                        .bind(ord as i64)
                        .bind(&r.stage)
                        .bind(&r.code)
                        .bind(&r.detail)
                        .execute(&mut *tx)
                        .await?;
                    }
                    for v in &m.vault {
                        sqlx::query(
                            "INSERT INTO pii_vault (conversation_id, token, kind, sealed) VALUES ($1, $2, $3, $4) \
                             ON CONFLICT (conversation_id, token) DO NOTHING",
                        )
                        .bind(&m.conversation_id)
                        .bind(&v.token)
                        .bind(v.kind.as_str())
                        .bind(&v.sealed)
                        .execute(&mut *tx)
                        .await?;
                    }

                    // The audit append comes last so that the head row (the one lock every
                    // writer shares) is held for as short a time as possible.
                    let index = append_in_tx(&mut tx, std::slice::from_ref(&m.audit_payload), m.received_at).await?;

                    sqlx::query(
                        "INSERT INTO messages (id, conversation_id, customer_id, channel, received_at_ms, \
                         seq_in_conversation, pseudonymised_text, metadata, language, language_confidence, route, rule, \
                         explanation, pipeline_version, policy_version, language_model_version, audit_index, decision_json) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
                    )
                    .bind(&id)
                    .bind(&m.conversation_id)
                    .bind(&m.customer_id)
                    .bind(m.channel.as_str())
                    .bind(m.received_at.millis())
                    .bind(seq_in_conversation)
                    .bind(&m.pseudonymised_text)
                    .bind(&m.metadata)
                    .bind(m.language.map(|l| l.code().to_owned()))
                    .bind(m.language_confidence)
                    .bind(m.decision.route.as_str())
                    .bind(&m.decision.rule)
                    .bind(&m.decision.explanation.summary)
                    .bind(&m.decision.versions.pipeline)
                    .bind(&m.decision.versions.policy)
                    .bind(&m.decision.versions.language_model)
                    .bind(index as i64)
                    .bind(&decision_json)
                    .execute(&mut *tx)
                    .await?;
                    tx.commit().await?;
                    Ok(index)
                }

                async fn append_audit(&self, payloads: &[Vec<u8>], at: Timestamp) -> Result<u64, StoreError> {
                    let mut tx = self.writer().begin().await?;
                    let start = append_in_tx(&mut tx, payloads, at).await?;
                    tx.commit().await?;
                    Ok(start)
                }

                async fn audit_size(&self) -> Result<u64, StoreError> {
                    let size: i64 = sqlx::query_scalar("SELECT size FROM audit_head WHERE id = 1").fetch_one(self.reader()).await?;
                    to_u64(size, "audit_head.size")
                }

                async fn audit_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, StoreError> {
                    let mut found = std::collections::HashMap::with_capacity(indexes.len());
                    for chunk in indexes.chunks(500) {
                        let mut q = sqlx::QueryBuilder::<Db>::new("SELECT idx, hash FROM audit_hashes WHERE idx IN (");
                        let mut sep = q.separated(", ");
                        for idx in chunk {
                            sep.push_bind(*idx as i64);
                        }
                        q.push(")");
                        for row in q.build().fetch_all(self.reader()).await? {
                            let idx: i64 = row.try_get("idx")?;
                            found.insert(to_u64(idx, "audit_hashes.idx")?, hash32(row.try_get("hash")?, "audit_hashes.hash")?);
                        }
                    }
                    indexes
                        .iter()
                        .map(|i| found.get(i).copied().ok_or_else(|| corrupt(format!("stored audit hash {i} is missing"))))
                        .collect()
                }

                async fn audit_hash_range(&self, from: u64, to: u64) -> Result<Vec<(u64, Hash)>, StoreError> {
                    let rows = sqlx::query("SELECT idx, hash FROM audit_hashes WHERE idx >= $1 AND idx < $2 ORDER BY idx")
                        .bind(from as i64)
                        .bind(to as i64)
                        .fetch_all(self.reader())
                        .await?;
                    rows.iter()
                        .map(|r| Ok((to_u64(r.try_get("idx")?, "audit_hashes.idx")?, hash32(r.try_get("hash")?, "audit_hashes.hash")?)))
                        .collect()
                }

                async fn save_checkpoint(&self, c: &StoredCheckpoint) -> Result<(), StoreError> {
                    sqlx::query(
                        "INSERT INTO audit_checkpoints (size, root_hash, note, created_at_ms) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (size) DO NOTHING",
                    )
                    .bind(c.size as i64)
                    .bind(&c.root_hash[..])
                    .bind(&c.note)
                    .bind(c.created_at.millis())
                    .execute(self.writer())
                    .await?;
                    Ok(())
                }

                async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError> {
                    let row = sqlx::query("SELECT size, root_hash, note, created_at_ms FROM audit_checkpoints ORDER BY size DESC LIMIT 1")
                        .fetch_optional(self.reader())
                        .await?;
                    row.as_ref().map(decode_checkpoint).transpose()
                }

                async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, StoreError> {
                    let rows = sqlx::query("SELECT size, root_hash, note, created_at_ms FROM audit_checkpoints ORDER BY size")
                        .fetch_all(self.reader())
                        .await?;
                    rows.iter().map(decode_checkpoint).collect()
                }

                async fn message(&self, id: Uuid) -> Result<Option<StoredMessage>, StoreError> {
                    let id = id.to_string();
                    let Some(row) = sqlx::query(MESSAGE_COLUMNS_BY_ID).bind(&id).fetch_optional(self.reader()).await? else {
                        return Ok(None);
                    };
                    let pii = sqlx::query(PII_BY_ID).bind(&id).fetch_all(self.reader()).await?;
                    let pii = pii.iter().map(|r| decode_pii(r).map(|(_, p)| p)).collect::<Result<_, _>>()?;
                    let reasons = sqlx::query(REASONS_BY_ID).bind(&id).fetch_all(self.reader()).await?;
                    let reasons = reasons.iter().map(|r| decode_reason(r).map(|(_, r)| r)).collect::<Result<_, _>>()?;
                    decode_message(&row, pii, reasons).map(Some)
                }

                async fn message_original(&self, id: Uuid) -> Result<Option<(String, Vec<u8>)>, StoreError> {
                    let row = sqlx::query(
                        "SELECT m.customer_id, o.sealed FROM message_originals o JOIN messages m ON m.id = o.message_id \
                         WHERE o.message_id = $1",
                    )
                    .bind(id.to_string())
                    .fetch_optional(self.reader())
                    .await?;
                    row.map(|r| Ok((r.try_get("customer_id")?, r.try_get("sealed")?))).transpose()
                }

                async fn wrapped_data_key(&self, customer_id: &str) -> Result<Option<Vec<u8>>, StoreError> {
                    Ok(sqlx::query_scalar("SELECT wrapped_key FROM customer_keys WHERE customer_id = $1")
                        .bind(customer_id)
                        .fetch_optional(self.reader())
                        .await?)
                }

                async fn insert_wrapped_data_key(&self, customer_id: &str, wrapped: &[u8], at: Timestamp) -> Result<Vec<u8>, StoreError> {
                    let mut tx = self.writer().begin().await?;
                    sqlx::query(
                        "INSERT INTO customer_keys (customer_id, wrapped_key, created_at_ms) VALUES ($1, $2, $3) \
                         ON CONFLICT (customer_id) DO NOTHING",
                    )
                    .bind(customer_id)
                    .bind(wrapped)
                    .bind(at.millis())
                    .execute(&mut *tx)
                    .await?;
                    let stored: Vec<u8> = sqlx::query_scalar("SELECT wrapped_key FROM customer_keys WHERE customer_id = $1")
                        .bind(customer_id)
                        .fetch_one(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Ok(stored)
                }

                async fn vault_entry(&self, conversation_id: &str, token: &str) -> Result<Option<StoredVaultEntry>, StoreError> {
                    let row = sqlx::query("SELECT conversation_id, token, kind, sealed FROM pii_vault WHERE conversation_id = $1 AND token = $2")
                        .bind(conversation_id)
                        .bind(token)
                        .fetch_optional(self.reader())
                        .await?;
                    row.as_ref().map(decode_vault).transpose()
                }

                async fn customer_conversation_ids(&self, customer_id: &str) -> Result<Vec<String>, StoreError> {
                    Ok(sqlx::query_scalar("SELECT id FROM conversations WHERE customer_id = $1 ORDER BY created_at_ms, id")
                        .bind(customer_id)
                        .fetch_all(self.reader())
                        .await?)
                }

                async fn customer_originals(&self, customer_id: &str) -> Result<Vec<(Uuid, Vec<u8>)>, StoreError> {
                    let rows = sqlx::query(
                        "SELECT o.message_id, o.sealed FROM message_originals o JOIN messages m ON m.id = o.message_id \
                         WHERE m.customer_id = $1 ORDER BY m.received_at_ms, m.id",
                    )
                    .bind(customer_id)
                    .fetch_all(self.reader())
                    .await?;
                    rows.iter()
                        .map(|r| {
                            let id: String = r.try_get("message_id")?;
                            Ok((Uuid::parse_str(&id).map_err(corrupt)?, r.try_get("sealed")?))
                        })
                        .collect()
                }

                async fn customer_vault(&self, customer_id: &str) -> Result<Vec<StoredVaultEntry>, StoreError> {
                    let rows = sqlx::query(
                        "SELECT v.conversation_id, v.token, v.kind, v.sealed FROM pii_vault v \
                         JOIN conversations c ON c.id = v.conversation_id WHERE c.customer_id = $1 \
                         ORDER BY v.conversation_id, v.token",
                    )
                    .bind(customer_id)
                    .fetch_all(self.reader())
                    .await?;
                    rows.iter().map(decode_vault).collect()
                }

                async fn erase_customer(&self, customer_id: &str, replacement: &str) -> Result<ErasureCounts, StoreError> {
                    let mut tx = self.writer().begin().await?;
                    let data_key = sqlx::query("DELETE FROM customer_keys WHERE customer_id = $1")
                        .bind(customer_id)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected() > 0;
                    let originals = sqlx::query(
                        "DELETE FROM message_originals WHERE message_id IN (SELECT id FROM messages WHERE customer_id = $1)",
                    )
                    .bind(customer_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    let vault_values = sqlx::query(
                        "DELETE FROM pii_vault WHERE conversation_id IN (SELECT id FROM conversations WHERE customer_id = $1)",
                    )
                    .bind(customer_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    let conversation_pseudonyms = sqlx::query(
                        "DELETE FROM pseudonyms WHERE conversation_id IN (SELECT id FROM conversations WHERE customer_id = $1)",
                    )
                    .bind(customer_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    let customer_pseudonyms = sqlx::query("DELETE FROM customer_pseudonyms WHERE customer_id = $1")
                        .bind(customer_id)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    // The counters hold no value, but they are the customer's too.
                    sqlx::query("DELETE FROM customer_pseudonym_counters WHERE customer_id = $1")
                        .bind(customer_id)
                        .execute(&mut *tx)
                        .await?;
                    let pseudonyms = conversation_pseudonyms + customer_pseudonyms;
                    let messages = sqlx::query("UPDATE messages SET customer_id = $2, metadata = NULL WHERE customer_id = $1")
                        .bind(customer_id)
                        .bind(replacement)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    // Free text people wrote in the customer's conversations (agent replies,
                    // complaints filed through the API) is not pseudonymised, so it goes too.
                    sqlx::query(
                        "UPDATE conversation_events SET detail = '{\"text\":\"[erased]\"}' WHERE kind = 'agent_reply' \
                         AND conversation_id IN (SELECT id FROM conversations WHERE customer_id = $1)",
                    )
                    .bind(customer_id)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "UPDATE complaints SET text = '[erased]' \
                         WHERE conversation_id IN (SELECT id FROM conversations WHERE customer_id = $1)",
                    )
                    .bind(customer_id)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query("UPDATE conversations SET customer_id = $2 WHERE customer_id = $1")
                        .bind(customer_id)
                        .bind(replacement)
                        .execute(&mut *tx)
                        .await?;
                    // The consent history stays as evidence, under the keyed hash.
                    sqlx::query("UPDATE consent_changes SET customer_id = $2 WHERE customer_id = $1")
                        .bind(customer_id)
                        .bind(replacement)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query("DELETE FROM customer_preferences WHERE customer_id = $1")
                        .bind(customer_id)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Ok(ErasureCounts { messages, originals, vault_values, pseudonyms, data_key })
                }

                async fn conversation(&self, id: &str) -> Result<Option<StoredConversation>, StoreError> {
                    let Some(row) = sqlx::query(
                        "SELECT id, customer_id, channel, state, created_at_ms, waiting_since_ms FROM conversations WHERE id = $1",
                    )
                    .bind(id)
                    .fetch_optional(self.reader())
                    .await?
                    else {
                        return Ok(None);
                    };
                    let pii_rows = sqlx::query(PII_BY_CONVERSATION).bind(id).fetch_all(self.reader()).await?;
                    let mut pii = group(pii_rows.iter().map(decode_pii).collect::<Result<Vec<_>, _>>()?);
                    let reason_rows = sqlx::query(REASONS_BY_CONVERSATION).bind(id).fetch_all(self.reader()).await?;
                    let mut reasons = group(reason_rows.iter().map(decode_reason).collect::<Result<Vec<_>, _>>()?);
                    let message_rows = sqlx::query(MESSAGE_COLUMNS_BY_CONVERSATION).bind(id).fetch_all(self.reader()).await?;
                    let mut messages = Vec::with_capacity(message_rows.len());
                    for m in &message_rows {
                        let mid: String = m.try_get("id")?;
                        messages.push(decode_message(m, take_for(&mut pii, &mid), take_for(&mut reasons, &mid))?);
                    }
                    let channel: String = row.try_get("channel")?;
                    let state: String = row.try_get("state")?;
                    let waiting_since: Option<i64> = row.try_get("waiting_since_ms")?;
                    Ok(Some(StoredConversation {
                        id: row.try_get("id")?,
                        customer_id: row.try_get("customer_id")?,
                        channel: channel.parse::<Channel>().map_err(corrupt)?,
                        state: ConversationState::parse(&state)?,
                        created_at: Timestamp(row.try_get("created_at_ms")?),
                        waiting_since: waiting_since.map(Timestamp),
                        messages,
                    }))
                }

                async fn queue(&self, limit: u32) -> Result<Vec<QueueEntry>, StoreError> {
                    let rows = sqlx::query(
                        "SELECT id, customer_id, channel, waiting_since_ms, message_count, last_language, need_json FROM conversations \
                         WHERE state = $1 ORDER BY waiting_since_ms, id LIMIT $2",
                    )
                    .bind(ConversationState::WaitingForHuman.as_str())
                    .bind(i64::from(limit))
                    .fetch_all(self.reader())
                    .await?;
                    rows.iter()
                        .map(|r| {
                            let channel: String = r.try_get("channel")?;
                            let language: Option<String> = r.try_get("last_language")?;
                            let waiting: Option<i64> = r.try_get("waiting_since_ms")?;
                            Ok(QueueEntry {
                                conversation_id: r.try_get("id")?,
                                customer_id: r.try_get("customer_id")?,
                                channel: channel.parse::<Channel>().map_err(corrupt)?,
                                waiting_since: Timestamp(waiting.ok_or_else(|| corrupt("waiting conversation without waiting_since"))?),
                                message_count: to_u64(r.try_get("message_count")?, "message_count")?,
                                language: language.map(|l| l.parse::<Lang>()).transpose().map_err(corrupt)?,
                                need: r.try_get("need_json")?,
                            })
                        })
                        .collect()
                }

                async fn audit_entries(&self, from: u64, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
                    let rows = sqlx::query("SELECT idx, payload, created_at_ms FROM audit_log WHERE idx >= $1 ORDER BY idx LIMIT $2")
                        .bind(i64::try_from(from).map_err(|_| corrupt("index out of range"))?)
                        .bind(i64::from(limit))
                        .fetch_all(self.reader())
                        .await?;
                    rows.iter()
                        .map(|r| {
                            Ok(AuditEntry {
                                index: to_u64(r.try_get("idx")?, "audit_log.idx")?,
                                payload: r.try_get("payload")?,
                                created_at: Timestamp(r.try_get("created_at_ms")?),
                            })
                        })
                        .collect()
                }

                async fn create_token(&self, t: &StoredToken) -> Result<(), StoreError> {
                    sqlx::query(
                        "INSERT INTO api_tokens (id, name, role, token_hash, created_at_ms, revoked_at_ms, expires_at_ms, user_id) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(&t.id)
                    .bind(&t.name)
                    .bind(t.role.as_str())
                    .bind(&t.token_hash[..])
                    .bind(t.created_at.millis())
                    .bind(t.revoked_at.map(|r| r.millis()))
                    .bind(t.expires_at.map(|e| e.millis()))
                    .bind(t.user_id.as_deref())
                    .execute(self.writer())
                    .await?;
                    Ok(())
                }

                async fn token_by_hash(&self, token_hash: &[u8; 32]) -> Result<Option<StoredToken>, StoreError> {
                    let row = sqlx::query(
                        "SELECT id, name, role, token_hash, created_at_ms, revoked_at_ms, expires_at_ms, user_id FROM api_tokens \
                         WHERE token_hash = $1",
                    )
                    .bind(&token_hash[..])
                    .fetch_optional(self.reader())
                    .await?;
                    row.as_ref().map(decode_token).transpose()
                }

                async fn tokens(&self) -> Result<Vec<StoredToken>, StoreError> {
                    let rows = sqlx::query(
                        "SELECT id, name, role, token_hash, created_at_ms, revoked_at_ms, expires_at_ms, user_id FROM api_tokens \
                         ORDER BY created_at_ms, id",
                    )
                    .fetch_all(self.reader())
                    .await?;
                    rows.iter().map(decode_token).collect()
                }

                async fn revoke_token(&self, id: &str, at: Timestamp) -> Result<bool, StoreError> {
                    let done = sqlx::query("UPDATE api_tokens SET revoked_at_ms = $1 WHERE id = $2 AND revoked_at_ms IS NULL")
                        .bind(at.millis())
                        .bind(id)
                        .execute(self.writer())
                        .await?;
                    Ok(done.rows_affected() == 1)
                }

                async fn message_count(&self) -> Result<u64, StoreError> {
                    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages").fetch_one(self.reader()).await?;
                    to_u64(n, "count")
                }
            }
        }
    };
}

pub(crate) use shared_store_impl;
