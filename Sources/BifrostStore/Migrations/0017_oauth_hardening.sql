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
