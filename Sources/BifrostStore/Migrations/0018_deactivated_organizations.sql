-- A deactivated organisation's queued runs are not claimed: the claim of migration 0016 reads each candidate's
-- organisation in the same statement, so a deactivation committed on any replica stops every replica's workers
-- at once, with no cache in between. Deactivating cancels the organisation's pending runs (the admin API does
-- it); one queued in a race with the deactivation stays `Pending`, skipped, until the organisation is
-- reactivated. The organisation is read through its primary key, one probe per candidate.
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
          AND (e.organization_id IS NULL
               OR EXISTS (SELECT 1 FROM organizations AS o WHERE o.id = e.organization_id AND o.is_active))
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
