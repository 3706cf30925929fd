-- Queued runs: a `Pending` execution row is a job. A worker claims it by setting it `Running` with its own
-- process as owner; the owner's heartbeat in gateway_instances is the lease on every run it holds.
ALTER TABLE executions
    ADD COLUMN attempts     integer     NOT NULL DEFAULT 0,
    ADD COLUMN max_attempts integer     NOT NULL DEFAULT 1,
    ADD COLUMN run_after    timestamptz,
    -- What a queued run's context needs of its caller beyond the columns above: email, name, platform admin.
    ADD COLUMN caller       jsonb;
CREATE INDEX executions_queue_idx ON executions (created_at) WHERE status = 'Pending';
