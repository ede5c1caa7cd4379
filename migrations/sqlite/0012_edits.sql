-- Editing and deleting messages. `rev` numbers the changes to a
-- conversation's messages (`conversations.last_rev` is the newest), so a
-- client that resumes gets the edits and deletions it missed, not only the
-- new messages. A deleted message stays as a tombstone (its seq keeps the
-- sequence gapless) with its body gone.
ALTER TABLE conversations ADD COLUMN last_rev INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN edited_at INTEGER;
ALTER TABLE messages ADD COLUMN deleted_at INTEGER;
ALTER TABLE messages ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;

CREATE INDEX messages_rev_idx ON messages (conversation_id, rev) WHERE rev > 0;
