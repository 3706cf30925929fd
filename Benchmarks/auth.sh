#!/usr/bin/env bash
# Cost of authentication: wrk on loopback, in one run, against one `bifrost serve` (embedded database):
#   GET /health/live (no authentication), GET /auth/me with an API key, GET /auth/me with a gateway JWT.
# Prints requests/s, p50 and p99 latency for each, the throughput ratios, and the p50 difference.
# Usage: Benchmarks/auth.sh [path/to/bifrost] [seconds] [connections]
#        (build first: swift build -c release --product bifrost; installs wrk with apt-get if missing)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
binary="$(realpath "${1:-$repo/.build/release/bifrost}")"
seconds="${2:-10}"
connections="${3:-32}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }

work=$(mktemp -d)
trap 'kill -TERM "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$work"' EXIT
mkdir "$work/policies"
cp "$repo/Policies/roles.yaml" "$work/policies/"
# Limits high enough not to interfere: this measures authentication, not rate limiting.
printf 'api_key: {per_second: 1000000, burst: 1000000}\nuser: {per_second: 1000000, burst: 1000000}\norganization: {per_second: 1000000, burst: 1000000}\n' \
  > "$work/policies/rate-limits.yaml"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"

cd "$work"
BIFROST_BOOTSTRAP_ADMIN_EMAIL=bench@example.com BIFROST_BOOTSTRAP_ADMIN_PASSWORD='benchmark password' \
  "$binary" serve --http-port "$port" --log-level error --policies-directory "$work/policies" >"$work/server.log" 2>&1 &
server=$!
until curl -fs -o /dev/null "$base/health/ready"; do sleep 0.05; done

jwt=$(curl -fs -H 'Content-Type: application/json' -d '{"email":"bench@example.com","password":"benchmark password"}' \
  "$base/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
key=$(curl -fs -H "Authorization: Bearer $jwt" -H 'Content-Type: application/json' -d '{"name":"bench","role":"platform_admin"}' \
  "$base/api/api-keys" | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')

run() {  # name, then wrk arguments; prints "name rps p50_us p99_us"
  local name=$1; shift
  wrk -t2 -c"$connections" -d"${seconds}s" --latency "$@" > "$work/$name.txt"
  python3 - "$name" "$work/$name.txt" <<'PY'
import re, sys
name, path = sys.argv[1], sys.argv[2]
text = open(path).read()
def micros(label):
    m = re.search(r"^\s+%s\s+([\d.]+)(us|ms|s)\s*$" % label, text, re.M)
    value, unit = float(m.group(1)), m.group(2)
    return value * {"us": 1, "ms": 1000, "s": 1e6}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(f"{name} {rps:.0f} {micros('50%'):.0f} {micros('99%'):.0f} {non2xx.group(1) if non2xx else 0}")
PY
}

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
print("%-28s%10s%10s%10s%9s%8s" % ("endpoint", "req/s", "p50 us", "p99 us", "non-2xx", "ratio"))
for name, label in [("live", "GET /health/live"), ("apikey", "GET /auth/me (API key)"), ("jwt", "GET /auth/me (JWT)")]:
    rps, p50, p99, bad = rows[name]
    print("%-28s%10.0f%10.0f%10.0f%9s%8.2f" % (label, float(rps), float(p50), float(p99), bad, float(rps) / base))
for name in ("apikey", "jwt"):
    print("authentication cost at p50 (%s): %.0f us" % (name, float(rows[name][1]) - base_p50))
PY
