-- A device belongs to the session that registered it: ending that session
-- (signing out, revoking it, letting it expire) removes the device.
ALTER TABLE push_subscriptions ADD COLUMN session_id BIGINT REFERENCES auth_tokens (id) ON DELETE CASCADE;
CREATE INDEX push_subscriptions_session_idx ON push_subscriptions (session_id);
-- What a personal token may do, space-separated (NULL for a session: a
-- signed-in person may do everything).
ALTER TABLE auth_tokens ADD COLUMN scopes TEXT;
-- A session's device, as its owner sees it in the list ("Chrome on Android").
ALTER TABLE auth_tokens ADD COLUMN device TEXT;
