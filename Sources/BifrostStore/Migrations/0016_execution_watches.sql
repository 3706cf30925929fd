-- Who watches which run: one row per open event feed (a Server-Sent Events stream or a WebSocket subscription),
-- written when the feed starts and deleted when it ends (or, if its process died, by the clean-up of departed
-- processes). Claiming and finishing a queued run notify `bifrost_execution_events` only for the runs somebody
-- watches: a notification costs the committing statement PostgreSQL's notification lock and each listening
-- replica a wake-up, and most queued runs have no watcher (measured in the queue benchmark: notifying every
-- claimed and finished job cost ~12 % of the gateway's and ~15 % of PostgreSQL's CPU per job).
CREATE TABLE execution_watches (
    id           uuid PRIMARY KEY,
    execution_id uuid NOT NULL,
    instance_id  uuid NOT NULL
);
CREATE INDEX execution_watches_execution_idx ON execution_watches (execution_id);

-- Which of `ids` somebody watches, read with a snapshot of its own (PL/pgSQL, volatile: not the calling
-- statement's). A statement that has locked or updated the runs calls it afterwards, so a feed that registered
-- after the statement began is still seen; a feed whose registration waited for the statement's row locks
-- (ExecutionStatements.Watch reads the run FOR SHARE) reads the run as the statement left it. Between the two,
-- no change escapes a watcher.
CREATE FUNCTION bifrost_watched(ids uuid[]) RETURNS TABLE (id uuid)
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
    RETURN QUERY SELECT DISTINCT w.execution_id FROM execution_watches AS w WHERE w.execution_id = ANY (ids);
END
$$;

-- The claim of migration 0015, notifying only the watched runs among those it claims.
CREATE OR REPLACE FUNCTION bifrost_claim_jobs(left_by_key jsonb, otherwise integer, candidate_count bigint,
                                              claim_limit bigint, owner uuid)
RETURNS TABLE (id uuid, workflow text, organization_id uuid, input text, started_by_user uuid, started_by_key uuid,
               started_by text, created_at timestamptz, started_at timestamptz, attempts integer, caller text,
               notified bigint)
LANGUAGE plpgsql
SET enable_seqscan = off
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH candidates AS (
        SELECT e.id, e.created_at, coalesce(e.organization_id::text, '') AS key FROM executions AS e
        WHERE e.status = 'Pending' AND (e.run_after IS NULL OR e.run_after <= now())
          AND coalesce((left_by_key ->> coalesce(e.organization_id::text, ''))::int, otherwise) > 0
        ORDER BY e.created_at LIMIT candidate_count
        FOR UPDATE SKIP LOCKED
    ), chosen AS (
        SELECT ranked.id FROM (
            SELECT c.id, c.created_at, c.key, row_number() OVER (PARTITION BY c.key ORDER BY c.created_at) AS place
            FROM candidates AS c
        ) AS ranked
        WHERE ranked.place <= coalesce((left_by_key ->> ranked.key)::int, otherwise)
        ORDER BY ranked.created_at LIMIT claim_limit
    ), claimed AS (
        UPDATE executions AS e SET status = 'Running', owner_instance = owner, started_at = now(),
            attempts = e.attempts + 1, run_after = NULL
        WHERE e.id = ANY (ARRAY(SELECT chosen.id FROM chosen))
        RETURNING e.id, e.workflow, e.organization_id, e.input::text, e.started_by_user, e.started_by_key,
                  e.started_by, e.created_at, e.started_at, e.attempts, e.caller::text
    ), notified AS (
        SELECT pg_notify('bifrost_execution_events', string_agg(watched.id::text, ','))
        FROM (SELECT w.id, (row_number() OVER () - 1) / 200 AS chunk
              FROM bifrost_watched(ARRAY(SELECT claimed.id FROM claimed)) AS w) AS watched
        GROUP BY watched.chunk
    )
    SELECT claimed.*, (SELECT count(*) FROM notified) FROM claimed;
END
$$;
