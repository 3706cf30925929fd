#!/usr/bin/env bash
# Instructions the server executes per request, counted by callgrind: repeatable on a noisy shared machine where
# wall-clock numbers swing by ±20 %. Runs one `bifrost serve` (embedded database) under valgrind with
# instrumentation off, warms each kind of request up, then counts `count` requests of each kind sent one after
# another on one keep-alive connection (so every run commits alone, the same way each time):
#   health     GET /health/live
#   execute    POST /api/workflows/quick_lookup/execute with an organisation's API key
#   key        POST /api/endpoints/quick_lookup with the API key
#   signature  POST /api/endpoints/quick_lookup with a Standard Webhooks signature
# and an idle window of the same length, for the background work (heartbeats, queue polls) counted with them.
# Only the server process is counted: PostgreSQL runs natively beside it.
# Usage: Benchmarks/instructions.sh [path/to/bifrost] [count]
#        (build first: swift build -c release --product bifrost; installs valgrind with apt-get if missing)
#
# valgrind 3.19 needs two workarounds here, both outside the measured code: see Benchmarks/callgrind.sh.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
original="$(realpath "${1:-$repo/.build/release/bifrost}")"
count="${2:-1000}"
seconds=1
connections=1
source "$repo/Benchmarks/callgrind.sh"
binary=$(callgrind_copy "$original")
server_prefix=("${callgrind_prefix[@]}")
source "$repo/Benchmarks/common.sh"
secret=$(curl -fs -X POST -H "Authorization: Bearer $jwt" -H "X-Organization-Id: $org" \
  "$base/api/endpoints/quick_lookup/secrets" | json secret)

: > "$work/counts.txt"
for kind in health execute key signature; do
  measure "$server" "$port" "$kind" >> "$work/counts.txt"
done
# The background work over a window as long as the slowest kind took.
idle_seconds=$(awk '{ if ($3 > max) max = $3 } END { print max }' "$work/counts.txt")
callgrind_control --zero "$server" >/dev/null
callgrind_control --instr=on "$server" >/dev/null
python3 -c "import time, sys; time.sleep(float(sys.argv[1]))" "$idle_seconds"
callgrind_control --instr=off "$server" >/dev/null
callgrind_control --dump=idle "$server" >/dev/null
idle_dump=$(ls -t "$tools"/callgrind.out* | head -1)
echo "idle $(awk '/^totals:/ {print $2; exit}' "$idle_dump") $idle_seconds $idle_dump" >> "$work/counts.txt"
cp "$work/counts.txt" "$tools/counts.txt"

python3 - "$work/counts.txt" "$count" <<'PY'
import sys
rows = {l.split()[0]: l.split()[1:] for l in open(sys.argv[1]).read().strip().splitlines()}
count = int(sys.argv[2])
idle_per_second = int(rows["idle"][0]) / float(rows["idle"][1])
print("%-10s%18s%22s%14s" % ("request", "instructions/req", "less idle share/req", "seconds"))
for kind in ("health", "execute", "key", "signature"):
    total, seconds = int(rows[kind][0]), float(rows[kind][1])
    print("%-10s%18.0f%22.0f%14.1f" % (kind, total / count, (total - idle_per_second * seconds) / count, seconds))
print(f"idle: {idle_per_second:.0f} instructions/s in the background; {count} requests of each kind")
health = int(rows["health"][0]) / count
print(f"execute / health: {int(rows['execute'][0]) / count / health:.2f}")
print(f"dumps (callgrind_annotate): {' '.join(rows[k][2] for k in ('health', 'execute', 'key', 'signature'))}")
PY
