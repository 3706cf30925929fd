-- Access-token signing keys, shared by every replica. The private key is stored only sealed under the global data
-- key (so under the master key), bound to its key id; `organization_id` is always NULL and exists so that rotating
-- the global data key re-encrypts these values like every other sealed column. One key signs (`retired_at` NULL);
-- a retired key still verifies the tokens it signed until they have expired, then it is deleted.
CREATE TABLE signing_keys (
    kid              text        PRIMARY KEY,
    organization_id  uuid        CHECK (organization_id IS NULL),
    algorithm        text        NOT NULL DEFAULT 'ES256' CHECK (algorithm = 'ES256'),
    public_pem       text        NOT NULL,
    sealed           bytea       NOT NULL,
    data_key_version integer     NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    retired_at       timestamptz
);
CREATE UNIQUE INDEX signing_keys_one_signing ON signing_keys ((true)) WHERE retired_at IS NULL;
