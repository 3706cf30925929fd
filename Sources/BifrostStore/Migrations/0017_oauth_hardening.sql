-- A global OAuth connection reaches organisation runs only when a platform admin shares it explicitly. Existing
-- global connections start unshared: organisations relying on one must be given it again (or their own).
ALTER TABLE oauth_connections
    ADD COLUMN shared_with_organizations boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT oauth_connections_shared_global_only
        CHECK (organization_id IS NULL OR NOT shared_with_organizations);
