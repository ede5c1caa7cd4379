-- Full-text search over messages: an FTS5 index that reads its text from
-- `messages` (external content), kept by triggers. Deleted messages and
-- replies still streaming are left out; an append to a draft touches nothing.
CREATE VIRTUAL TABLE messages_fts USING fts5 (
    body,
    content = 'messages',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
WHEN new.streaming = 0 AND new.deleted_at IS NULL BEGIN
    INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
END;

CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
WHEN old.streaming = 0 AND old.deleted_at IS NULL BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;

-- Out with the old text (if it was indexed), in with the new (if it counts).
CREATE TRIGGER messages_fts_update AFTER UPDATE OF body, streaming, deleted_at ON messages
WHEN (old.streaming = 0 AND old.deleted_at IS NULL) OR (new.streaming = 0 AND new.deleted_at IS NULL) BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body)
        SELECT 'delete', old.id, old.body WHERE old.streaming = 0 AND old.deleted_at IS NULL;
    INSERT INTO messages_fts (rowid, body)
        SELECT new.id, new.body WHERE new.streaming = 0 AND new.deleted_at IS NULL;
END;

INSERT INTO messages_fts (rowid, body) SELECT id, body FROM messages WHERE streaming = 0 AND deleted_at IS NULL;
