-- The notification centre: an inbox per person (the source of truth; a
-- push is only a heads-up), schedules for later and recurring ones, and
-- each person's quiet hours and preview level.
CREATE TABLE notifications (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT   NOT NULL,
    title       TEXT   NOT NULL,
    body        TEXT   NOT NULL DEFAULT '',
    url         TEXT,
    priority    TEXT   NOT NULL DEFAULT 'normal',
    tag         TEXT,
    -- Who made it: a person, a bot, or a token of theirs.
    actor_id    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    token_id    BIGINT,
    schedule_id BIGINT,
    -- Fired after its time (the server was down): shown as late.
    late        INTEGER NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    sent_at     BIGINT,
    read_at     BIGINT,
    archived_at BIGINT,
    -- Its push waits for the end of quiet hours (then one summary per tag).
    push_held   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX notifications_inbox_idx ON notifications (user_id, id);
CREATE INDEX notifications_held_idx ON notifications (user_id, push_held);

-- A repeated dedupe_key from the same actor within a day answers with the
-- first request's result; the key row is the lock that makes that race-free.
CREATE TABLE notification_dedupe (
    actor_id   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    dedupe_key TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    response   TEXT   NOT NULL,
    PRIMARY KEY (actor_id, dedupe_key)
);

-- A notification for later: once (rrule NULL) or by an RFC 5545 rule,
-- evaluated in its timezone. next_at is the next occurrence.
CREATE TABLE notification_schedules (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    actor_id      BIGINT REFERENCES users (id) ON DELETE SET NULL,
    token_id      BIGINT,
    kind          TEXT   NOT NULL,
    title         TEXT   NOT NULL,
    body          TEXT   NOT NULL DEFAULT '',
    url           TEXT,
    priority      TEXT   NOT NULL DEFAULT 'normal',
    tag           TEXT,
    rrule         TEXT,
    timezone      TEXT   NOT NULL,
    -- When the rule starts (its DTSTART), in ms since the epoch.
    starts_at     BIGINT NOT NULL,
    next_at       BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    -- The node firing it holds it until then; after a crash another takes over.
    claimed_until BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX notification_schedules_due_idx ON notification_schedules (next_at);
CREATE INDEX notification_schedules_user_idx ON notification_schedules (user_id);

CREATE TABLE user_preferences (
    user_id      BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    -- "HH:MM" local times and an IANA zone; NULL: no quiet hours.
    quiet_start  TEXT,
    quiet_end    TEXT,
    quiet_tz     TEXT,
    push_preview TEXT NOT NULL DEFAULT 'full',
    language     TEXT,
    -- When the current quiet period's summary is due (ms), if pushes are held.
    held_until   BIGINT
);

-- Message pushes held by quiet hours: one row per conversation, counting
-- them, so the morning brings one summary push per conversation.
CREATE TABLE held_pushes (
    user_id         BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    last_message_id BIGINT NOT NULL,
    count           BIGINT NOT NULL,
    PRIMARY KEY (user_id, conversation_id)
);
