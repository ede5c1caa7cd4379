-- A collapse key leaves the server as the id of the first notification
-- that carried it (never its words): finding that id per person and tag.
CREATE INDEX notifications_tag_idx ON notifications (user_id, tag, id);
