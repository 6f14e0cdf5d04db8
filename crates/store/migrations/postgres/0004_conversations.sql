-- The conversation around a message: its full decision, states with their transitions,
-- replies, overrides and feedback, customers' AI preference, the knowledge base and
-- complaints about AI decisions.

-- Routes are now `bot` or `human`; every earlier decision went to a person.
UPDATE messages SET route = 'human' WHERE route = 'human_queue';
-- The whole decision (understanding, reply, priority) as JSON; older rows have none.
ALTER TABLE messages ADD COLUMN decision_json TEXT;

-- The need signals of the latest message routed to a person, from which the queue priority
-- is computed when the queue is read (waiting time changes; the inputs do not).
ALTER TABLE conversations ADD COLUMN need_json TEXT;
ALTER TABLE conversations ADD COLUMN assigned_to TEXT;

CREATE TABLE conversation_events (
    id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    message_id TEXT,
    from_state TEXT,
    to_state TEXT,
    detail TEXT NOT NULL
);
CREATE INDEX conversation_events_by_conversation ON conversation_events (conversation_id, at_ms, id);

CREATE TABLE customer_preferences (
    customer_id TEXT PRIMARY KEY,
    ai_opt_out BOOLEAN NOT NULL,
    source TEXT NOT NULL,
    updated_at_ms BIGINT NOT NULL
);

CREATE TABLE kb_articles (
    id TEXT NOT NULL,
    lang TEXT NOT NULL,
    version BIGINT NOT NULL,
    markdown TEXT NOT NULL,
    imported_at_ms BIGINT NOT NULL,
    PRIMARY KEY (id, lang)
);

CREATE TABLE complaints (
    id TEXT PRIMARY KEY,
    message_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    filed_by TEXT NOT NULL,
    text TEXT NOT NULL,
    owner_role TEXT NOT NULL,
    status TEXT NOT NULL,
    filed_at_ms BIGINT NOT NULL,
    due_at_ms BIGINT NOT NULL,
    upheld BOOLEAN,
    resolution TEXT,
    resolved_by TEXT,
    resolved_at_ms BIGINT
);
CREATE INDEX complaints_by_status ON complaints (status, due_at_ms);
