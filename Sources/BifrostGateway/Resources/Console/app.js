// The console's frame: signing in and out, the organisation picker, the menu, and the routes (the address's
// fragment: `#/workflows`, `#/workflows/{name}`, `#/runs`, `#/runs/{id}`, `#/admin/{page}`), so that the back
// button, reloading and links work.
import { adminPages } from "./admin.js";
import { call, isAdmin, session, why } from "./api.js";
import { element, message, page } from "./dom.js";
import { runPage, runsPage } from "./runs.js";
import { workflowPage, workflowsPage } from "./workflows.js";

const $ = (id) => document.getElementById(id);
/// Stops whatever the previous page still does (a live run's stream) when another page opens.
let leaving = new AbortController();

async function start() {
  const me = await call("GET", "/auth/me");
  if (me.status === 401) { signedOut(); await offerSignIns(); return; }
  if (!me.ok) { $("notice").textContent = why(me, "The gateway could not be reached."); return; }
  session.me = me.json;
  $("who").textContent = me.json.email || me.json.name || "";
  await fillScopes();
  menu();
  $("sign-in").hidden = true;
  $("nav").hidden = false;
  $("session").hidden = false;
  await route();
}

function signedOut() {
  session.me = null;
  $("nav").hidden = true;
  $("session").hidden = true;
  $("view").replaceChildren();
  $("sign-in").hidden = false;
  $("email").focus();
}

/// The sign-in form's buttons of the identity providers the gateway offers (`GET /console/sign-in`), each a link
/// to the route that sends the browser there; and why the last one failed, when the gateway sent the browser back
/// with `#/?sign_in_error=…` (the address is then cleaned, so reloading does not show it again).
async function offerSignIns() {
  const [path, search] = location.hash.slice(1).split("?");
  const failure = path === "/" ? new URLSearchParams(search || "").get("sign_in_error") : null;
  if (failure) {
    $("sign-in-error").textContent = failure;
    history.replaceState(null, "", location.pathname);
  }
  const offered = await call("GET", "/console/sign-in");
  const links = (offered.ok && Array.isArray(offered.json) ? offered.json : []).map((issuer) => element("a", {
    class: "button", href: "/console/sign-in/" + encodeURIComponent(issuer.name), "data-sign-in": issuer.name,
    text: issuer.label,
  }));
  $("sign-in-with").replaceChildren(...links);
  $("sign-in-with").hidden = links.length === 0;
}

async function fillScopes() {
  const picker = $("scope");
  picker.replaceChildren();
  if (session.me.is_platform_admin) {
    picker.append(element("option", { value: "", text: "Global scope" }));
    const organizations = await call("GET", "/api/organizations");
    for (const organization of organizations.ok ? organizations.json : []) {
      picker.append(element("option", { value: organization.id, text: organization.name }));
    }
    picker.disabled = false;
    picker.value = session.scope;
    if (picker.value !== session.scope) session.scope = "";
  } else {
    session.scope = "";
    picker.append(element("option", { value: "", text: session.me.organization_name || "Your organisation" }));
    picker.disabled = true;
  }
}

/// The menu: what everyone may use, then the administration pages for administrators.
function menu() {
  const links = [["#/workflows", "Workflows"], ["#/runs", "Runs"]];
  if (isAdmin()) {
    for (const [name, [title]] of Object.entries(adminPages)) {
      if (name === "organizations" && !session.me.is_platform_admin) continue;
      links.push(["#/admin/" + name, title]);
    }
  }
  $("menu").replaceChildren(...links.map(([href, title]) => element("li", {}, element("a", { href, text: title }))));
  markCurrent();
}

function markCurrent() {
  for (const link of $("menu").querySelectorAll("a")) {
    const current = location.hash.startsWith(link.getAttribute("href"));
    if (current) link.setAttribute("aria-current", "page"); else link.removeAttribute("aria-current");
  }
}

/// Opens the page the address names, once the previous page is done (a page still loading would otherwise draw
/// over its successor).
/// The view is `aria-busy` while a page loads, so assistive technology (and the browser tests) wait for it.
function route() {
  leaving.abort();
  leaving = new AbortController();
  const signal = leaving.signal;
  loading += 1;
  $("view").setAttribute("aria-busy", "true");
  routing = routing.then(() => (session.me && !signal.aborted ? showPage(signal) : undefined)).catch((error) => {
    $("notice").textContent = "This page failed: " + error.message;
  }).finally(() => {
    loading -= 1;
    if (!loading) $("view").setAttribute("aria-busy", "false");
  });
  return routing;
}
let routing = Promise.resolve();
let loading = 0;

async function showPage(signal) {
  $("notice").textContent = "";
  const [path, search] = (location.hash.slice(1) || "/workflows").split("?");
  const query = new URLSearchParams(search || "");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  markCurrent();
  if (parts[0] === "workflows" && parts[1]) return workflowPage(parts[1]);
  if (parts[0] === "runs" && parts[1]) return runPage(parts[1], signal);
  if (parts[0] === "runs") return runsPage(query);
  if (parts[0] === "admin" && adminPages[parts[1]]) return adminPages[parts[1]][1](query);
  if (parts[0] !== "workflows") page("Not found", message("This page does not exist.", true));
  else return workflowsPage();
}

$("sign-in-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("sign-in-error").textContent = "";
  const answer = await call("POST", "/console/session", { email: $("email").value, password: $("password").value });
  if (!answer.ok) { $("sign-in-error").textContent = why(answer, "Signing in failed."); return; }
  $("password").value = "";
  await start();
});
$("sign-out").addEventListener("click", async () => {
  await call("POST", "/console/session/end");
  sessionStorage.removeItem("bifrost.scope");
  session.scope = "";
  signedOut();
  await offerSignIns();
});
$("scope").addEventListener("change", async () => {
  session.scope = $("scope").value;
  sessionStorage.setItem("bifrost.scope", session.scope);
  session.workflows = [];
  await route();
});
addEventListener("hashchange", route);
start();
