"""The console's measurements for Benchmarks/console.sh: page weight and first render in headless Chromium (over
the W3C WebDriver protocol, standard library only), and the execution history's paged reads at 1,000 and 100,000
runs."""
import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import time
import urllib.parse
import urllib.request

arguments = argparse.ArgumentParser()
for name in ["base", "database", "organization", "key", "email", "password", "assets"]:
    arguments.add_argument("--" + name, required=True)
arguments.add_argument("--rounds", type=int, default=5)
options = arguments.parse_args()
origin = urllib.parse.urlparse(options.base)


def request(method, path, body=None, headers=None, connection=None):
    """One request; returns (status, headers, body bytes)."""
    own = connection is None
    connection = connection or http.client.HTTPConnection(origin.hostname, origin.port)
    payload = json.dumps(body).encode() if body is not None else None
    all_headers = {"Content-Type": "application/json"} if payload else {}
    all_headers.update(headers or {})
    connection.request(method, path, body=payload, headers=all_headers)
    response = connection.getresponse()
    data = response.read()
    if own:
        connection.close()
    return response.status, response.getheaders(), data


def psql(sql):
    return subprocess.run(["psql", options.database, "-At", "-c", sql], capture_output=True, text=True,
                          check=True).stdout.strip()


# --- The browser ---------------------------------------------------------------------------------------------

def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Browser:
    """A chromedriver and one headless Chromium session with a fresh profile (so an empty cache)."""

    def __init__(self):
        self.port = free_port()
        self.driver = subprocess.Popen(["chromedriver", f"--port={self.port}"], stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                self.call("GET", "/status")
                break
            except OSError:
                time.sleep(0.05)
        arguments = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,900", "--no-first-run", "--disable-extensions"]
        created = self.call("POST", "/session", {"capabilities": {"alwaysMatch": {
            "browserName": "chrome", "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": arguments}}}})
        self.session = "/session/" + created["sessionId"]

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        answer = urllib.request.urlopen(urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", data=data, method=method,
            headers={"Content-Type": "application/json"}), timeout=60)
        return json.loads(answer.read())["value"]

    def go(self, url):
        self.call("POST", self.session + "/url", {"url": url})

    def script(self, source):
        return self.call("POST", self.session + "/execute/sync", {"script": source, "args": []})

    def close(self):
        try:
            self.call("DELETE", self.session)
        finally:
            self.driver.terminate()
            self.driver.wait()


# What a view of the workflows page cost: when the list first showed (ms after the navigation started), the first
# contentful paint, and the bytes transferred (page, assets and API answers, headers included) in how many requests.
MEASURE = """
const mark = performance.getEntriesByName('bifrost:workflows')[0];
if (!mark) return null;
const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
const paint = performance.getEntriesByName('first-contentful-paint')[0];
return { render: mark.startTime, paint: paint ? paint.startTime : null, requests: entries.length,
  bytes: entries.reduce((sum, entry) => sum + entry.transferSize, 0),
  body: entries.reduce((sum, entry) => sum + entry.encodedBodySize, 0) };
"""


def wait_for_measure(browser):
    deadline = time.time() + 30
    while time.time() < deadline:
        measured = browser.script(MEASURE)
        if measured:
            return measured
        time.sleep(0.02)
    raise RuntimeError("the workflows page never rendered")


def console_session_cookies():
    status, headers, body = request("POST", "/console/session", {"email": options.email, "password": options.password})
    assert status == 200, body
    cookies = []
    for name, value in headers:
        if name.lower() == "set-cookie":
            pair, _, attributes = value.partition(";")
            key, _, cookie_value = pair.partition("=")
            path = next((a.split("=", 1)[1] for a in attributes.split(";") if a.strip().lower().startswith("path=")),
                        "/")
            cookies.append({"name": key.strip(), "value": cookie_value, "path": path.strip(), "httpOnly": True})
    return cookies


def measure_console():
    cold, warm = [], []
    for _ in range(options.rounds):
        browser = Browser()
        try:
            # A page of the gateway's origin first, so that the session's cookies can be set for it.
            browser.go(options.base + "/health/live")
            for cookie in console_session_cookies():
                browser.call("POST", browser.session + "/cookie", {"cookie": cookie})
            browser.go(options.base + "/console#/workflows")
            cold.append(wait_for_measure(browser))
            browser.go(options.base + "/health/live")
            browser.go(options.base + "/console#/workflows")
            warm.append(wait_for_measure(browser))
        finally:
            browser.close()
    assets = sum(os.path.getsize(os.path.join(options.assets, name)) for name in os.listdir(options.assets))
    print(f"console files: {len(os.listdir(options.assets))}, {assets} bytes as served (no compression)")
    print("%-22s%14s%14s%12s%14s%14s" % ("view", "render ms", "FCP ms", "requests", "transferred B", "bodies B"))
    for label, views in [("first view (cold)", cold), ("again (warm cache)", warm)]:
        median = lambda key: statistics.median(view[key] for view in views if view[key] is not None)
        print("%-22s%14.0f%14.0f%12.0f%14.0f%14.0f" % (label, median("render"), median("paint"), median("requests"),
                                                       median("bytes"), median("body")))
    print(f"warm/cold: render {statistics.median(v['render'] for v in warm) / statistics.median(v['render'] for v in cold):.2f}, "
          f"bytes {statistics.median(v['bytes'] for v in warm) / statistics.median(v['bytes'] for v in cold):.2f} "
          f"(medians of {options.rounds} rounds)")


