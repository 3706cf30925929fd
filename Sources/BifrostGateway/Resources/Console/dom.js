// Building the page. Every value from the API goes in as text (textContent, attribute and option values), never
// as markup: nothing a workflow, a tenant or a provider writes can run as script here.

/// A new element: `properties` sets `text`, `class`, `aria-*`/`data-*`/`for` attributes, or DOM properties.
export function element(tag, properties = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(properties)) {
    if (value === undefined || value === null) continue;
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else if (key.startsWith("aria-") || key.startsWith("data-") || key === "for" || key === "role" || key === "scope") {
      node.setAttribute(key, value);
    } else node[key] = value;
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) node.append(child);
  return node;
}

/// The view area, emptied, with a heading that takes the focus (so screen readers announce the new page).
export function page(title, ...children) {
  const view = document.getElementById("view");
  const heading = element("h2", { text: title, tabIndex: -1, id: "page-title" });
  view.replaceChildren(heading, ...children);
  document.title = title + " · Bifrost console";
  heading.focus({ preventScroll: true });
  return view;
}

/// A labelled control with an optional help line and a place for its error.
export function field(id, label, control, help) {
  control.id = id;
  const helpLine = help ? element("p", { class: "help", id: id + "-help", text: help }) : null;
  const error = element("p", { class: "error", id: id + "-error", "aria-live": "polite" });
  control.setAttribute("aria-describedby", [helpLine ? id + "-help" : "", id + "-error"].filter(Boolean).join(" "));
  return element("div", { class: "field" }, element("label", { for: id, text: label }), control, helpLine, error);
}

/// A table: `columns` are `[heading, (row) => text or node]`.
export function table(columns, rows, caption) {
  return element("div", { class: "scroll" }, element("table", {},
    caption ? element("caption", { text: caption }) : null,
    element("thead", {}, element("tr", {}, ...columns.map(([heading]) => element("th", { scope: "col", text: heading })))),
    element("tbody", {}, ...rows.map((row) => element("tr", {}, ...columns.map(([, cell]) => {
      const value = cell(row);
      return element("td", {}, value instanceof Node ? value : text(value));
    }))))));
}

/// A value as text: empty for none, JSON for structures.
export function text(value) {
  if (value === undefined || value === null) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/// A time from the API in the reader's locale.
export function when(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
}

/// A button that runs `action`, disabled while it does.
export function button(label, action, properties = {}) {
  const node = element("button", { type: "button", text: label, ...properties });
  node.addEventListener("click", async () => {
    node.disabled = true;
    try { await action(); } finally { node.disabled = false; }
  });
  return node;
}

/// A message for the reader: polite, or an alert for a failure.
export function message(text, failure = false) {
  return element("p", { class: failure ? "error" : "ok", role: failure ? "alert" : "status", text });
}

/// A workflow result: a table for a list of objects, else the JSON, indented.
export function render(value) {
  const rows = Array.isArray(value) ? value : null;
  if (rows && rows.length && rows.every((row) => row && typeof row === "object" && !Array.isArray(row))) {
    const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
    return table(columns.map((column) => [column, (row) => text(row[column])]), rows);
  }
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const lists = Object.entries(value).filter(([, item]) => Array.isArray(item));
    if (lists.length === 1 && Object.keys(value).length === 1) {
      return element("div", {}, element("h4", { text: lists[0][0] }), render(lists[0][1]));
    }
  }
  return element("pre", { class: "result", text: JSON.stringify(value, null, 2) });
}

/// Status as a word with its colour class.
export function status(value) {
  return element("span", { class: "status status-" + value, text: value, "data-status": value });
}
