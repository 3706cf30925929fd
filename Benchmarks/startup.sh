#!/usr/bin/env bash
# Measures `bifrost serve` on the embedded database: time from launch to 200 on /health/ready for a first start
# (initdb included) and for a restart that reuses the cluster, and the server's RSS when idle.
# Usage: Benchmarks/startup.sh [path/to/bifrost] [runs]     (build first: swift build -c release)
set -euo pipefail
binary="$(realpath "${1:-$(cd "$(dirname "$0")/.." && swift build --show-bin-path)/bifrost}")"
runs="${2:-3}"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pid=""

launch() {  # starts the server in the background and sets $pid and $elapsed (seconds until ready)
  local start end
  start=$(date +%s%N)
  "$binary" serve --http-port "$port" --log-level warning >/dev/null 2>&1 &
  pid=$!
  until curl -fs -o /dev/null "http://127.0.0.1:$port/health/ready"; do
    kill -0 "$pid" 2>/dev/null || { echo "bifrost exited before it was ready" >&2; exit 1; }
    sleep 0.01
  done
  end=$(date +%s%N)
  elapsed=$(echo "scale=3; ($end - $start) / 1000000000" | bc)
}

stop() { kill -TERM "$pid"; wait "$pid" || true; }

for run in $(seq 1 "$runs"); do
  folder=$(mktemp -d)
  cd "$folder"
  launch; first=$elapsed; stop
  launch; restart=$elapsed
  sleep 3
  rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  stop
  cd / && rm -rf "$folder"
  printf 'run %d: first start %.2f s, restart %.2f s, idle RSS %d MiB\n' "$run" "$first" "$restart" $((rss_kb / 1024))
done
