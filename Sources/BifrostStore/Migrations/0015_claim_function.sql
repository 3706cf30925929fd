-- The job claim as a function planned with sequential scans off. A prepared statement keeps the plan it chose
-- when first run on its connection; planned while `executions` was nearly empty (a new installation, or just
-- after a vacuum of a quiet one), that plan scans the whole table, and kept scanning it for every claim while a
-- burst of jobs grew the table (seen in the queue benchmark: 3,700 sequential scans of up to 30,000 rows in 15 s,
-- 1.4 ms of PostgreSQL time per job instead of 0.3) until autovacuum's next analyze replaced the plan. The queue
-- is only ever read through its indexes, whatever the statistics say, so the function says so
-- (`SET enable_seqscan = off` applies while its statement is planned; PL/pgSQL keeps that plan per session).
--
-- What it does (see ExecutionStatements.Claim): locks up to `candidate_count` due jobs oldest first, skipping
-- other workers' and those of organisations with no room left (`left_by_key`: remaining runs by organisation
-- id, '' for global scope; `otherwise` for the rest), claims at most each organisation's room of them and at
-- most `claim_limit` in all for process `owner`, and notifies their watchers (one notification per 200 runs,
-- as ExecutionChannels.notifyingEvents writes it).
CREATE FUNCTION bifrost_claim_jobs(left_by_key jsonb, otherwise integer, candidate_count bigint, claim_limit bigint,
                                   owner uuid)
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
        SELECT pg_notify('bifrost_execution_events', string_agg(changed.id::text, ','))
        FROM (SELECT claimed.id, (row_number() OVER () - 1) / 200 AS chunk FROM claimed) AS changed
        GROUP BY changed.chunk
    )
    SELECT claimed.*, (SELECT count(*) FROM notified) FROM claimed;
END
$$;
