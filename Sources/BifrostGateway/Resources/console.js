// The Bifrost console: plain JavaScript over the admin API, signed in by the console's HttpOnly session cookie.
// Every value from the API is put into the page as text (textContent, option values), never as markup.

const $ = (id) => document.getElementById(id);
const state = { me: null, scope: sessionStorage.getItem("bifrost.scope") || "", workflows: [] };

function cookie(name) {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return rest.join("=");
  }
  return "";
}

function element(tag, properties = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(properties)) {
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else if (key.startsWith("aria-") || key.startsWith("data-") || key === "for") node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

async function call(method, path, body, retried = false) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRF-Token"] = cookie("bifrost_csrf");
  if (state.scope && !path.startsWith("/console/")) headers["X-Organization-Id"] = state.scope;
  const response = await fetch(path, {
    method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401 && !retried && !path.startsWith("/console/session")) {
    const refreshed = await fetch("/console/session/refresh", {
      method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": cookie("bifrost_csrf") },
    });
    if (refreshed.ok) return call(method, path, body, true);
  }
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  return { status: response.status, ok: response.ok, json };
}

function show(section) {
  for (const id of ["sign-in", "workflows", "workflow"]) $(id).hidden = id !== section;
}

function notice(text) { $("notice").textContent = text; }

async function start() {
  const me = await call("GET", "/auth/me");
  if (me.status === 401) {
    $("nav").hidden = true;
    show("sign-in");
    $("email").focus();
    return;
  }
  if (!me.ok) { notice(me.json?.detail || "The gateway could not be reached."); return; }
  state.me = me.json;
  $("who").textContent = me.json.email || me.json.name || "";
  await fillScopes();
  $("nav").hidden = false;
  await listWorkflows();
}

async function fillScopes() {
  const picker = $("scope");
  picker.replaceChildren();
  if (state.me.is_platform_admin) {
    picker.append(element("option", { value: "", text: "Global scope" }));
    const organizations = await call("GET", "/api/organizations");
    for (const organization of organizations.json || []) {
      picker.append(element("option", { value: organization.id, text: organization.name }));
    }
    picker.disabled = false;
    picker.value = state.scope;
  } else {
    state.scope = "";
    picker.append(element("option", { value: "", text: state.me.organization_name || "Your organisation" }));
    picker.disabled = true;
  }
}

async function listWorkflows() {
  const answer = await call("GET", "/api/workflows");
  if (!answer.ok) { notice(answer.json?.detail || "The workflows could not be listed."); return; }
  state.workflows = answer.json;
  renderWorkflows();
  show("workflows");
}

function renderWorkflows() {
  const admin = state.me.is_platform_admin || state.me.role === "org_admin";
  const words = $("filter").value.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const visible = state.workflows.filter((workflow) => workflow.expose_in_forms || admin).filter((workflow) => {
    const haystack = [workflow.name, workflow.description, ...(workflow.tags || [])].join(" ").toLowerCase();
    return words.every((word) => haystack.includes(word));
  });
  const categories = new Map();
  for (const workflow of visible) {
    if (!categories.has(workflow.category)) categories.set(workflow.category, []);
    categories.get(workflow.category).push(workflow);
  }
  const list = $("workflow-list");
  list.replaceChildren();
  for (const [category, workflows] of [...categories].sort((a, b) => a[0].localeCompare(b[0]))) {
    const items = workflows.sort((a, b) => a.name.localeCompare(b.name)).map((workflow) => element("li",
      { class: "workflow-item" },
      element("button", { type: "button", class: "link", text: workflow.name, onclick: () => openWorkflow(workflow.name),
        "data-workflow": workflow.name }),
      element("div", { text: workflow.description }),
      workflow.tags?.length ? element("div", { class: "tags", text: "Tags: " + workflow.tags.join(", ") }) : null,
      workflow.expose_in_forms ? null : element("div", { class: "hidden-mark", text: "Not offered in forms" })));
    list.append(element("section", { class: "category" }, element("h3", { text: category }), element("ul", {}, ...items)));
  }
  if (!visible.length) list.append(element("p", { text: "No workflow matches." }));
}

async function openWorkflow(name) {
  const answer = await call("GET", "/api/workflows/" + encodeURIComponent(name));
  if (!answer.ok) { notice(answer.json?.detail || "The workflow could not be read."); return; }
  const workflow = answer.json;
  $("workflow-title").textContent = workflow.name;
  $("workflow-description").textContent = workflow.description;
  $("run").replaceChildren();
  const form = $("workflow-form");
  form.replaceChildren();
  for (const parameter of workflow.parameters) form.append(await field(parameter));
  form.append(element("button", { type: "submit", text: "Run" }));
  form.onsubmit = (event) => { event.preventDefault(); run(workflow); };
  show("workflow");
  $("workflow-title").focus?.();
}

async function field(parameter) {
  const id = "field-" + parameter.name;
  const rules = parameter.validation || {};
  let input;
  if (parameter.data_provider || rules.enum) {
    input = element("select", { id, name: parameter.name });
    if (!parameter.required) input.append(element("option", { value: "", text: "" }));
    const options = parameter.data_provider
      ? ((await call("GET", "/api/data-providers/" + encodeURIComponent(parameter.data_provider))).json || [])
      : rules.enum.map((value) => ({ label: String(value), value }));
    for (const option of options) {
      input.append(element("option", { value: JSON.stringify(option.value), text: option.label }));
    }
    input.dataset.json = "true";
  } else if (parameter.type === "bool") {
    input = element("input", { id, name: parameter.name, type: "checkbox", checked: parameter.default_value === true });
  } else if (parameter.type === "json" || parameter.type === "list") {
    input = element("textarea", { id, name: parameter.name });
  } else {
    const type = parameter.type === "email" ? "email" : parameter.type === "int" || parameter.type === "float" ? "number" : "text";
    input = element("input", { id, name: parameter.name, type });
    if (parameter.type === "int") input.step = "1";
    if (parameter.type === "float") input.step = "any";
    if (rules.min !== undefined) input.min = String(rules.min);
    if (rules.max !== undefined) input.max = String(rules.max);
    if (rules.min_length !== undefined) input.minLength = rules.min_length;
    if (rules.max_length !== undefined) input.maxLength = rules.max_length;
    if (rules.pattern) input.pattern = rules.pattern;
  }
  if (parameter.default_value !== undefined && parameter.default_value !== null && parameter.type !== "bool") {
    const value = parameter.default_value;
    if (input.dataset.json) input.value = JSON.stringify(value);
    else input.value = parameter.type === "list" ? value.join("\n") : typeof value === "object" ? JSON.stringify(value, null, 2) : String(value);
  }
  input.required = parameter.required;
  const help = parameter.help_text ? element("p", { class: "help", id: id + "-help", text: parameter.help_text }) : null;
  const error = element("p", { class: "error", id: id + "-error", "aria-live": "polite" });
  input.setAttribute("aria-describedby", [help ? id + "-help" : "", id + "-error"].filter(Boolean).join(" "));
  const label = element("label", { for: id, text: parameter.label || parameter.name });
  if (parameter.required) label.append(element("span", { class: "required", text: " *", "aria-hidden": "true" }));
  return element("div", { class: "field", "data-parameter": parameter.name, "data-type": parameter.type }, label, input, help, error);
}

/// The form's values as the API takes them, and the fields the browser finds wrong (the server checks again).
function collect(workflow) {
  const input = {};
  const problems = {};
  for (const parameter of workflow.parameters) {
    const control = $("field-" + parameter.name);
    if (!control.checkValidity()) problems[parameter.name] = control.validationMessage;
    if (parameter.type === "bool") { input[parameter.name] = control.checked; continue; }
    const raw = control.value;
    if (raw === "") continue;
    if (control.dataset.json) input[parameter.name] = JSON.parse(raw);
    else if (parameter.type === "int" || parameter.type === "float") input[parameter.name] = Number(raw);
    else if (parameter.type === "list") input[parameter.name] = raw.split("\n").map((line) => line.trim()).filter(Boolean);
    else if (parameter.type === "json") {
      try { input[parameter.name] = JSON.parse(raw); } catch { problems[parameter.name] = "must be JSON"; }
    } else input[parameter.name] = raw;
  }
  return { input, problems };
}

function showProblems(workflow, problems) {
  let first = null;
  for (const parameter of workflow.parameters) {
    const message = problems[parameter.name] || "";
    $("field-" + parameter.name + "-error").textContent = message;
    $("field-" + parameter.name).setAttribute("aria-invalid", message ? "true" : "false");
    if (message && !first) first = $("field-" + parameter.name);
  }
  first?.focus();
  return first !== null;
}

async function run(workflow) {
  const { input, problems } = collect(workflow);
  const output = $("run");
  output.replaceChildren();
  if (showProblems(workflow, problems)) return;
  const answer = await call("POST", "/api/workflows/" + encodeURIComponent(workflow.name) + "/execute", { input });
  if (answer.status === 422 && answer.json?.errors) {
    const fromServer = {};
    for (const error of answer.json.errors) fromServer[String(error.field).replace(/^input\./, "")] = error.message;
    if (showProblems(workflow, fromServer)) return;
  }
  if (!answer.ok) {
    output.append(element("p", { class: "error", role: "alert", text: answer.json?.detail || "The run was refused." }));
    return;
  }
  const execution = answer.json;
  output.append(element("h3", { text: "Result" }),
    element("p", { class: "status-" + execution.status, text: "Status: " + execution.status, "data-status": execution.status }));
  if (answer.status === 202) {
    output.append(element("p", { text: "Queued as " + execution.execution_id + "." }));
    return;
  }
  if (execution.error) output.append(element("p", { class: "error", text: execution.error }));
  if (execution.result !== undefined && execution.result !== null) output.append(render(execution.result));
}

/// A result: a table for a list of objects, else the JSON, indented.
function render(value) {
  const rows = Array.isArray(value) ? value : null;
  if (rows && rows.length && rows.every((row) => row && typeof row === "object" && !Array.isArray(row))) {
    const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
    return element("table", { class: "result" },
      element("thead", {}, element("tr", {}, ...columns.map((column) => element("th", { scope: "col", text: column })))),
      element("tbody", {}, ...rows.map((row) => element("tr", {}, ...columns.map((column) => element("td", {
        text: typeof row[column] === "object" ? JSON.stringify(row[column]) : String(row[column] ?? ""),
      }))))));
  }
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const lists = Object.entries(value).filter(([, item]) => Array.isArray(item));
    if (lists.length === 1 && Object.keys(value).length === 1) {
      return element("div", {}, element("h4", { text: lists[0][0] }), render(lists[0][1]));
    }
  }
  return element("pre", { class: "result", text: JSON.stringify(value, null, 2) });
}

$("sign-in-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("sign-in-error").textContent = "";
  const answer = await call("POST", "/console/session", { email: $("email").value, password: $("password").value });
  if (!answer.ok) { $("sign-in-error").textContent = answer.json?.detail || "Signing in failed."; return; }
  $("password").value = "";
  await start();
});
$("sign-out").addEventListener("click", async () => {
  await call("POST", "/console/session/end");
  state.me = null;
  sessionStorage.removeItem("bifrost.scope");
  state.scope = "";
  await start();
});
$("scope").addEventListener("change", async () => {
  state.scope = $("scope").value;
  sessionStorage.setItem("bifrost.scope", state.scope);
  await listWorkflows();
});
$("filter").addEventListener("input", renderWorkflows);
$("back").addEventListener("click", () => { show("workflows"); });
start();
