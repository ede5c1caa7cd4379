-- Mentions and notification levels. A member's level for a conversation
-- is 'all', 'mentions' or 'none'; NULL means the default, which depends
-- on the conversation (direct: all; a group of more than ten: mentions),
-- so it follows the group as it grows. Muting was the 'none' level.
ALTER TABLE members ADD COLUMN notify_level TEXT
    CHECK (notify_level IS NULL OR notify_level IN ('all', 'mentions', 'none'));
UPDATE members SET notify_level = 'none' WHERE muted <> 0;
ALTER TABLE members DROP COLUMN muted;

-- Who a message mentions: `messages.mentions` (JSON: user id, username)
-- travels with the message; this table answers "my unread mentions" per
-- conversation from an index, and is cleared with the message's text.
ALTER TABLE messages ADD COLUMN mentions TEXT NOT NULL DEFAULT '[]';
CREATE TABLE mentions (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    message_id BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, conversation_id, message_id)
);
