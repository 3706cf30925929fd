// The console's calls to the gateway: JSON requests and the live event stream of a run. The session is the
// HttpOnly cookie the browser sends by itself; requests that change something echo the readable CSRF cookie.

/// What the whole console shares: who is signed in and the organisation they act in ("" is global scope).
export const session = { me: null, scope: sessionStorage.getItem("bifrost.scope") || "", workflows: [] };

/// Whether the signed-in principal administers (a platform admin, or an organisation admin in their organisation).
export function isAdmin() {
  return Boolean(session.me && (session.me.is_platform_admin || session.me.role === "org_admin"));
}

function cookie(name) {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return rest.join("=");
  }
  return "";
}

function headers(method, extra = {}) {
  const all = { Accept: "application/json", ...extra };
  if (method !== "GET") all["X-CSRF-Token"] = cookie("bifrost_csrf");
  if (session.scope) all["X-Organization-Id"] = session.scope;
  return all;
}

/// Spends the refresh cookie for a new session; false once the session has ended.
async function refreshSession() {
  const answer = await fetch("/console/session/refresh", {
    method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": cookie("bifrost_csrf") },
  });
  return answer.ok;
}

/// Calls the API: `{status, ok, json}`, after one refresh of the session when the access token has expired.
export async function call(method, path, body, retried = false) {
  const extra = body === undefined ? {} : { "Content-Type": "application/json" };
  const init = { method, headers: headers(method, extra), credentials: "same-origin" };
  if (body !== undefined) init.body = JSON.stringify(body);
  if (path.startsWith("/console/")) delete init.headers["X-Organization-Id"];
  const response = await fetch(path, init);
  if (response.status === 401 && !retried && !path.startsWith("/console/session") && await refreshSession()) {
    return call(method, path, body, true);
  }
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  return { status: response.status, ok: response.ok, json };
}

/// The detail of a refused call, for people.
export function why(answer, fallback) {
  return answer.json?.detail || answer.json?.title || fallback;
}

/// Follows a run's Server-Sent Events (`GET /api/executions/{id}/stream`) until its final status, calling
/// `onEvent({event, id, data})` for each. A dropped connection is opened again with `Last-Event-ID`, so no log
/// line is shown twice or lost; `signal` stops it.
export async function follow(id, onEvent, signal) {
  let lastEventId = 0;
  let delay = 500;
  while (!signal.aborted) {
    let finished = false;
    try {
      const extra = { Accept: "text/event-stream" };
      if (lastEventId) extra["Last-Event-ID"] = String(lastEventId);
      const response = await fetch("/api/executions/" + encodeURIComponent(id) + "/stream", {
        headers: headers("GET", extra), credentials: "same-origin", signal,
      });
      if (response.status === 401 && await refreshSession()) continue;
      if (!response.ok) throw new Error("The run's progress could not be followed (" + response.status + ").");
      delay = 500;
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const event = parse(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (!event) continue;
          if (event.id !== undefined) lastEventId = event.id;
          if (onEvent(event) === "final") finished = true;
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof Error && error.message.startsWith("The run's")) throw error;
    }
    if (finished) return;
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 8000);
  }
}

function parse(block) {
  const event = { event: "message", data: "" };
  for (const line of block.split("\n")) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event.event = value;
    else if (field === "data") event.data += value;
    else if (field === "id" && /^\d+$/.test(value)) event.id = Number(value);
  }
  if (!event.data) return null;
  try { event.data = JSON.parse(event.data); } catch { return null; }
  return event;
}
