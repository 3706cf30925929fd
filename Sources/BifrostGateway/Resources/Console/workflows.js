// The workflows page and each workflow's form, generated from its declared parameters. The browser checks the
// same rules the server does (required, range, length, pattern, choices) before sending; the server stays the
// authority, and its 422 field errors are shown next to the fields.
import { call, isAdmin, session, why } from "./api.js";
import { element, message, page, render, status } from "./dom.js";

/// The list, grouped by category and filtered by words found in the name, description or tags.
export async function workflowsPage() {
  const answer = await call("GET", "/api/workflows");
  if (!answer.ok) { page("Workflows", message(why(answer, "The workflows could not be listed."), true)); return; }
  session.workflows = answer.json;
  const filter = element("input", { id: "filter", type: "search", autocomplete: "off" });
  const list = element("div", { id: "workflow-list" });
  filter.addEventListener("input", () => fill(list, filter.value));
  page("Workflows", element("label", { for: "filter", text: "Filter by name, description or tag" }), filter, list);
  fill(list, "");
  // When the list first shows, for whoever measures the console (Benchmarks/console.sh reads it).
  if (!performance.getEntriesByName("bifrost:workflows").length) performance.mark("bifrost:workflows");
}

function fill(list, query) {
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const visible = session.workflows.filter((workflow) => workflow.expose_in_forms || isAdmin()).filter((workflow) => {
    const haystack = [workflow.name, workflow.description, ...(workflow.tags || [])].join(" ").toLowerCase();
    return words.every((word) => haystack.includes(word));
  });
  const categories = new Map();
  for (const workflow of visible) {
    if (!categories.has(workflow.category)) categories.set(workflow.category, []);
    categories.get(workflow.category).push(workflow);
  }
  list.replaceChildren();
  for (const [category, workflows] of [...categories].sort((a, b) => a[0].localeCompare(b[0]))) {
    const items = workflows.sort((a, b) => a.name.localeCompare(b.name)).map((workflow) => element("li",
      { class: "workflow-item" },
      element("a", { href: "#/workflows/" + encodeURIComponent(workflow.name), text: workflow.name,
        "data-workflow": workflow.name }),
      element("div", { text: workflow.description }),
      workflow.tags?.length ? element("div", { class: "tags", text: "Tags: " + workflow.tags.join(", ") }) : null,
      workflow.execution_mode === "async" ? element("div", { class: "tags", text: "Runs in the background" }) : null,
      workflow.allowed_roles?.length || workflow.roles?.length
        ? element("div", { class: "tags", text: "For: " + (workflow.allowed_roles || workflow.roles).join(", ") }) : null,
      workflow.expose_in_forms ? null : element("div", { class: "hidden-mark", text: "Not offered in forms" })));
    list.append(element("section", { class: "category" }, element("h3", { text: category }), element("ul", {}, ...items)));
  }
  if (!visible.length) list.append(element("p", { text: "No workflow matches." }));
}

/// One workflow's form, and where its run's outcome appears.
export async function workflowPage(name) {
  const answer = await call("GET", "/api/workflows/" + encodeURIComponent(name));
  if (!answer.ok) { page("Workflow", message(why(answer, "The workflow could not be read."), true)); return; }
  const workflow = answer.json;
  const form = element("form", { id: "workflow-form", noValidate: true });
  const output = element("section", { id: "run", "aria-live": "polite" });
  const view = page(workflow.name,
    element("p", {}, element("a", { id: "back", href: "#/workflows", text: "Back to the workflows" })),
    element("p", { id: "workflow-description", text: workflow.description }), form, output);
  view.querySelector("h2").id = "workflow-title";
  for (const parameter of workflow.parameters) form.append(await field(parameter));
  form.append(element("button", { type: "submit", text: "Run" }));
  form.addEventListener("submit", (event) => { event.preventDefault(); run(workflow, output); });
  if (isAdmin() && (session.scope || !session.me.is_platform_admin)) view.append(await accessSection(workflow));
}

