// Administration pages, each over its part of the admin API and within the caller's rights (the API decides:
// a page the caller may not see says so). Secrets are write-only; new API keys and signing secrets are shown once.
import { call, session, why } from "./api.js";
import { button, element, field, message, page, status, table, text, when } from "./dom.js";

/// The pages by route name, with their titles (the menu lists them).
export const adminPages = {
  organizations: ["Organisations", organizationsPage],
  users: ["Users", usersPage],
  keys: ["API keys", keysPage],
  secrets: ["Secrets", secretsPage],
  config: ["Configuration", configPage],
  oauth: ["OAuth connections", oauthPage],
  endpoints: ["Endpoints", endpointsPage],
  schedules: ["Schedules", schedulesPage],
  audit: ["Audit log", auditPage],
};

/// A page listing what `path` returns, with forms above the list; `render` turns the rows into the list.
async function listPage(title, path, render, ...forms) {
  const list = element("div", { id: "admin-list", "aria-live": "polite" });
  const feedback = element("div", { id: "admin-feedback", "aria-live": "polite" });
  page(title, feedback, list, ...forms.map((form) => form(feedback, () => reload())));
  const reload = async () => {
    const answer = await call("GET", path);
    if (!answer.ok) {
      list.replaceChildren(message(answer.status === 403 || answer.status === 401
        ? "You may not see this page." : why(answer, "The list could not be read."), true));
      return;
    }
    list.replaceChildren(render(answer.json, feedback, reload));
  };
  await reload();
  return feedback;
}

/// A form of labelled controls; `submit(values)` returns the API's answer, shown in `feedback`.
function form(id, legend, controls, submit, done) {
  return (feedback, reload) => {
    const node = element("form", { id, class: "admin-form" }, element("h3", { text: legend }),
      ...controls.map(([name, label, control, help]) => field(id + "-" + name, label, control, help)),
      element("button", { type: "submit", text: legend }));
    node.addEventListener("submit", async (event) => {
      event.preventDefault();
      for (const error of node.querySelectorAll(".error")) error.textContent = "";
      const values = Object.fromEntries(controls.map(([name, , control]) => [name,
        control.type === "checkbox" ? control.checked : control.value.trim()]));
      const answer = await submit(values);
      if (answer.status === 422 && answer.json?.errors?.length) {
        for (const problem of answer.json.errors) {
          const target = node.querySelector("#" + CSS.escape(id + "-" + String(problem.field).split(".").pop()) + "-error");
          if (target) target.textContent = problem.message;
        }
      }
      if (!answer.ok) { feedback.replaceChildren(message(why(answer, "That was refused."), true)); return; }
      feedback.replaceChildren(done ? done(answer.json) : message(legend + ": done."));
      node.reset();
      await reload();
    });
    return node;
  };
}

const input = (properties = {}) => element("input", { type: "text", autocomplete: "off", ...properties });
const select = (values, properties = {}) => element("select", properties,
  ...values.map(([value, label]) => element("option", { value, text: label })));
const optional = (value) => (value === "" ? undefined : value);
/// A comma-separated list as an array (empty for none).
const list = (value) => value.split(",").map((item) => item.trim()).filter(Boolean);
const rolesHelp = "Comma-separated, such as helpdesk, provisioning: the role-limited workflows a member may run.";
const roles = () => session.me.is_platform_admin && !session.scope
  ? [["platform_admin", "Platform admin"]]
  : [["org_member", "Member"], ["org_admin", "Organisation admin"]];

/// An action on one row: on refusal the reason shows in `feedback`, else the list is read again.
function action(label, feedback, reload, perform, properties = {}) {
  return button(label, async () => {
    const answer = await perform();
    if (!answer.ok) feedback.replaceChildren(message(why(answer, label + " was refused."), true));
    else await reload();
  }, properties);
}

/// Something shown once (a new API key or signing secret), with a button that copies it.
function shownOnce(id, label, value) {
  const code = element("code", { id, text: value });
  const copied = element("span", { role: "status" });
  return element("div", { class: "once" }, element("p", { text: label + " It is not shown again: copy it now." }),
    code, " ", button("Copy", async () => {
      try { await navigator.clipboard.writeText(value); copied.textContent = " Copied."; } catch {
        getSelection().selectAllChildren(code);
        copied.textContent = " Selected: copy it with your keyboard.";
      }
    }), copied);
}

