-- The message path: conversations, messages with their decisions, originals kept apart,
-- pseudonym assignments, the personal-data vault and the hash-chained audit log.

CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    waiting_since_ms INTEGER,
    last_message_at_ms INTEGER NOT NULL,
    message_count INTEGER NOT NULL,
    last_language TEXT
);
CREATE INDEX conversations_queue ON conversations (state, waiting_since_ms);

CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    customer_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    received_at_ms INTEGER NOT NULL,
    seq_in_conversation INTEGER NOT NULL,
    pseudonymised_text TEXT NOT NULL,
    metadata TEXT,
    language TEXT,
    language_confidence REAL NOT NULL,
    route TEXT NOT NULL,
    rule TEXT NOT NULL,
    explanation TEXT NOT NULL,
    pipeline_version TEXT NOT NULL,
    policy_version TEXT NOT NULL,
    language_model_version TEXT NOT NULL,
    audit_seq INTEGER NOT NULL
);
CREATE INDEX messages_conversation ON messages (conversation_id, seq_in_conversation);

-- Originals live apart from everything derived, so that they can be encrypted, purged and
-- erased on their own.
CREATE TABLE message_originals (
    message_id TEXT PRIMARY KEY REFERENCES messages (id) DEFERRABLE INITIALLY DEFERRED,
    text TEXT NOT NULL
);

CREATE TABLE message_pii (
    message_id TEXT NOT NULL REFERENCES messages (id) DEFERRABLE INITIALLY DEFERRED,
    ord INTEGER NOT NULL,
    kind TEXT NOT NULL,
    start_byte INTEGER NOT NULL,
    end_byte INTEGER NOT NULL,
    token TEXT NOT NULL,
    score REAL NOT NULL,
    recogniser TEXT NOT NULL,
    PRIMARY KEY (message_id, ord)
);

CREATE TABLE decision_reasons (
    message_id TEXT NOT NULL REFERENCES messages (id) DEFERRABLE INITIALLY DEFERRED,
    ord INTEGER NOT NULL,
    stage TEXT NOT NULL,
    code TEXT NOT NULL,
    detail TEXT NOT NULL,
    PRIMARY KEY (message_id, ord)
);

CREATE TABLE pseudonyms (
    conversation_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    digest BLOB NOT NULL,
    ordinal INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, kind, digest),
    UNIQUE (conversation_id, kind, ordinal)
);

CREATE TABLE pii_vault (
    conversation_id TEXT NOT NULL,
    token TEXT NOT NULL,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (conversation_id, token)
);

CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    prev_hash BLOB NOT NULL,
    hash BLOB NOT NULL,
    payload BLOB NOT NULL
);

CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash BLOB NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, zeroblob(32));
