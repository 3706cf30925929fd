-- The W3C trace id a run was recorded in (tracing on): from a run's row, an operator finds its spans.
ALTER TABLE executions ADD COLUMN trace_id text;
