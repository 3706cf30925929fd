-- The claim of migration 0018, with the organisation limit held across replicas.
-- `workflows.maxConcurrentRunsPerOrganization` held per process: each replica claimed queued runs against its own
-- count, so three replicas could run three times the limit of one organisation's queued runs. The claim now also
-- counts the organisation's runs every replica is running (`status = 'Running'`, through a partial index), and
-- claims run one at a time across the deployment (a transaction-level advisory lock, held for the claim's few
-- milliseconds), so that two replicas cannot both fill the same room. Synchronous runs are not rows while they
-- run: they count only against their own replica's limit.
CREATE INDEX executions_running_idx ON executions (organization_id) WHERE status = 'Running';

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
    PERFORM pg_advisory_xact_lock(hashtextextended('bifrost-claim', 0));
    -- This statement's snapshot is taken after the lock: it sees every claim committed before.
    RETURN QUERY
    WITH running AS (
        SELECT coalesce(r.organization_id::text, '') AS key, count(*)::int AS n
        FROM executions AS r WHERE r.status = 'Running' GROUP BY 1
    ), room AS (
        -- What this replica has left (its own runs, synchronous ones included), and what the deployment has left.
        SELECT keys.key, least(coalesce((left_by_key ->> keys.key)::int, otherwise),
                               otherwise - coalesce(running.n, 0)) AS n
        FROM (SELECT jsonb_object_keys(left_by_key) AS key UNION SELECT running.key FROM running) AS keys
        LEFT JOIN running ON running.key = keys.key
    ), candidates AS (
        SELECT e.id, e.created_at, coalesce(e.organization_id::text, '') AS key FROM executions AS e
        WHERE e.status = 'Pending' AND (e.run_after IS NULL OR e.run_after <= now())
          AND coalesce((SELECT room.n FROM room WHERE room.key = coalesce(e.organization_id::text, '')), otherwise) > 0
          AND (e.organization_id IS NULL
               OR EXISTS (SELECT 1 FROM organizations AS o WHERE o.id = e.organization_id AND o.is_active))
        ORDER BY e.created_at LIMIT candidate_count
        FOR UPDATE OF e SKIP LOCKED
    ), chosen AS (
        SELECT ranked.id FROM (
            SELECT c.id, c.created_at, c.key, row_number() OVER (PARTITION BY c.key ORDER BY c.created_at) AS place
            FROM candidates AS c
        ) AS ranked
        WHERE ranked.place <= coalesce((SELECT room.n FROM room WHERE room.key = ranked.key), otherwise)
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