async function organizationsPage() {
  const name = input({ required: true, maxLength: 200 });
  const domain = input();
  const tenant = input({ placeholder: "00000000-0000-0000-0000-000000000000" });
  await listPage("Organisations", "/api/organizations", (rows, feedback, reload) => table([
    ["Name", (row) => row.name], ["Domain", (row) => row.domain],
    ["Entra tenant id", (row) => {
      const value = input({ value: row.entra_tenant_id || "", "aria-label": "Entra tenant id of " + row.name });
      return element("span", { class: "inline-edit" }, value, action("Save", feedback, reload,
        () => call("PATCH", "/api/organizations/" + row.id, { entra_tenant_id: value.value.trim() })));
    }],
    ["Active", (row) => (row.is_active ? "yes" : "no")], ["Created", (row) => when(row.created_at)],
    ["", (row) => action(row.is_active ? "Deactivate" : "Activate", feedback, reload,
      () => call("PATCH", "/api/organizations/" + row.id, { is_active: !row.is_active }),
      { class: row.is_active ? "danger" : "", "data-organization": row.name })],
  ], rows), form("new-organization", "Create organisation",
    [["name", "Name", name], ["domain", "Domain", domain], ["entra_tenant_id", "Entra tenant id", tenant]],
    (values) => call("POST", "/api/organizations", { name: values.name, domain: optional(values.domain),
      entra_tenant_id: optional(values.entra_tenant_id) })));
}

async function usersPage() {
  const password = input({ type: "password", autocomplete: "new-password" });
  await listPage("Users", "/api/users", (rows, feedback, reload) => table([
    ["Email", (row) => row.email], ["Name", (row) => row.name], ["Role", (row) => row.role],
    ["Workflow roles", (row) => {
      const value = input({ value: (row.workflow_roles || []).join(", "), "aria-label": "Workflow roles of " + row.email });
      return element("span", { class: "inline-edit" }, value, action("Save", feedback, reload,
        () => call("PATCH", "/api/users/" + row.id, { workflow_roles: list(value.value) }), { "data-user-roles": row.email }));
    }],
    ["Active", (row) => (row.is_active ? "yes" : "no")],
    ["", (row) => element("span", { class: "actions" },
      row.is_platform_admin ? null : action(row.role === "org_admin" ? "Make member" : "Make admin", feedback, reload,
        () => call("PATCH", "/api/users/" + row.id, { role: row.role === "org_admin" ? "org_member" : "org_admin" })),
      action(row.is_active ? "Deactivate" : "Activate", feedback, reload,
        () => call("PATCH", "/api/users/" + row.id, { is_active: !row.is_active })))],
  ], rows), form("new-user", "Create user", [
    ["email", "Email", input({ type: "email", required: true })], ["name", "Name", input()],
    ["role", "Role", select(roles())],
    ["workflow_roles", "Workflow roles", input(), rolesHelp],
    ["password", "Password", password, "Leave empty for a user who signs in with Microsoft."],
  ], (values) => call("POST", "/api/users", { email: values.email, name: optional(values.name), role: values.role,
    workflow_roles: list(values.workflow_roles), password: optional(values.password) })));
}

async function keysPage() {
  await listPage("API keys", "/api/api-keys", (rows, feedback, reload) => table([
    ["Name", (row) => row.name], ["Prefix", (row) => row.prefix], ["Role", (row) => row.role],
    ["Workflows", (row) => (row.workflows ? row.workflows.join(", ") : "any")],
    ["Workflow roles", (row) => (row.workflow_roles || []).join(", ")],
    ["Created", (row) => when(row.created_at)], ["Expires", (row) => when(row.expires_at)],
    ["Last used", (row) => when(row.last_used_at)],
    ["", (row) => action("Revoke", feedback, reload, () => call("DELETE", "/api/api-keys/" + row.id), { class: "danger" })],
  ], rows), form("new-key", "Create API key", [
    ["name", "Name", input({ required: true })], ["role", "Role", select(roles())],
    ["workflows", "Workflows", input(), "Comma-separated names; empty for every workflow the role may run."],
    ["workflow_roles", "Workflow roles", input(), rolesHelp],
    ["expires_at", "Expires", input({ type: "date" })],
  ], (values) => call("POST", "/api/api-keys", {
    name: values.name, role: values.role,
    workflows: values.workflows ? list(values.workflows) : undefined, workflow_roles: list(values.workflow_roles),
    expires_at: values.expires_at ? new Date(values.expires_at + "T23:59:59Z").toISOString() : undefined,
  }), (created) => shownOnce("new-key-value", "The key " + created.api_key.name + " was created.", created.key)));
}

