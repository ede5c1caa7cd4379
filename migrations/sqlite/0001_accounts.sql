-- Accounts, sessions and personal access tokens, plus server-wide key material.
-- Times are Unix milliseconds (BIGINT) so the same queries run on SQLite and PostgreSQL.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    CONSTRAINT users_username_key UNIQUE (username)
);

CREATE TABLE auth_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- SHA-256 of the bearer secret: a leaked database does not leak live tokens.
    token_hash   TEXT    NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('session', 'personal')),
    name         TEXT,
    created_at   BIGINT  NOT NULL,
    last_used_at BIGINT,
    expires_at   BIGINT,
    CONSTRAINT auth_tokens_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX auth_tokens_user_idx ON auth_tokens (user_id);

CREATE TABLE server_keys (
    name       TEXT   PRIMARY KEY,
    value      TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);
