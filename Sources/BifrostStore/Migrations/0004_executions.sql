-- Gateway processes, so that runs left behind by a process that died can be told from runs still in progress.
CREATE TABLE gateway_instances (
    id           uuid        PRIMARY KEY,
    started_at   timestamptz NOT NULL DEFAULT now(),
    heartbeat_at timestamptz NOT NULL DEFAULT now()
);

-- One row per workflow run.
CREATE TABLE executions (
    id              uuid        PRIMARY KEY,
    workflow        text        NOT NULL,
    organization_id uuid        REFERENCES organizations (id) ON DELETE CASCADE,
    status          text        NOT NULL CHECK (status IN
                        ('Pending', 'Running', 'Success', 'CompletedWithErrors', 'Failed', 'Timeout', 'Cancelled')),
    input           jsonb       NOT NULL,
    result          jsonb,
    error           text,
    started_by_user uuid        REFERENCES users (id) ON DELETE SET NULL,
    started_by_key  uuid        REFERENCES api_keys (id) ON DELETE SET NULL,
    started_by      text        NOT NULL,
    owner_instance  uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    started_at      timestamptz,
    finished_at     timestamptz,
    duration_ms     bigint
);
CREATE INDEX executions_listing_idx ON executions (organization_id, created_at DESC, id DESC);
CREATE INDEX executions_unfinished_idx ON executions (owner_instance) WHERE status IN ('Pending', 'Running');

-- A run's log, in the order it was written.
CREATE TABLE execution_logs (
    execution_id uuid        NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    sequence     integer     NOT NULL,
    level        text        NOT NULL,
    message      text        NOT NULL,
    logged_at    timestamptz NOT NULL,
    PRIMARY KEY (execution_id, sequence)
);
