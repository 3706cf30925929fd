#!/usr/bin/env bash
# How far bifrost is from the floor of its stack, in instructions per request counted by callgrind: a plain
# Hummingbird server with no middleware on the same PostgresNIO (`floor-bench`: read a JSON body, insert one row,
# answer JSON) against bifrost's own `GET /health/live` and sync `execute` of quick_lookup, in one sitting. Both
# servers use the same embedded PostgreSQL; only the server processes are counted.
# Usage: Benchmarks/floor.sh [path/to/bifrost] [path/to/floor-bench] [count]
#        (build first: swift build -c release --product bifrost --product floor-bench)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
bifrost="$(realpath "${1:-$repo/.build/release/bifrost}")"
floor="$(realpath "${2:-$repo/.build/release/floor-bench}")"
count="${3:-300}"
seconds=1
connections=1
source "$repo/Benchmarks/callgrind.sh"
binary=$(callgrind_copy "$bifrost")
server_prefix=("${callgrind_prefix[@]}")
source "$repo/Benchmarks/common.sh"

# floor-bench on the embedded cluster bifrost started (its address is in the data folder's database.json).
database=$(find "$work" -name database.json | head -1)
floor_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
setting() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$database" "$1"; }
FLOOR_PORT=$floor_port FLOOR_DB_PORT=$(setting port) FLOOR_DB_USER=$(setting username) \
  FLOOR_DB_PASSWORD=$(setting password) FLOOR_DB_NAME=bifrost \
  "${callgrind_prefix[@]}" "$(callgrind_copy "$floor")" >"$work/floor.log" 2>&1 &
floor_server=$!
trap 'kill -TERM "$floor_server" "$server" 2>/dev/null; wait "$floor_server" "$server" 2>/dev/null; rm -rf "$work"' EXIT
until curl -fs -o /dev/null "http://127.0.0.1:$floor_port/health/live"; do
  kill -0 "$floor_server" 2>/dev/null || { cat "$work/floor.log" >&2; exit 1; }
  sleep 0.05
done

: > "$work/counts.txt"
for kind in health execute; do measure "$server" "$port" "$kind" | sed 's/^/bifrost-/' >> "$work/counts.txt"; done
for kind in health run; do measure "$floor_server" "$floor_port" "$kind" | sed 's/^/floor-/' >> "$work/counts.txt"; done

python3 - "$work/counts.txt" "$count" <<'PY'
import sys
rows = {l.split()[0]: int(l.split()[1]) / int(sys.argv[2]) for l in open(sys.argv[1]).read().strip().splitlines()}
print("%-16s%18s" % ("request", "instructions/req"))
for kind, value in rows.items():
    print("%-16s%18.0f" % (kind, value))
print(f"health: bifrost / floor {rows['bifrost-health'] / rows['floor-health']:.2f}")
print(f"run: bifrost execute / floor run {rows['bifrost-execute'] / rows['floor-run']:.2f}")
print(f"floor run / floor health {rows['floor-run'] / rows['floor-health']:.2f}")
PY
