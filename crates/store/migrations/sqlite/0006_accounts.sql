-- Accounts for people. Usernames are stored trimmed and lower-case (ASCII only, so that both
-- databases agree on what "the same name" means); passwords only as argon2 PHC strings.
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE CHECK (username = lower(trim(username))),
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    disabled_at_ms INTEGER
);

-- Tokens may expire; a session token also names the user it was issued to, so that disabling
-- the user ends their sessions.
ALTER TABLE api_tokens ADD COLUMN expires_at_ms INTEGER;
ALTER TABLE api_tokens ADD COLUMN user_id TEXT REFERENCES users (id);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);
