-- Secrets: stored only sealed (AES-256-GCM) under their scope's data key; the sealing is bound to the scope, the
-- name and the data-key version, so a value copied to another row does not open.
CREATE TABLE secrets (
    organization_id  uuid        REFERENCES organizations (id) ON DELETE CASCADE,
    name             text        NOT NULL CHECK (name ~ '^[A-Za-z0-9_.-]{1,100}$'),
    description      text,
    sealed           bytea       NOT NULL,
    data_key_version integer     NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    created_by       text        NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    updated_by       text        NOT NULL
);
CREATE UNIQUE INDEX secrets_scope_name_key
    ON secrets (coalesce(organization_id, '00000000-0000-0000-0000-000000000000'::uuid), name);
