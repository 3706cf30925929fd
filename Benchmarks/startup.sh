#!/usr/bin/env bash
# Measures `bifrost serve` on the embedded database: time from start to /health/ready (first start, with initdb,
# and a restart that reuses the cluster), and the server's idle RSS. Build first (./scripts/serve builds).
# Usage: Benchmarks/startup.sh [path/to/bifrost] [runs]
set -euo pipefail
binary="${1:-$(cd "$(dirname "$0")/.." && swift build --show-bin-path)/bifrost}"
runs="${2:-3}"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

ready_after() {  # prints seconds from launch to 200 on /health/ready; leaves the server running as $pid
  local start=$(date +%s.%N)
  "$binary" serve --http-port "$port" --log-level warning >/dev/null 2>&1 &
  pid=$!
  until curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null; do sleep 0.02; done
  echo "$(date +%s.%N) - $start" | bc
}

stop() { kill -TERM "$pid"; wait "$pid"; }

for run in $(seq 1 "$runs"); do
  folder=$(mktemp -d)
  cd "$folder"
  first=$(ready_after); stop
  restart=$(ready_after)
  sleep 2
  rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  stop
  cd / && rm -rf "$folder"
  printf 'run %d: first start %.2f s, restart %.2f s, idle RSS %d MiB\n' "$run" "$first" "$restart" $((rss_kb / 1024))
done
