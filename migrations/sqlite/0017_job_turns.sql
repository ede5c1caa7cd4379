-- Claiming in turns off an index: a job's turn is where its owner's line
-- stood when it was queued (see queue::store::turn_base), so a claim reads
-- the next few jobs in turn order instead of ranking every due job.
ALTER TABLE jobs ADD COLUMN turn BIGINT NOT NULL DEFAULT 0;
CREATE INDEX jobs_turn_idx ON jobs (status, turn, id);
-- Jobs in flight, counted per destination at every claim.
CREATE INDEX jobs_lease_idx ON jobs (locked_until) WHERE locked_until IS NOT NULL;
