-- Conversations, their members and messages.
CREATE TABLE conversations (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    kind             TEXT    NOT NULL CHECK (kind IN ('direct', 'group')),
    title            TEXT,
    owner_id         BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    -- "<low user id>:<high user id>" for direct conversations, so a pair has one.
    direct_key       TEXT,
    created_at       BIGINT  NOT NULL,
    last_activity_at BIGINT  NOT NULL,
    -- Messages get consecutive per-conversation sequence numbers under this
    -- row's lock, so a client (or socket) can see a gap and fill it.
    last_seq         BIGINT  NOT NULL DEFAULT 0,
    CONSTRAINT conversations_direct_key_key UNIQUE (direct_key)
);

CREATE TABLE members (
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    user_id         BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    joined_at       BIGINT NOT NULL,
    -- Highest message id the member has read; only ever moves forward.
    last_read_id    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX members_user_idx ON members (user_id);

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id BIGINT  NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq             BIGINT  NOT NULL,
    author_id       BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Chosen by the sender; (author, client_id) makes retries idempotent.
    client_id       TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    CONSTRAINT messages_author_client_key UNIQUE (author_id, client_id),
    CONSTRAINT messages_conversation_seq_key UNIQUE (conversation_id, seq)
);
CREATE INDEX messages_conversation_id_idx ON messages (conversation_id, id);
