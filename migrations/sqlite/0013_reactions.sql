-- Reactions: one row per (message, emoji, person). `messages.reactions`
-- holds the summary (JSON: emoji, count, who, in the order first used),
-- rewritten in the same transaction as each toggle, so history pages and
-- live frames read it with the message and no second query. A reaction is
-- a change of its message (`rev`), so `resume` replays it.
CREATE TABLE reactions (
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    emoji TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (message_id, emoji, user_id)
);
ALTER TABLE messages ADD COLUMN reactions TEXT NOT NULL DEFAULT '[]';
