-- Files written by runs and managed by admins, per organisation (NULL: global scope). `workspace` files are
-- kept; `temp` files belong to one run (`execution_id`) and are removed when it ends.
CREATE TABLE files (
    organization_id uuid        REFERENCES organizations (id) ON DELETE CASCADE,
    location        text        NOT NULL CHECK (location IN ('workspace', 'temp')),
    execution_id    uuid,
    path            text        NOT NULL CHECK (length(path) BETWEEN 1 AND 1024),
    content         bytea       NOT NULL,
    size            bigint      NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    updated_by      text        NOT NULL,
    CHECK ((location = 'temp') = (execution_id IS NOT NULL))
);
CREATE UNIQUE INDEX files_scope_path_key ON files (
    coalesce(organization_id, '00000000-0000-0000-0000-000000000000'::uuid), location,
    coalesce(execution_id, '00000000-0000-0000-0000-000000000000'::uuid), path
);
CREATE INDEX files_temp_created ON files (created_at) WHERE location = 'temp';
