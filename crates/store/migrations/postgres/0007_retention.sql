-- Retention: when derived text was purged, so that a purge knows what it has already done
-- and re-running it changes nothing. Originals and vault values are deleted outright; these
-- rows stay (their route, rule, versions and audit index are the record of what happened) with
-- their free text replaced by `[purged]`.
ALTER TABLE messages ADD COLUMN text_purged_at_ms BIGINT;
ALTER TABLE messages ADD COLUMN decision_purged_at_ms BIGINT;
ALTER TABLE conversation_events ADD COLUMN purged_at_ms BIGINT;

-- Purges select by age.
CREATE INDEX messages_by_received ON messages (received_at_ms);
CREATE INDEX conversations_by_last_message ON conversations (last_message_at_ms);
CREATE INDEX conversation_events_by_kind_at ON conversation_events (kind, at_ms);
