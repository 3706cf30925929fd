-- Workflow roles: technician groups (`helpdesk`, `provisioning`) that a workflow may be limited to. Users and API
-- keys hold some; a role-limited workflow is run by an organisation's members only when they hold one of its
-- roles. They are not the policy role (`role`). A list holds at most 32 names, each 1 to 64 of a-z, 0-9, _ and -.
CREATE FUNCTION bifrost_valid_workflow_roles(roles text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE
AS $$
    SELECT cardinality(roles) <= 32 AND array_position(roles, NULL) IS NULL
        AND (cardinality(roles) = 0 OR (array_to_string(roles, ',') || ',') ~ '^([a-z0-9_-]{1,64},)+$')
$$;

ALTER TABLE users
    ADD COLUMN workflow_roles text[] NOT NULL DEFAULT '{}' CHECK (bifrost_valid_workflow_roles(workflow_roles));
ALTER TABLE api_keys
    ADD COLUMN workflow_roles text[] NOT NULL DEFAULT '{}' CHECK (bifrost_valid_workflow_roles(workflow_roles));

-- An organisation's admins narrow which workflow roles may run a workflow in their organisation: the effective
-- roles are these, intersected with the roles the workflow declares when it declares any. A row never widens
-- what the workflow declares (the API refuses that); no row: the declared roles. Workflows live in code, so
-- `workflow_name` references nothing. Every change notifies `bifrost_workflow_access` with the organisation's
-- id, and each replica forgets that organisation's cached rows.
CREATE TABLE workflow_access (
    organization_id uuid        NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    workflow_name   text        NOT NULL CHECK (length(workflow_name) BETWEEN 1 AND 100),
    roles           text[]      NOT NULL CHECK (cardinality(roles) >= 1 AND bifrost_valid_workflow_roles(roles)),
    updated_by      text        NOT NULL DEFAULT '',
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, workflow_name)
);
