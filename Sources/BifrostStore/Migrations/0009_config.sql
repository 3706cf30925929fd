-- Configuration values per organisation (NULL: global). A `secret` value is stored only sealed, like a secret;
-- every other type as JSON.
CREATE TABLE config (
    organization_id  uuid        REFERENCES organizations (id) ON DELETE CASCADE,
    key              text        NOT NULL CHECK (key ~ '^[a-zA-Z0-9_]{1,100}$'),
    type             text        NOT NULL CHECK (type IN ('string', 'int', 'bool', 'json', 'secret')),
    value            jsonb,
    sealed           bytea,
    data_key_version integer,
    description      text,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    updated_by       text        NOT NULL,
    CHECK ((type = 'secret') = (sealed IS NOT NULL AND value IS NULL))
);
CREATE UNIQUE INDEX config_scope_key_key
    ON config (coalesce(organization_id, '00000000-0000-0000-0000-000000000000'::uuid), key);