async function secretsPage() {
  await listPage("Secrets", "/api/secrets", (rows, feedback, reload) => table([
    ["Name", (row) => row.name], ["Description", (row) => row.description],
    ["Updated", (row) => when(row.updated_at)], ["By", (row) => row.updated_by],
    ["", (row) => action("Delete", feedback, reload,
      () => call("DELETE", "/api/secrets/" + encodeURIComponent(row.name)), { class: "danger" })],
  ], rows, "Values are never shown: write a new one to change it."), form("write-secret", "Save secret", [
    ["name", "Name", input({ required: true, pattern: "[A-Za-z0-9_.\\-]{1,200}" })],
    ["value", "Value", input({ type: "password", required: true, autocomplete: "new-password" })],
    ["description", "Description", input()],
  ], (values) => call("PUT", "/api/secrets/" + encodeURIComponent(values.name),
    { value: values.value, description: optional(values.description) })));
}

async function configPage() {
  const type = select([["string", "Text"], ["int", "Integer"], ["bool", "Yes or no"], ["json", "JSON"],
    ["secret", "Secret"]]);
  await listPage("Configuration", "/api/config", (rows, feedback, reload) => table([
    ["Key", (row) => row.key], ["Type", (row) => row.type], ["Value", (row) => text(row.value)],
    ["Description", (row) => row.description], ["Updated", (row) => when(row.updated_at)],
    ["", (row) => action("Delete", feedback, reload,
      () => call("DELETE", "/api/config/" + encodeURIComponent(row.key)), { class: "danger" })],
  ], rows), form("write-config", "Save value", [
    ["key", "Key", input({ required: true })], ["type", "Type", type],
    ["value", "Value", element("textarea", {}), "Integers as digits, yes/no as true or false, JSON as JSON."],
    ["description", "Description", input()],
  ], (values) => {
    let value = values.value;
    try {
      if (values.type === "int") value = Number.parseInt(value, 10);
      else if (values.type === "bool") value = value === "true";
      else if (values.type === "json") value = JSON.parse(value);
    } catch {
      return { ok: false, status: 422, json: { detail: "The value is not JSON.", errors: [{ field: "value", message: "must be JSON" }] } };
    }
    return call("PUT", "/api/config/" + encodeURIComponent(values.key),
      { type: values.type, value, description: optional(values.description) });
  }));
}

