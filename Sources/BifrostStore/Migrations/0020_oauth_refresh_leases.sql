-- A refresh in progress is a lease on the connection's row (who holds it, until when), taken and released in
-- short transactions: no pooled connection or open transaction waits on the provider, and a replica that dies
-- mid-refresh loses its lease when it expires. The partial index serves the refresh-ahead service's look for
-- connected connections about to expire.
ALTER TABLE oauth_connections
    ADD COLUMN refresh_holder uuid,
    ADD COLUMN refresh_until  timestamptz;

CREATE INDEX oauth_connections_expiring ON oauth_connections (provider, expires_at) WHERE status = 'connected';
