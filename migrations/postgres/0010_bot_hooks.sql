-- Incoming webhooks: a secret URL that posts as a bot into one
-- conversation, for CI systems and scripts that cannot keep a token. Like
-- tokens, only the secret's SHA-256 is kept.
CREATE TABLE bot_hooks (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    bot_id          BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    secret_hash     TEXT   NOT NULL,
    created_at      BIGINT NOT NULL,
    last_used_at    BIGINT,
    CONSTRAINT bot_hooks_secret_hash_key UNIQUE (secret_hash)
);
CREATE INDEX bot_hooks_bot_idx ON bot_hooks (bot_id);
