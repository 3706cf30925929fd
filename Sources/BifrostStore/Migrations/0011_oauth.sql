-- OAuth connections per organisation (NULL: global). The client secret and the tokens are stored only sealed,
-- together as one value (`sealed`, a JSON bundle) under the scope's data key, bound to the connection's name.
-- `generation` grows with every change of the tokens, so a replica can tell whether another refreshed them.
CREATE TABLE oauth_connections (
    id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid        REFERENCES organizations (id) ON DELETE CASCADE,
    name             text        NOT NULL CHECK (name ~ '^[a-zA-Z0-9_-]{1,100}$'),
    provider         text        NOT NULL,
    flow             text        NOT NULL CHECK (flow IN ('authorization_code', 'client_credentials')),
    client_id        text        NOT NULL,
    scopes           text[]      NOT NULL DEFAULT '{}',
    tenant           text,
    authorize_url    text,
    token_url        text,
    sealed           bytea       NOT NULL,
    data_key_version integer     NOT NULL,
    status           text        NOT NULL DEFAULT 'not_connected'
                                 CHECK (status IN ('not_connected', 'connected', 'needs_reauth', 'failed')),
    token_type       text,
    granted_scopes   text[],
    expires_at       timestamptz,
    last_refresh_at  timestamptz,
    last_error       text,
    generation       bigint      NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now(),
    created_by       text        NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    updated_by       text        NOT NULL
);
CREATE UNIQUE INDEX oauth_connections_scope_name_key
    ON oauth_connections (coalesce(organization_id, '00000000-0000-0000-0000-000000000000'::uuid), name);

-- Authorization requests in flight: the state (stored as its SHA-256) is single-use, expires, and is bound to the
-- connection (so to its organisation) and to the user who started it. The PKCE verifier is sealed.
CREATE TABLE oauth_states (
    state_hash      bytea       PRIMARY KEY,
    connection_id   uuid        NOT NULL REFERENCES oauth_connections (id) ON DELETE CASCADE,
    organization_id uuid        REFERENCES organizations (id) ON DELETE CASCADE,
    started_by      text        NOT NULL,
    sealed_verifier bytea       NOT NULL,
    data_key_version integer    NOT NULL,
    expires_at      timestamptz NOT NULL
);