/// Who may run the workflow in this organisation, for its administrators: the roles it declares, and this
/// organisation's narrowing of them (which can never widen them).
async function accessSection(workflow) {
  const path = "/api/workflows/" + encodeURIComponent(workflow.name) + "/access";
  const section = element("section", { id: "access", class: "admin-form" });
  const draw = async (note) => {
    const answer = await call("GET", path);
    if (!answer.ok) { section.replaceChildren(message(why(answer, "Who may run it could not be read."), true)); return; }
    const access = answer.json;
    const roles = element("input", { type: "text", value: (access.organization_roles || []).join(", "), autocomplete: "off" });
    const problem = element("p", { class: "error", id: "access-roles-error", "aria-live": "polite" });
    roles.id = "access-roles";
    roles.setAttribute("aria-describedby", "access-roles-help access-roles-error");
    const save = async (method, body) => {
      const changed = await call(method, path, body);
      if (!changed.ok) { problem.textContent = why(changed, "That was refused."); return; }
      await draw(method === "PUT" ? "Saved." : "Cleared.");
    };
    const form = element("form", {}, element("label", { for: "access-roles", text: "Roles allowed in this organisation" }),
      roles, element("p", { class: "help", id: "access-roles-help",
        text: "Comma-separated; only roles the workflow declares, if it declares any. Administrators may always run it." }),
      problem, element("button", { type: "submit", text: "Limit to these roles" }),
      access.organization_roles ? element("button", { type: "button", class: "danger", text: "Remove the limit",
        onclick: () => save("DELETE") }) : null);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      save("PUT", { roles: roles.value.split(",").map((item) => item.trim()).filter(Boolean) });
    });
    section.replaceChildren(element("h3", { text: "Who may run it" }),
      element("p", { id: "access-effective", text: access.limited
        ? "Members holding one of: " + access.effective_roles.join(", ") + "." : "Every member." }),
      access.declared_roles.length ? element("p", { class: "help", text: "Declared by the workflow: " + access.declared_roles.join(", ") + "." }) : null,
      note ? message(note) : null, form);
  };
  await draw();
  return section;
}

async function field(parameter) {
  const id = "field-" + parameter.name;
  const rules = parameter.validation || {};
  let input;
  if (parameter.data_provider || rules.enum) {
    input = element("select", { id, name: parameter.name });
    if (!parameter.required) input.append(element("option", { value: "", text: "" }));
    let options = rules.enum ? rules.enum.map((value) => ({ label: String(value), value })) : [];
    if (parameter.data_provider) {
      const loaded = await call("GET", "/api/data-providers/" + encodeURIComponent(parameter.data_provider));
      options = loaded.ok ? loaded.json : [];
      if (!loaded.ok) input.setAttribute("aria-invalid", "true");
    }
    for (const option of options) input.append(element("option", { value: JSON.stringify(option.value), text: option.label }));
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
  const hints = [parameter.help_text, parameter.type === "list" ? "One item per line." : ""].filter(Boolean).join(" ");
  const help = hints ? element("p", { class: "help", id: id + "-help", text: hints }) : null;
  const error = element("p", { class: "error", id: id + "-error", "aria-live": "polite" });
  input.setAttribute("aria-describedby", [help ? id + "-help" : "", id + "-error"].filter(Boolean).join(" "));
  const label = element("label", { for: id, text: parameter.label || parameter.name });
  if (parameter.required) label.append(element("span", { class: "required", text: " (required)" }));
  return element("div", { class: "field", "data-parameter": parameter.name, "data-type": parameter.type }, label, input, help, error);
}

/// The form's values as the API takes them, and the fields the browser finds wrong.
function collect(workflow, form) {
  const input = {};
  const problems = {};
  for (const parameter of workflow.parameters) {
    const control = form.querySelector("#field-" + CSS.escape(parameter.name));
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

function showProblems(workflow, form, problems) {
  let first = null;
  for (const parameter of workflow.parameters) {
    const text = problems[parameter.name] || "";
    const control = form.querySelector("#field-" + CSS.escape(parameter.name));
    form.querySelector("#field-" + CSS.escape(parameter.name) + "-error").textContent = text;
    control.setAttribute("aria-invalid", text ? "true" : "false");
    if (text && !first) first = control;
  }
  first?.focus();
  return first !== null;
}

async function run(workflow, output) {
  const form = document.getElementById("workflow-form");
  const { input, problems } = collect(workflow, form);
  output.replaceChildren();
  if (showProblems(workflow, form, problems)) return;
  const answer = await call("POST", "/api/workflows/" + encodeURIComponent(workflow.name) + "/execute", { input });
  if (answer.status === 422 && answer.json?.errors) {
    const fromServer = {};
    for (const error of answer.json.errors) fromServer[String(error.field).replace(/^input\./, "")] = error.message;
    if (showProblems(workflow, form, fromServer)) return;
  }
  if (!answer.ok) { output.append(message(why(answer, "The run was refused."), true)); return; }
  const execution = answer.json;
  if (answer.status === 202) {
    // A queued run: its live view shows the log lines and status as they happen.
    location.hash = "#/runs/" + encodeURIComponent(execution.execution_id);
    return;
  }
  output.append(element("h3", { text: "Result" }), element("p", { text: "Status: " }, status(execution.status)));
  output.querySelector("p").className = "status-" + execution.status;
  if (execution.execution_id) {
    output.append(element("p", {}, element("a", { href: "#/runs/" + encodeURIComponent(execution.execution_id),
      text: "Details and log of this run" })));
  }
  if (execution.error) output.append(message(execution.error, true));
  if (execution.result !== undefined && execution.result !== null) output.append(render(execution.result));
}
