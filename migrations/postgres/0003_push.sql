-- Web Push: subscribed devices, muted conversations, and the delivery queue.
CREATE TABLE push_subscriptions (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id         BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    endpoint        TEXT    NOT NULL,
    p256dh          TEXT    NOT NULL,
    auth            TEXT    NOT NULL,
    label           TEXT,
    expiration_time BIGINT,
    created_at      BIGINT  NOT NULL,
    last_success_at BIGINT,
    last_status     BIGINT,
    CONSTRAINT push_subscriptions_endpoint_key UNIQUE (endpoint)
);
CREATE INDEX push_subscriptions_user_idx ON push_subscriptions (user_id);

ALTER TABLE members ADD COLUMN muted BIGINT NOT NULL DEFAULT 0;

-- One row per push to send, written in the same transaction as the message
-- (outbox pattern), so a crash can delay a push but never lose it.
CREATE TABLE push_jobs (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subscription_id BIGINT  NOT NULL REFERENCES push_subscriptions (id) ON DELETE CASCADE,
    user_id         BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL CHECK (kind IN ('message', 'test')),
    conversation_id BIGINT  REFERENCES conversations (id) ON DELETE CASCADE,
    message_id      BIGINT  REFERENCES messages (id) ON DELETE CASCADE,
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'done', 'dead')),
    attempts        BIGINT  NOT NULL DEFAULT 0,
    next_attempt_at BIGINT  NOT NULL,
    -- A worker's lease: another worker may take the job once it has passed.
    locked_until    BIGINT,
    -- Set after a 413: send the shortened payload.
    shrunk          BIGINT  NOT NULL DEFAULT 0,
    last_status     BIGINT,
    last_error      TEXT,
    created_at      BIGINT  NOT NULL,
    finished_at     BIGINT
);
CREATE INDEX push_jobs_due_idx ON push_jobs (status, next_attempt_at);
CREATE INDEX push_jobs_user_idx ON push_jobs (user_id, status);
