-- One durable job queue for everything delivered later (pushes now;
-- webhooks and notification pushes next). A producer writes its jobs in
-- its own transaction; workers claim them under a lease.
CREATE TABLE jobs (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The handler that sends it, e.g. 'push.message', 'push.test'.
    kind            TEXT    NOT NULL,
    -- Whose it is: claims take owners in turn, so one cannot starve the rest.
    owner_id        BIGINT  REFERENCES users (id) ON DELETE CASCADE,
    -- Where it goes (a push service's origin, a webhook's host): backed off
    -- as a whole when it keeps failing, and capped in flight.
    destination     TEXT    NOT NULL,
    -- The device or endpoint it is for ('push:<subscription id>'): a target
    -- that is gone takes its pending jobs with it.
    target          TEXT    NOT NULL,
    -- What the kind's handler needs, as JSON.
    payload         TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'done', 'dead')),
    attempts        BIGINT  NOT NULL DEFAULT 0,
    next_attempt_at BIGINT  NOT NULL,
    -- A claim's lease and the node holding it (released at once when that
    -- node restarts).
    locked_until    BIGINT,
    locked_by       TEXT,
    last_status     BIGINT,
    last_error      TEXT,
    created_at      BIGINT  NOT NULL,
    finished_at     BIGINT
);
CREATE INDEX jobs_due_idx ON jobs (status, next_attempt_at);
CREATE INDEX jobs_owner_idx ON jobs (owner_id, status);
CREATE INDEX jobs_target_idx ON jobs (target, status);

-- Destinations that keep failing, and until when they rest.
CREATE TABLE job_destinations (
    destination   TEXT    PRIMARY KEY,
    failures      BIGINT  NOT NULL DEFAULT 0,
    blocked_until BIGINT  NOT NULL DEFAULT 0
);

-- Where a device's pushes go: the push service's origin.
ALTER TABLE push_subscriptions ADD COLUMN origin TEXT NOT NULL DEFAULT '';
UPDATE push_subscriptions SET origin = COALESCE(substring(endpoint from '^[A-Za-z]+://[^/]+'), endpoint);

INSERT INTO jobs (kind, owner_id, destination, target, payload, status, attempts, next_attempt_at,
                  last_status, last_error, created_at, finished_at)
SELECT 'push.' || j.kind, j.user_id, s.origin, 'push:' || j.subscription_id,
       json_build_object('conversation_id', j.conversation_id, 'message_id', j.message_id, 'shrunk', j.shrunk <> 0)::text,
       j.status, j.attempts, j.next_attempt_at, j.last_status, j.last_error, j.created_at, j.finished_at
FROM push_jobs j JOIN push_subscriptions s ON s.id = j.subscription_id;
DROP TABLE push_jobs;
