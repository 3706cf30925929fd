#!/usr/bin/env bash
# Whether the gateway's memory stays flat under database-bound load: wrk (8 connections) on one route after
# another, `phases` times each, printing throughput and the server's resident memory after each phase:
#   ready:  GET /health/ready (one `SELECT 1` per request)
#   me:     GET /auth/me with an organisation's API key (one query per request)
#   async:  POST /api/workflows/quick_lookup/execute {"mode": "async"} (queued, run by 8 workers)
#   live:   GET /health/live (no database), for comparison
# Memory that grows phase after phase at a steady request rate is held per request: a cancelled timer's memory,
# for instance, is freed only when its time would have come (swiftlang/swift#60441), so a timer armed and
# cancelled per statement holds memory in proportion to the rate.
# Usage: Benchmarks/memory.sh [path/to/bifrost] [seconds] [phases]
#        (defaults: .build/release/bifrost 4 3; build first: swift build -c release --product bifrost;
#        installs wrk with apt-get if missing)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
binary="$(realpath "${1:-$repo/.build/release/bifrost}")"
seconds="${2:-4}"
phases="${3:-3}"
export BIFROST_WORKFLOWS_WORKERS=8
source "$repo/Benchmarks/common.sh"

cat >"$work/async.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Bifrost-Key"] = "$key"
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, nil, nil, '{"input":{"id":"m' .. counter .. '"},"mode":"async"}')
end
LUA
resident() { awk '/VmRSS/ {print $2}' "/proc/$server/status"; }
rate() { wrk -t1 -c8 -d"${seconds}s" "$@" | awk '/Requests\/sec/ {printf "%.0f", $2}'; }

printf '%-7s%6s%10s%14s\n' route phase "req/s" "RSS after, MB"
echo "start      -         -  $(($(resident) / 1024))"
for route in ready me async live; do
  for phase in $(seq "$phases"); do
    case $route in
      ready) result=$(rate "$base/health/ready") ;;
      me) result=$(rate -H "X-Bifrost-Key: $key" "$base/auth/me") ;;
      async) result=$(rate -s "$work/async.lua" "$base/api/workflows/quick_lookup/execute") ;;
      live) result=$(rate "$base/health/live") ;;
    esac
    sleep 1
    printf '%-7s%6s%10s%14s\n' "$route" "$phase" "$result" "$(($(resident) / 1024))"
  done
done
