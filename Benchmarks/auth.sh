#!/usr/bin/env bash
# Cost of authentication: wrk on loopback, in one run, against one `bifrost serve` (embedded database):
#   GET /health/live (no authentication), GET /auth/me with an API key, GET /auth/me with a gateway JWT.
# Prints requests/s, p50 and p99 latency and the server's CPU time per request for each, the throughput ratios,
# and the differences to /health/live (latency at p50 and CPU per request).
# Usage: Benchmarks/auth.sh [path/to/bifrost] [seconds] [connections]
#        (build first: swift build -c release --product bifrost; installs wrk with apt-get if missing)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
binary="$(realpath "${1:-$repo/.build/release/bifrost}")"
seconds="${2:-10}"
connections="${3:-32}"
source "$repo/Benchmarks/common.sh"

key=$(curl -fs -H "Authorization: Bearer $jwt" -H 'Content-Type: application/json' -d '{"name":"bench","role":"platform_admin"}' \
  "$base/api/api-keys" | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')

curl -fs -o /dev/null "$base/health/live"
wrk -t2 -c"$connections" -d2s "$base/health/live" >/dev/null  # warm-up
results=$(
  run live "$base/health/live"
  run apikey -H "X-Bifrost-Key: $key" "$base/auth/me"
  run jwt -H "Authorization: Bearer $jwt" "$base/auth/me"
)
echo "$results" > "$work/results.txt"
python3 - "$work/results.txt" <<'PY'
import sys
rows = {l.split()[0]: l.split()[1:] for l in open(sys.argv[1]).read().strip().splitlines()}
base = float(rows["live"][0]); base_p50 = float(rows["live"][1])
print("%-28s%10s%10s%10s%9s%8s%12s" % ("endpoint", "req/s", "p50 us", "p99 us", "non-2xx", "ratio", "CPU us/req"))
for name, label in [("live", "GET /health/live"), ("apikey", "GET /auth/me (API key)"), ("jwt", "GET /auth/me (JWT)")]:
    rps, p50, p99, bad, total, cpu, database, client = rows[name]
    print("%-28s%10.0f%10.0f%10.0f%9s%8.2f%12s" % (label, float(rps), float(p50), float(p99), bad, float(rps) / base, cpu))
for name in ("apikey", "jwt"):
    print("authentication cost (%s): p50 %+.0f us, server CPU %+.1f us per request" % (
        name, float(rows[name][1]) - base_p50, float(rows[name][5]) - float(rows["live"][5])))
PY
