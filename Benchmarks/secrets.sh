#!/usr/bin/env bash
# `secrets.get` end to end from a workflow: wrk on loopback against one `bifrost serve` (embedded database),
# POST /api/workflows/check_secret/execute (the run reads an organisation's secret: one query, AES-256-GCM open
# under the cached data key, the value added to the run's redactions) against POST
# /api/workflows/quick_lookup/execute (the same recorded synchronous run without an SDK call), taking turns,
# `rounds` times. The difference per run (server CPU, PostgreSQL CPU, latency) is what secrets.get costs.
# Usage: Benchmarks/secrets.sh [path/to/bifrost] [seconds] [connections] [rounds]
#        (build first: swift build -c release --product bifrost; installs wrk with apt-get if missing)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
binary="$(realpath "${1:-$repo/.build/release/bifrost}")"
seconds="${2:-10}"
connections="${3:-32}"
rounds="${4:-3}"
source "$repo/Benchmarks/common.sh"

secret=$(python3 -c 'import os; print(os.urandom(128).hex())')  # 256 characters
curl -fs -o /dev/null -X PUT -H "X-Bifrost-Key: $key" -H 'Content-Type: application/json' \
  -d "{\"value\": \"$secret\"}" "$base/api/secrets/graph_client_secret"
script() {
  printf 'wrk.method = "POST"\nwrk.body = %s\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["X-Bifrost-Key"] = "%s"\n' \
    "'$1'" "$key" > "$work/$2.lua"
}
script '{"input": {"id": "42"}}' plain
script '{"input": {"name": "graph_client_secret"}}' secret
answer=$(curl -fs -X POST -H "X-Bifrost-Key: $key" -H 'Content-Type: application/json' \
  -d '{"input": {"name": "graph_client_secret"}}' "$base/api/workflows/check_secret/execute")
echo "$answer" | tr -d ' \n' | grep -q '"length":256' || { echo "check_secret answered: $answer" >&2; exit 1; }

wrk -t2 -c"$connections" -d2s "$base/health/live" >/dev/null  # warm-up
: > "$work/results.txt"
for round in $(seq "$rounds"); do
  for kind in plain secret; do
    workflow=$([ "$kind" = plain ] && echo quick_lookup || echo check_secret)
    before=$(database_ticks)
    line=$(run "$kind$round" -s "$work/$kind.lua" "$base/api/workflows/$workflow/execute")
    after=$(database_ticks)
    echo "$line $((after - before))" >> "$work/results.txt"
  done
done
python3 - "$work/results.txt" "$(getconf CLK_TCK)" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]).read().strip().splitlines()]
hertz = int(sys.argv[2])
by = {}
print("%-8s%-42s%10s%10s%10s%9s%15s%17s" % ("round", "workflow", "exec/s", "p50 us", "p99 us", "non-2xx", "server us/run", "database us/run"))
for name, rps, p50, p99, bad, total, cpu, db in rows:
    kind, r = name.rstrip("0123456789"), name[len(name.rstrip("0123456789")):]
    db_us = int(db) / hertz * 1e6 / max(int(total), 1)
    by.setdefault(kind, []).append((float(rps), float(p50), float(cpu), db_us))
    label = "quick_lookup (no SDK call)" if kind == "plain" else "check_secret (secrets.get)"
    print("%-8s%-42s%10.0f%10.0f%10.0f%9s%15.1f%17.1f" % (r, label, float(rps), float(p50), float(p99), bad, float(cpu), db_us))
med = {k: [statistics.median(x[i] for x in v) for i in range(4)] for k, v in by.items()}
p, s = med["plain"], med["secret"]
print(f"median exec/s: quick_lookup {p[0]:.0f}, check_secret {s[0]:.0f}; ratio (check_secret / quick_lookup) {s[0] / p[0]:.2f}")
print(f"secrets.get end to end adds per run: {s[2] - p[2]:.1f} us server CPU, {s[3] - p[3]:.1f} us PostgreSQL CPU, "
      f"{s[1] - p[1]:.0f} us p50 latency")
PY
