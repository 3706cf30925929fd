// Runs: the history (the API's filters, one page at a time by cursor: never the whole table) and a run's page,
// live while it runs (log lines and status over Server-Sent Events, with a Cancel button).
import { call, follow, session, why } from "./api.js";
import { button, element, field, message, page, render, status, table, when } from "./dom.js";

const statuses = ["Pending", "Running", "Success", "CompletedWithErrors", "Failed", "Timeout", "Cancelled"];
const finals = new Set(["Success", "CompletedWithErrors", "Failed", "Timeout", "Cancelled"]);

/// The history: filters, a page of runs, and Newer/Older by cursor.
export async function runsPage(query) {
  const workflow = element("select", {}, element("option", { value: "", text: "Any workflow" }));
  if (!session.workflows.length) {
    const listed = await call("GET", "/api/workflows");
    if (listed.ok) session.workflows = listed.json;
  }
  for (const item of session.workflows) workflow.append(element("option", { value: item.name, text: item.name }));
  const state = element("select", {}, element("option", { value: "", text: "Any status" }),
    ...statuses.map((value) => element("option", { value, text: value })));
  const since = element("input", { type: "datetime-local" });
  const until = element("input", { type: "datetime-local" });
  const everyOrganization = element("input", { type: "checkbox" });
  workflow.value = query.get("workflow") || "";
  state.value = query.get("status") || "";
  const filters = element("form", { id: "run-filters", class: "filters" },
    field("filter-workflow", "Workflow", workflow), field("filter-status", "Status", state),
    field("filter-since", "Created after", since), field("filter-until", "Created before", until),
    session.me.is_platform_admin && !session.scope
      ? element("div", { class: "field" }, element("label", { for: "filter-all" }, everyOrganization,
        " Every organisation's runs"))
      : null,
    element("button", { type: "submit", text: "Show" }));
  everyOrganization.id = "filter-all";
  const results = element("div", { id: "run-list", "aria-live": "polite" });
  page("Runs", filters, results);

  const cursors = [""];
  const load = async () => {
    const parameters = new URLSearchParams({ limit: "50" });
    if (workflow.value) parameters.set("workflow", workflow.value);
    if (state.value) parameters.set("status", state.value);
    if (since.value) parameters.set("since", new Date(since.value).toISOString());
    if (until.value) parameters.set("until", new Date(until.value).toISOString());
    if (everyOrganization.checked) parameters.set("scope", "all");
    const cursor = cursors[cursors.length - 1];
    if (cursor) parameters.set("cursor", cursor);
    const answer = await call("GET", "/api/executions?" + parameters);
    if (!answer.ok) { results.replaceChildren(message(why(answer, "The runs could not be listed."), true)); return; }
    const rows = answer.json.items;
    const newer = button("Newer", async () => { cursors.pop(); await load(); }, { disabled: cursors.length < 2 });
    const older = button("Older", async () => { cursors.push(answer.json.next_cursor); await load(); },
      { disabled: !answer.json.next_cursor });
    results.replaceChildren(
      rows.length ? table([
        ["Created", (run) => element("a", { href: "#/runs/" + encodeURIComponent(run.id), text: when(run.created_at),
          "data-run": run.id })],
        ["Workflow", (run) => run.workflow],
        ["Status", (run) => status(run.status)],
        ["Started by", (run) => run.started_by],
        ["Duration (ms)", (run) => run.duration_ms],
      ], rows, "Page " + cursors.length) : element("p", { text: "No run matches." }),
      element("div", { class: "pager" }, newer, older));
  };
  filters.addEventListener("submit", async (event) => {
    event.preventDefault();
    cursors.length = 1;
    await load();
  });
  await load();
}

/// A run: what it was asked, what it answered, its log; followed live until it ends.
export async function runPage(id, signal) {
  const answer = await call("GET", "/api/executions/" + encodeURIComponent(id));
  if (!answer.ok) { page("Run", message(why(answer, "The run could not be read."), true)); return; }
  let run = answer.json;
  const statusLine = element("p", { id: "run-status" });
  const facts = element("dl", { class: "facts" });
  const outcome = element("section", { id: "run-outcome", "aria-live": "polite" });
  const log = element("ol", { id: "run-log", class: "log", "aria-label": "Log" });
  const debug = element("input", { type: "checkbox", id: "show-debug" });
  const cancel = button("Cancel the run", async () => {
    const cancelled = await call("POST", "/api/executions/" + encodeURIComponent(id) + "/cancel");
    if (!cancelled.ok) outcome.prepend(message(why(cancelled, "The run could not be cancelled."), true));
  }, { id: "cancel-run", class: "danger" });
  page("Run of " + run.workflow,
    element("p", {}, element("a", { href: "#/runs", text: "Back to the runs" })), statusLine, cancel, facts,
    element("h3", { text: "Input" }), element("pre", { id: "run-input", text: JSON.stringify(run.input, null, 2) }),
    outcome, element("h3", { text: "Log" }),
    session.me.is_platform_admin ? element("label", { for: "show-debug", class: "inline" }, debug, " Show debug lines") : null,
    log);

  const show = (current) => {
    run = current;
    statusLine.replaceChildren("Status: ", status(run.status));
    cancel.hidden = finals.has(run.status);
    facts.replaceChildren(...[
      ["Workflow", run.workflow], ["Started by", run.started_by], ["Created", when(run.created_at)],
      ["Started", when(run.started_at)], ["Finished", when(run.finished_at)],
      ["Duration", run.duration_ms === undefined || run.duration_ms === null ? "" : run.duration_ms + " ms"],
      ["Run id", run.id],
    ].filter(([, value]) => value).flatMap(([term, value]) => [element("dt", { text: term }), element("dd", { text: value })]));
    outcome.replaceChildren();
    if (run.error) outcome.append(element("h3", { text: "Error" }), message(run.error, true));
    if (run.result !== undefined && run.result !== null) outcome.append(element("h3", { text: "Result" }), render(run.result));
  };
  const line = (entry) => element("li", { class: "level-" + entry.level, "data-sequence": entry.sequence },
    element("time", { text: when(entry.timestamp) }), " ", element("span", { class: "level", text: entry.level }), " ",
    element("span", { text: entry.message }));
  const loadLog = async () => {
    const logs = await call("GET", "/api/executions/" + encodeURIComponent(id) + "/logs" + (debug.checked ? "?include_debug=true" : ""));
    log.replaceChildren(...(logs.ok ? logs.json.map(line) : [element("li", { text: why(logs, "The log could not be read.") })]));
  };
  debug.addEventListener("change", loadLog);
  show(run);
  if (finals.has(run.status)) { await loadLog(); return; }

  // Live, in the background (the page is drawn; the next page stops it): the stream starts with the run as it is,
  // then each log line and status change, until the final status.
  const seen = new Set();
  void (async () => {
    try {
      await follow(id, (event) => {
        if (event.event === "log" && !seen.has(event.data.sequence)) {
          seen.add(event.data.sequence);
          log.append(line(event.data));
        } else if (event.event === "status") {
          show(event.data);
          if (finals.has(event.data.status)) return "final";
        }
        return undefined;
      }, signal);
    } catch (error) {
      outcome.prepend(message(error.message, true));
      return;
    }
    // A run that had ended before the stream opened sent its final status alone: read its log.
    if (!signal.aborted && !seen.size) await loadLog();
  })();
}
