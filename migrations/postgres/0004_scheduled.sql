-- Messages to send later, e.g. a reminder bot's 8:00 post.
CREATE TABLE scheduled_messages (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    author_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Becomes the message's client_id, so a send repeated after a crash is
    -- answered with the original message, never stored twice.
    client_id       TEXT   NOT NULL,
    body            TEXT   NOT NULL,
    send_at         BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    -- The node sending it holds it until then; after a crash another takes over.
    claimed_until   BIGINT NOT NULL DEFAULT 0,
    -- Why it can no longer be sent (the author left, say); shown to the author.
    error           TEXT,
    CONSTRAINT scheduled_author_client_key UNIQUE (author_id, client_id)
);
CREATE INDEX scheduled_due_idx ON scheduled_messages (send_at);
