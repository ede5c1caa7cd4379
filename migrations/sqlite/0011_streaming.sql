-- Streamed replies: a message a bot (or any author) writes piece by piece,
-- seen growing by the members, and finished once. While `streaming` is 1
-- its body is what has arrived so far and `deltas` counts the appends.
ALTER TABLE messages ADD COLUMN streaming INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN deltas INTEGER NOT NULL DEFAULT 0;

-- The timeout sweep reads only the open drafts.
CREATE INDEX messages_streaming_idx ON messages (created_at) WHERE streaming = 1;
