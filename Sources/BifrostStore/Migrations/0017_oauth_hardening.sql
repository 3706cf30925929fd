-- A global OAuth connection reaches organisation runs only when a platform admin shares it explicitly. Existing
-- global connections start unshared: organisations relying on one must be given it again (or their own).
ALTER TABLE oauth_connections
    ADD COLUMN shared_with_organizations boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT oauth_connections_shared_global_only
        CHECK (organization_id IS NULL OR NOT shared_with_organizations);

-- Errors recorded before this migration may quote a provider's answer or a network error (addresses, URLs):
-- from now on only the OAuth error code and the HTTP status are kept.
UPDATE oauth_connections SET last_error = 'recorded before an upgrade; refresh to see the current error'
WHERE last_error IS NOT NULL;

-- An authorization is bound to who started it: their principal (user or API key) and a random value, stored as
-- its SHA-256, that the starting browser holds in a cookie. Requests in flight have neither: they are dropped and
-- must be started again.
DELETE FROM oauth_states;
ALTER TABLE oauth_states
    ADD COLUMN started_by_kind text NOT NULL CHECK (started_by_kind IN ('user', 'api_key')),
    ADD COLUMN started_by_id   uuid NOT NULL,
    ADD COLUMN binding_hash    bytea NOT NULL;

-- Deactivating an organisation makes every replica forget its cached OAuth tokens at once, whichever statement
-- does it (the API, the command line, by hand).
CREATE FUNCTION bifrost_oauth_organization_deactivated() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM pg_notify('bifrost_oauth', 'organization ' || NEW.id::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER organizations_oauth_deactivated
    AFTER UPDATE OF is_active ON organizations
    FOR EACH ROW WHEN (OLD.is_active AND NOT NEW.is_active)
    EXECUTE FUNCTION bifrost_oauth_organization_deactivated();
