-- Signing secrets of endpoint-enabled workflows, per organisation: several may be active while a sender rotates;
-- a retired one no longer verifies. Stored only sealed under the organisation's data key, bound to the id.
CREATE TABLE endpoint_secrets (
    id               text        PRIMARY KEY,
    organization_id  uuid        NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    workflow         text        NOT NULL,
    sealed           bytea       NOT NULL,
    data_key_version integer     NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    created_by       text        NOT NULL,
    retired_at       timestamptz
);
CREATE INDEX endpoint_secrets_active ON endpoint_secrets (workflow) WHERE retired_at IS NULL;

-- Webhook deliveries seen, so that a `webhook-id` presented again is refused as a replay. Kept a day (longer than
-- the five minutes a timestamp is accepted for).
CREATE TABLE webhook_deliveries (
    organization_id uuid        NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    workflow        text        NOT NULL,
    webhook_id      text        NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, workflow, webhook_id)
);
CREATE INDEX webhook_deliveries_received ON webhook_deliveries (received_at);
