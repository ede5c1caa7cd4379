-- What each device may be showing: a push the push service accepted, by
-- its tag ('conversation-<id>', 'notification-<id>', 'n-<tag>'). Reading
-- the conversation or the notification elsewhere sends those devices a
-- dismissal push; a device never shown one is never sent one (a push that
-- shows nothing costs the site Chrome's silent-push budget).
CREATE TABLE shown_pushes (
    subscription_id BIGINT NOT NULL REFERENCES push_subscriptions (id) ON DELETE CASCADE,
    tag             TEXT   NOT NULL,
    shown_at        BIGINT NOT NULL,
    PRIMARY KEY (subscription_id, tag)
);
