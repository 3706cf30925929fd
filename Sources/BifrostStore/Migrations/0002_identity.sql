-- Users: platform admins (no organisation) and organisation users (org_admin or org_member).
CREATE TABLE users (
    id                uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id   uuid        REFERENCES organizations (id) ON DELETE CASCADE,
    email             text        NOT NULL CHECK (length(email) BETWEEN 3 AND 320),
    name              text        NOT NULL DEFAULT '',
    password_hash     text,
    is_platform_admin boolean     NOT NULL DEFAULT false,
    role              text        NOT NULL CHECK (role IN ('platform_admin', 'org_admin', 'org_member')),
    is_active         boolean     NOT NULL DEFAULT true,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    -- A platform admin belongs to no organisation; everyone else belongs to exactly one.
    CHECK ((organization_id IS NULL) = is_platform_admin),
    CHECK (is_platform_admin = (role = 'platform_admin'))
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_organization_idx ON users (organization_id);

-- API keys: only a SHA-256 of the key is stored; the key itself is shown once at creation.
CREATE TABLE api_keys (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid        REFERENCES organizations (id) ON DELETE CASCADE,
    name            text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    prefix          text        NOT NULL,
    key_hash        text        NOT NULL UNIQUE,
    role            text        NOT NULL,
    workflows       text[],
    created_by      uuid        REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz,
    last_used_at    timestamptz,
    revoked_at      timestamptz
);
CREATE INDEX api_keys_organization_idx ON api_keys (organization_id);

-- Refresh tokens: opaque, stored hashed, single use; a family is every token descended from one login.
CREATE TABLE refresh_tokens (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id   uuid        NOT NULL,
    token_hash  text        NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    revoked_at  timestamptz
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);

-- Audit log: who did what to which, from where. Never holds a secret, password or token.
CREATE TABLE audit_events (
    id              bigserial   PRIMARY KEY,
    occurred_at     timestamptz NOT NULL DEFAULT now(),
    organization_id uuid,
    actor_kind      text        NOT NULL,
    actor_id        uuid,
    actor_label     text        NOT NULL DEFAULT '',
    action          text        NOT NULL,
    target_kind     text,
    target_id       text,
    outcome         text        NOT NULL DEFAULT 'success',
    request_id      text,
    client_address  text
);
CREATE INDEX audit_events_organization_idx ON audit_events (organization_id, occurred_at DESC);
