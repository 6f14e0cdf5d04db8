-- Pseudonyms numbered per customer (`[pii] pseudonym_scope = "customer"`): the same value
-- gets the same token in all of a customer's conversations. Like `pseudonyms`, a mapping
-- holds only the keyed digest of (kind, canonical value), never the value.

-- A conversation keeps the scope of its first message, so that changing the policy never
-- gives one token two values within a conversation. Existing conversations were numbered
-- per conversation.
ALTER TABLE conversations ADD COLUMN pseudonym_scope TEXT NOT NULL DEFAULT 'conversation';

-- `used_at_ms` is the last message that used the mapping, and `conversation_id` its
-- conversation: retention deletes a customer's mappings once their last message has expired
-- (privacy.md), and names the item by that conversation.
CREATE TABLE customer_pseudonyms (
    customer_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    digest BYTEA NOT NULL,
    ordinal BIGINT NOT NULL,
    conversation_id TEXT NOT NULL,
    used_at_ms BIGINT NOT NULL,
    PRIMARY KEY (customer_id, kind, digest),
    UNIQUE (customer_id, kind, ordinal)
);

CREATE INDEX customer_pseudonyms_by_used ON customer_pseudonyms (used_at_ms);
-- Whether a customer wrote since a cutoff.
CREATE INDEX conversations_by_customer ON conversations (customer_id, last_message_at_ms);

-- The highest ordinal ever given per customer and kind. It outlives the mappings that
-- retention deletes, so a number is never given to a second value for the same customer
-- (older pseudonymised text may still show the first); erasure deletes it.
CREATE TABLE customer_pseudonym_counters (
    customer_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    last_ordinal BIGINT NOT NULL,
    PRIMARY KEY (customer_id, kind)
);
