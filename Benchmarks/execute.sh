#!/usr/bin/env bash
# Cost of a recorded synchronous workflow run: wrk on loopback, in one run, against one `bifrost serve`
# (embedded database): GET /health/live, then POST /api/workflows/quick_lookup/execute with an organisation's
# API key. Prints executions/s, p50/p99, the ratio, checks that every answered run is recorded in PostgreSQL,
# and prints the CPU time PostgreSQL spent per run and the server's resident memory after the run.
# Usage: Benchmarks/execute.sh [path/to/bifrost] [seconds] [connections]
#        (build first: swift build -c release --product bifrost; installs wrk with apt-get if missing)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
binary="$(realpath "${1:-$repo/.build/release/bifrost}")"
seconds="${2:-10}"
connections="${3:-32}"
source "$repo/Benchmarks/common.sh"

json() { python3 -c "import json,sys; print(json.load(sys.stdin)[\"$1\"])"; }
org=$(curl -fs -H "Authorization: Bearer $jwt" -H 'Content-Type: application/json' -d '{"name":"Bench Org"}' \
  "$base/api/organizations" | json id)
key=$(curl -fs -H "Authorization: Bearer $jwt" -H "X-Organization-Id: $org" -H 'Content-Type: application/json' \
  -d '{"name":"bench","role":"org_admin"}' "$base/api/api-keys" | json key)
cat > "$work/execute.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"input": {"id": "42"}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Bifrost-Key"] = "$key"
LUA

wrk -t2 -c"$connections" -d2s "$base/health/live" >/dev/null  # warm-up
run live "$base/health/live" > "$work/results.txt"
database_before=$(database_ticks)
run execute -s "$work/execute.lua" "$base/api/workflows/quick_lookup/execute" >> "$work/results.txt"
database_after=$(database_ticks)
rss_kib=$(ps -o rss= -p "$server" | tr -d ' ')
recorded=$(python3 - "$work/.bifrost/database.json" <<'PY'
import json, subprocess, sys
state = json.load(open(sys.argv[1]))
url = f"postgresql://{state['username']}:{state['password']}@127.0.0.1:{state['port']}/bifrost"
out = subprocess.run(["psql", url, "-At", "-c",
    "SELECT count(*) FILTER (WHERE status = 'Success'), count(*) FROM executions WHERE workflow = 'quick_lookup'"],
    capture_output=True, text=True, check=True).stdout.strip()
print(out.replace("|", " "))
PY
)
python3 - "$work/results.txt" "$rss_kib" $recorded "$((database_after - database_before))" "$(getconf CLK_TCK)" <<'PY'
import sys
rows = {l.split()[0]: l.split()[1:] for l in open(sys.argv[1]).read().strip().splitlines()}
rss, succeeded, recorded = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
database_us = int(sys.argv[5]) / int(sys.argv[6]) * 1e6
base = float(rows["live"][0])
print("%-44s%10s%10s%10s%9s%8s%12s" % ("endpoint", "req/s", "p50 us", "p99 us", "non-2xx", "ratio", "CPU us/req"))
for name, label in [("live", "GET /health/live"), ("execute", "POST /api/workflows/quick_lookup/execute")]:
    rps, p50, p99, bad, total, cpu = rows[name]
    print("%-44s%10.0f%10.0f%10.0f%9s%8.2f%12s" % (label, float(rps), float(p50), float(p99), bad, float(rps) / base, cpu))
answered = int(rows["execute"][4]) - int(rows["execute"][3])
print(f"runs answered 2xx: {answered}; recorded in PostgreSQL: {recorded} ({succeeded} Success)")
print(f"PostgreSQL CPU per run: {database_us / max(recorded, 1):.0f} us")
print(f"server RSS after the run: {rss / 1024:.1f} MiB")
PY
