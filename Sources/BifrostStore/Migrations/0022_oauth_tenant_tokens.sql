-- One partner application for every customer tenant. A connection with `tenancy = 'per_organization'` asks for
-- a token per customer tenant (the run's organisation's `entra_tenant_id`), with its client credentials
-- (application permissions) or its partner refresh token (delegated, GDAP-style). Each (connection, tenant)
-- has a row here: the customer's admin consent as last recorded, the tenant's token sealed under the
-- connection's scope key (like the connection's own credentials, so key rotation re-encrypts it: `name` is
-- what the sealing is bound to), its own status and last error (an `invalid_grant` from one tenant marks only
-- that tenant), and its own refresh lease, so that one replica asks the provider per tenant.
ALTER TABLE oauth_connections
    ADD COLUMN tenancy text NOT NULL DEFAULT 'single' CHECK (tenancy IN ('single', 'per_organization'));

CREATE TABLE oauth_tenant_tokens (
    connection_id    uuid        NOT NULL REFERENCES oauth_connections (id) ON DELETE CASCADE,
    tenant           text        NOT NULL CHECK (tenant ~ '^[A-Za-z0-9.-]{1,200}$'),
    name             text        GENERATED ALWAYS AS (connection_id::text || '/' || tenant) STORED,
    organization_id  uuid        REFERENCES organizations (id) ON DELETE CASCADE,
    consent          text        NOT NULL DEFAULT 'unknown' CHECK (consent IN ('unknown', 'granted', 'refused')),
    consent_error    text,
    consent_at       timestamptz,
    status           text        NOT NULL DEFAULT 'not_connected'
                                 CHECK (status IN ('not_connected', 'connected', 'needs_reauth')),
    sealed           bytea,
    data_key_version integer,
    token_type       text,
    expires_at       timestamptz,
    last_refresh_at  timestamptz,
    last_error       text,
    generation       bigint      NOT NULL DEFAULT 0,
    refresh_holder   uuid,
    refresh_until    timestamptz,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (connection_id, tenant)
);
CREATE INDEX oauth_tenant_tokens_expiring ON oauth_tenant_tokens (expires_at) WHERE status = 'connected';

-- An admin-consent request in flight names the customer tenant it asks; an authorization request names none.
ALTER TABLE oauth_states ADD COLUMN consent_tenant text;

-- An organisation whose Entra tenant changes must stop getting the old tenant's tokens on every replica: the
-- same notification as a deactivation makes them forget its cached tokens.
CREATE TRIGGER organizations_oauth_tenant_changed
    AFTER UPDATE OF entra_tenant_id ON organizations
    FOR EACH ROW WHEN (OLD.entra_tenant_id IS DISTINCT FROM NEW.entra_tenant_id)
    EXECUTE FUNCTION bifrost_oauth_organization_deactivated();