async function oauthPage(query) {
  const feedback = await listPage("OAuth connections", "/api/oauth/connections", (rows, feedback, reload) => table([
    ["Name", (row) => row.name], ["Provider", (row) => row.provider], ["Flow", (row) => row.flow],
    ["Tenancy", (row) => row.tenancy], ["Status", (row) => element("span",
      { "data-connection": row.name, "data-status": row.status, class: "status-" + row.status, text: row.status })],
    ["Expires", (row) => when(row.expires_at)], ["Last error", (row) => row.last_error],
    ["", (row) => element("span", { class: "actions" },
      row.flow === "authorization_code" ? button("Connect", async () => {
        const started = await call("POST", "/api/oauth/connections/" + encodeURIComponent(row.name) + "/authorize");
        if (!started.ok) { feedback.replaceChildren(message(why(started, "The authorization could not start."), true)); return; }
        // The provider sends the browser back to the gateway's callback, which returns here with the outcome.
        location.assign(started.json.authorization_url);
      }, { "data-connect": row.name }) : null,
      action("Refresh", feedback, reload,
        () => call("POST", "/api/oauth/connections/" + encodeURIComponent(row.name) + "/refresh")),
      action("Delete", feedback, reload,
        () => call("DELETE", "/api/oauth/connections/" + encodeURIComponent(row.name)), { class: "danger" }))],
  ], rows), form("new-connection", "Create connection", [
    ["name", "Name", input({ required: true, pattern: "[a-zA-Z0-9_\\-]{1,100}" })],
    ["provider", "Provider", input({ value: "microsoft", required: true })],
    ["flow", "Flow", select([["authorization_code", "Authorization code (a person connects)"],
      ["client_credentials", "Client credentials (the application itself)"]])],
    ["client_id", "Client id", input({ required: true })],
    ["client_secret", "Client secret", input({ type: "password", autocomplete: "new-password" })],
    ["scopes", "Scopes", input(), "Space-separated."],
    ["tenant", "Tenant", input()],
    ["tenancy", "Tenancy", select([["single", "One tenant"], ["per_organization", "Each organisation's tenant"]])],
  ], (values) => call("POST", "/api/oauth/connections", {
    name: values.name, provider: values.provider, flow: values.flow, client_id: values.client_id,
    client_secret: optional(values.client_secret), scopes: values.scopes ? values.scopes.split(/\s+/) : undefined,
    tenant: optional(values.tenant), tenancy: values.tenancy,
  })));
  if (query.get("connected")) feedback.replaceChildren(message("Connected: " + query.get("connected") + "."));
  if (query.get("error")) feedback.replaceChildren(message(query.get("error"), true));
}

async function endpointsPage() {
  const listed = await call("GET", "/api/workflows");
  const endpoints = listed.ok ? listed.json.filter((workflow) => workflow.endpoint_enabled) : [];
  const feedback = element("div", { id: "admin-feedback", "aria-live": "polite" });
  const sections = endpoints.map((workflow) => {
    const list = element("div", { "data-endpoint": workflow.name });
    const path = "/api/endpoints/" + encodeURIComponent(workflow.name) + "/secrets";
    const reload = async () => {
      const answer = await call("GET", path);
      list.replaceChildren(answer.ok ? table([
        ["Secret id", (row) => row.id], ["Created", (row) => when(row.created_at)], ["By", (row) => row.created_by],
        ["", (row) => action("Retire", feedback, reload, () => call("DELETE", path + "/" + row.id), { class: "danger" })],
      ], answer.json) : message(why(answer, "You may not see this endpoint's secrets."), true));
    };
    return [element("section", { class: "endpoint" },
      element("h3", { text: workflow.name }),
      element("p", { text: (workflow.allowed_methods || []).join(", ") + " /api/endpoints/" + workflow.name }),
      button("New signing secret", async () => {
        const created = await call("POST", path);
        feedback.replaceChildren(created.ok
          ? shownOnce("new-secret-value", "A signing secret for " + workflow.name + " was created.", created.json.secret)
          : message(why(created, "The secret could not be created."), true));
        await reload();
      }), list), reload];
  });
  page("Endpoints", feedback, ...(sections.length ? sections.map(([node]) => node)
    : [element("p", { text: "No workflow is exposed as an endpoint." })]));
  for (const [, reload] of sections) await reload();
}

async function schedulesPage() {
  await listPage("Schedules", "/api/schedules", (rows) => table([
    ["Workflow", (row) => row.workflow], ["Cron (UTC)", (row) => row.expression],
    ["Runs in", (row) => (row.requires_org ? "each organisation" : "global scope")],
    ["Next", (row) => when(row.next_slot)], ["Last", (row) => when(row.last_slot)],
    ["Last status", (row) => (row.last_status ? status(row.last_status) : "")],
  ], rows));
}

async function auditPage() {
  await listPage("Audit log", "/api/audit?limit=200", (rows) => table([
    ["When", (row) => when(row.occurred_at)], ["Who", (row) => row.actor_kind + ": " + row.actor_label],
    ["Action", (row) => row.action], ["Target", (row) => [row.target_kind, row.target_id].filter(Boolean).join(" ")],
    ["Outcome", (row) => row.outcome], ["Request", (row) => row.request_id],
  ], rows, "The latest 200 entries."));
}
