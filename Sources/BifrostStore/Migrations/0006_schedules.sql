-- Scheduled workflows, as first seen by any gateway: a slot before `first_seen` is never fired, so a new
-- deployment does not run yesterday's report.
CREATE TABLE schedules (
    workflow   text        PRIMARY KEY,
    expression text        NOT NULL,
    first_seen timestamptz NOT NULL
);

-- One row per slot that fired. Every replica tries to insert a due slot; the one whose insert succeeds
-- queues its runs in the same statement, so a slot fires exactly once.
CREATE TABLE schedule_slots (
    workflow text        NOT NULL,
    slot_at  timestamptz NOT NULL,
    fired_by uuid        NOT NULL,
    fired_at timestamptz NOT NULL DEFAULT now(),
    runs     integer     NOT NULL,
    PRIMARY KEY (workflow, slot_at)
);

-- The slot a scheduled run belongs to.
ALTER TABLE executions ADD COLUMN schedule_slot timestamptz;
CREATE INDEX executions_schedule_idx ON executions (workflow, schedule_slot DESC) WHERE schedule_slot IS NOT NULL;
