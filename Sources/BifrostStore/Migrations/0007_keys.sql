-- Master-key versions. A version's check value is a known text sealed under that master key, so that start-up
-- can tell a wrong master key from the right one without decrypting any data.
CREATE TABLE master_keys (
    version     integer     PRIMARY KEY,
    check_value bytea       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Data keys: one per organisation (NULL: global scope) and version, stored only wrapped (sealed) by a master-key
-- version; the wrapping is bound to the organisation, the data-key version and the master-key version.
CREATE TABLE data_keys (
    organization_id uuid        REFERENCES organizations (id) ON DELETE CASCADE,
    version         integer     NOT NULL,
    master_version  integer     NOT NULL REFERENCES master_keys (version),
    wrapped         bytea       NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX data_keys_scope_version_key
    ON data_keys (coalesce(organization_id, '00000000-0000-0000-0000-000000000000'::uuid), version);
