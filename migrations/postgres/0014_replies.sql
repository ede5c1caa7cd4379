-- Replies: a message may answer an earlier one of its conversation. The
-- quote is read through a join, so it follows the original's edits and
-- its deletion; deleting the original row outright leaves the reply.
ALTER TABLE messages ADD COLUMN reply_to_id BIGINT REFERENCES messages (id) ON DELETE SET NULL;
