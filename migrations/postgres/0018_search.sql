-- Full-text search over messages: a tsvector the database keeps (a
-- generated column, 'simple': no language's stemming, as chats mix them)
-- and its GIN index. Deleted messages and replies still streaming have none.
ALTER TABLE messages ADD COLUMN search tsvector GENERATED ALWAYS AS (
    CASE WHEN streaming = 0 AND deleted_at IS NULL THEN to_tsvector('simple', body) END
) STORED;
CREATE INDEX messages_search_idx ON messages USING GIN (search);
