-- Every organisation's runs, newest first (a platform admin's history with `scope=all`, and retention's sweep by
-- age): without it, each page of that history sorted the whole table (100,000 rows read for 50 shown).
CREATE INDEX executions_recent_idx ON executions (created_at DESC, id DESC);
