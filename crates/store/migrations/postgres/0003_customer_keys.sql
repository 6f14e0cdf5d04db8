-- Each customer's data key, wrapped by the master key (which is never stored here).
-- Deleting a row crypto-shreds everything sealed with that key.
CREATE TABLE customer_keys (
    customer_id TEXT PRIMARY KEY,
    wrapped_key BYTEA NOT NULL,
    created_at_ms BIGINT NOT NULL
);
