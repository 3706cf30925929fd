-- Organisations: the MSP's customers. Every tenant-owned row of later migrations points here.
CREATE TABLE organizations (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name            text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    domain          text,
    entra_tenant_id uuid        UNIQUE,
    is_active       boolean     NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX organizations_name_key ON organizations (lower(name));