# --- The execution history -----------------------------------------------------------------------------------

def seed(total):
    """Brings the organisation's runs to `total`: one in 100 is bulk_import, one in 50 Failed, a second apart."""
    have = int(psql("SELECT count(*) FROM executions"))
    psql(f"""
        INSERT INTO executions (id, workflow, organization_id, status, input, result, started_by, created_at,
                                started_at, finished_at, duration_ms)
        SELECT gen_random_uuid(), CASE WHEN g % 100 = 0 THEN 'bulk_import' ELSE 'quick_lookup' END,
               '{options.organization}', CASE WHEN g % 50 = 0 THEN 'Failed' ELSE 'Success' END,
               jsonb_build_object('id', g::text), jsonb_build_object('id', g::text, 'found', true), 'bench',
               now() - make_interval(secs => g), now() - make_interval(secs => g), now() - make_interval(secs => g),
               3
        FROM generate_series({have + 1}, {total}) AS g;
        ANALYZE executions;""")


def history_requests(connection, token):
    """The console's history reads, each as (label, path, headers)."""
    inside = {"Authorization": "Bearer " + token, "X-Organization-Id": options.organization}
    everywhere = {"Authorization": "Bearer " + token}
    cursor = None
    for _ in range(10):
        _, _, body = request("GET", "/api/executions?limit=50" + (f"&cursor={cursor}" if cursor else ""),
                             headers=inside, connection=connection)
        cursor = json.loads(body)["next_cursor"]
    return [
        ("first page", "/api/executions?limit=50", inside),
        ("page 11 by cursor", f"/api/executions?limit=50&cursor={cursor}", inside),
        ("status=Failed", "/api/executions?limit=50&status=Failed", inside),
        ("workflow=bulk_import", "/api/executions?limit=50&workflow=bulk_import", inside),
        ("every organisation", "/api/executions?limit=50&scope=all", everywhere),
    ]


def rows_read(sql):
    """Rows the plan's scans read (EXPLAIN ANALYZE), summed over its nodes."""
    plan = json.loads(psql("EXPLAIN (ANALYZE, FORMAT JSON) " + sql))[0]["Plan"]
    total, stack = 0, [plan]
    while stack:
        node = stack.pop()
        if "Scan" in node["Node Type"]:
            total += node["Actual Rows"] * node.get("Actual Loops", 1) + node.get("Rows Removed by Filter", 0)
        stack.extend(node.get("Plans", []))
    return total


def measure_history(token):
    columns = "id, workflow, status, created_at"
    org = f"organization_id = '{options.organization}'"
    plans = {
        "first page": f"SELECT {columns} FROM executions WHERE {org} ORDER BY created_at DESC, id DESC LIMIT 50",
        "status=Failed": f"SELECT {columns} FROM executions WHERE {org} AND status = 'Failed' "
                         "ORDER BY created_at DESC, id DESC LIMIT 50",
        "workflow=bulk_import": f"SELECT {columns} FROM executions WHERE {org} AND workflow = 'bulk_import' "
                                "ORDER BY created_at DESC, id DESC LIMIT 50",
        "every organisation": f"SELECT {columns} FROM executions ORDER BY created_at DESC, id DESC LIMIT 50",
    }
    results = {}
    for total in [1_000, 100_000]:
        seed(total)
        connection = http.client.HTTPConnection(origin.hostname, origin.port)
        for label, path, headers in history_requests(connection, token):
            for _ in range(5):
                request("GET", path, headers=headers, connection=connection)  # warm-up
            times = []
            for _ in range(40):
                started = time.perf_counter()
                status, _, body = request("GET", path, headers=headers, connection=connection)
                times.append((time.perf_counter() - started) * 1000)
                assert status == 200, body
            results[(total, label)] = (statistics.median(times), sorted(times)[int(len(times) * 0.95) - 1],
                                       len(json.loads(body)["items"]), rows_read(plans[label]) if label in plans else None)
        connection.close()
    print("%-24s%10s%10s%10s%10s%10s%12s" % ("history read", "runs", "p50 ms", "p95 ms", "items", "rows read",
                                             "100k/1k p50"))
    for label in [label for (total, label) in results if total == 1_000]:
        for total in [1_000, 100_000]:
            p50, p95, items, read = results[(total, label)]
            ratio = p50 / results[(1_000, label)][0]
            print("%-24s%10d%10.2f%10.2f%10d%10s%12s" % (label, total, p50, p95, items,
                                                          "" if read is None else read,
                                                          f"{ratio:.2f}" if total == 100_000 else ""))


_, _, body = request("POST", "/auth/login", {"email": options.email, "password": options.password})
admin_token = json.loads(body)["access_token"]
measure_console()
measure_history(admin_token)
