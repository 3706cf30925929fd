#!/usr/bin/env bash
# Cost of a recorded synchronous workflow run: wrk on loopback, in one run, against one `bifrost serve`
# (embedded database): GET /health/live, then POST /api/workflows/quick_lookup/execute with an organisation's
# API key. Prints executions/s, p50/p99, the ratio, checks that every answered run is recorded in PostgreSQL,
# and prints the CPU time PostgreSQL spent per run and the server's resident memory after the run.
# The two are measured alternately, `rounds` times, and the ratio is given per round and as the median: on a
# shared 2-core machine one round's baseline swings by ±20 %.
# Usage: Benchmarks/execute.sh [path/to/bifrost] [seconds] [connections] [rounds]
#        (build first: swift build -c release --product bifrost; installs wrk with apt-get if missing)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
binary="$(realpath "${1:-$repo/.build/release/bifrost}")"
seconds="${2:-10}"
connections="${3:-32}"
rounds="${4:-3}"
source "$repo/Benchmarks/common.sh"

cat > "$work/execute.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"input": {"id": "42"}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Bifrost-Key"] = "$key"
LUA

wrk -t2 -c"$connections" -d2s "$base/health/live" >/dev/null  # warm-up
: > "$work/results.txt"
database_cpu=0
for round in $(seq "$rounds"); do
  run "live$round" "$base/health/live" >> "$work/results.txt"
  database_before=$(database_ticks)
  run "execute$round" -s "$work/execute.lua" "$base/api/workflows/quick_lookup/execute" >> "$work/results.txt"
  database_after=$(database_ticks)
  database_cpu=$((database_cpu + database_after - database_before))
done
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
python3 - "$work/results.txt" "$rss_kib" $recorded "$database_cpu" "$(getconf CLK_TCK)" <<'PY'
import statistics, sys
rows = {l.split()[0]: l.split()[1:] for l in open(sys.argv[1]).read().strip().splitlines()}
rss, succeeded, recorded = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
database_us = int(sys.argv[5]) / int(sys.argv[6]) * 1e6
rounds = sorted(int(k[4:]) for k in rows if k.startswith("live"))
print("%-6s%-44s%10s%10s%10s%9s%8s%12s" % ("round", "endpoint", "req/s", "p50 us", "p99 us", "non-2xx", "ratio", "CPU us/req"))
ratios, answered = [], 0
for r in rounds:
    base = float(rows[f"live{r}"][0])
    for name, label in [(f"live{r}", "GET /health/live"), (f"execute{r}", "POST /api/workflows/quick_lookup/execute")]:
        rps, p50, p99, bad, total, cpu, database, client = rows[name]
        print("%-6d%-44s%10.0f%10.0f%10.0f%9s%8.2f%12s" % (r, label, float(rps), float(p50), float(p99), bad, float(rps) / base, cpu))
    ratios.append(float(rows[f"execute{r}"][0]) / base)
    answered += int(rows[f"execute{r}"][4]) - int(rows[f"execute{r}"][3])
median = lambda key, i: statistics.median(float(rows[f"{key}{r}"][i]) for r in rounds)
print(f"median: live {median('live', 0):.0f} req/s, execute {median('execute', 0):.0f} exec/s, "
      f"ratio {statistics.median(ratios):.2f} (rounds {', '.join(f'{x:.2f}' for x in ratios)}); "
      f"server CPU per request {median('live', 5):.1f} us live, {median('execute', 5):.1f} us execute")
print(f"runs answered 2xx: {answered}; recorded in PostgreSQL: {recorded} ({succeeded} Success)")
print(f"PostgreSQL CPU per run: {database_us / max(recorded, 1):.0f} us")
print(f"server RSS after the run: {rss / 1024:.1f} MiB")
PY
