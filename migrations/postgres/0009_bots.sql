-- Bots: accounts that a person owns and that programs drive over the API.
-- A bot is a user (it is a member, writes messages, gets a token) that
-- cannot sign in with a password; what makes it a bot is kept here.
ALTER TABLE users ADD COLUMN is_bot INTEGER NOT NULL DEFAULT 0;

CREATE TABLE bots (
    user_id        BIGINT  PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    owner_id       BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    display_name   TEXT,
    -- Where events are POSTed (NULL: the bot only uses the API).
    webhook_url    TEXT,
    -- Space-separated event types it wants (see bots::model::EventType).
    events         TEXT    NOT NULL,
    -- 1: anyone may start a conversation with it or add it to a group.
    public         INTEGER NOT NULL DEFAULT 0,
    -- Signs each webhook (HMAC-SHA256); it must be kept to sign, so it is
    -- stored as it is, unlike tokens.
    signing_secret TEXT    NOT NULL,
    -- Since when every delivery failed (NULL: the last one worked).
    failing_since  BIGINT,
    -- 1: failing for a day; no more events until its owner turns it back on.
    disabled       INTEGER NOT NULL DEFAULT 0,
    created_at     BIGINT  NOT NULL
);
CREATE INDEX bots_owner_idx ON bots (owner_id);
