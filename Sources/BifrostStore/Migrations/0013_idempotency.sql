-- Answers to endpoint calls made with an `Idempotency-Key`, per caller (an API key, or a webhook sender's
-- organisation and endpoint), kept 24 hours: a repeat with the same key and body gets the stored answer without
-- running again. `status` is NULL while the first call is still running.
CREATE TABLE idempotency_keys (
    caller        text        NOT NULL,
    key           text        NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash  bytea       NOT NULL,
    status        integer,
    content_type  text,
    location      text,
    execution_id  text,
    body          bytea,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (caller, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
