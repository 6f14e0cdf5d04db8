-- Consent per customer and purpose, as a history: every change is a row, and the latest row
-- per (customer_id, purpose) is the one in force. Re-granting adds a row; it never rewrites one.
CREATE TABLE consent_changes (
    id BIGSERIAL PRIMARY KEY,
    customer_id TEXT NOT NULL,
    purpose TEXT NOT NULL,
    granted BOOLEAN NOT NULL,
    source TEXT NOT NULL,
    policy_text_version TEXT NOT NULL,
    at_ms BIGINT NOT NULL
);

CREATE INDEX consent_changes_by_customer ON consent_changes (customer_id, purpose, at_ms, id);
