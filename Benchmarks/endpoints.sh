#!/usr/bin/env bash
# Endpoint calls, wrk on loopback, in one run against one `bifrost serve` (embedded database), taking turns
# `rounds` times: GET /health/live; POST /api/endpoints/quick_lookup with an API key; the same with a Standard
# Webhooks signature instead (each request a fresh webhook-id, signed beforehand, so none is a replay; the
# gateway verifies the HMAC and records the delivery). Prints throughput and p99 of each, the CPU time each
# request cost the server, PostgreSQL and wrk (they share the machine's cores), and the ratios.
# Target (issue 8): signature verification costs at most 10 % of the API-key path's throughput.
# Usage: Benchmarks/endpoints.sh [path/to/bifrost] [seconds] [connections] [rounds]
#        (build first: swift build -c release --product bifrost; installs wrk with apt-get if missing)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
binary="$(realpath "${1:-$repo/.build/release/bifrost}")"
seconds="${2:-10}"
connections="${3:-32}"
rounds="${4:-3}"
source "$repo/Benchmarks/common.sh"

secret=$(curl -fs -X POST -H "Authorization: Bearer $jwt" -H "X-Organization-Id: $org" \
  "$base/api/endpoints/quick_lookup/secrets" | json secret)
body='{"id": "42"}'
cat > "$work/key.lua" <<LUA
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Bifrost-Key"] = "$key"
LUA
# Each wrk thread takes every `threads`-th signed request of the file, so no two requests share a webhook-id.
cat > "$work/signed.lua" <<'LUA'
local threads, counter = {}, 0
function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  requests, position = {}, 0
  local n = 0
  for line in io.lines(os.getenv("SIGNED_FILE")) do
    if n % 2 == index then
      local id, timestamp, signature = line:match("([^ ]+) ([^ ]+) (.+)")
      table.insert(requests, wrk.format("POST", nil, {
        ["Content-Type"] = "application/json", ["webhook-id"] = id, ["webhook-timestamp"] = timestamp,
        ["webhook-signature"] = signature }, os.getenv("SIGNED_BODY")))
    end
    n = n + 1
  end
end
function request()
  position = position + 1
  return requests[position]
end
LUA
sign() {  # $1 = how many signed requests
  python3 - "$secret" "$1" "$body" "$2" > "$work/signed.txt" <<'PY'
import base64, hashlib, hmac, sys, time
secret = base64.b64decode(sys.argv[1].removeprefix("whsec_"))
count, body, tag = int(sys.argv[2]), sys.argv[3].encode(), sys.argv[4]
now = str(int(time.time()))
for i in range(count):
    msg_id = f"msg_{tag}_{i}"
    mac = hmac.new(secret, f"{msg_id}.{now}.".encode() + body, hashlib.sha256).digest()
    print(msg_id, now, "v1," + base64.b64encode(mac).decode())
PY
}
export SIGNED_FILE="$work/signed.txt" SIGNED_BODY="$body"

wrk -t2 -c"$connections" -d2s "$base/health/live" >/dev/null  # warm-up
: > "$work/results.txt"
for round in $(seq "$rounds"); do
  run "live$round" "$base/health/live" >> "$work/results.txt"
  run "key$round" -s "$work/key.lua" "$base/api/endpoints/quick_lookup" >> "$work/results.txt"
  sign $((seconds * 20000)) "r$round"
  run "signed$round" -s "$work/signed.lua" "$base/api/endpoints/quick_lookup" >> "$work/results.txt"
done
python3 - "$work/results.txt" <<'PY'
import statistics, sys
rows = {l.split()[0]: l.split()[1:] for l in open(sys.argv[1]).read().strip().splitlines()}
rounds = sorted(int(k[4:]) for k in rows if k.startswith("live"))
print("%-6s%-48s%9s%9s%9s%8s   %s" % ("round", "call", "req/s", "p50 us", "p99 us", "non-2xx",
                                        "CPU us/req: server PostgreSQL wrk"))
labels = [("live", "GET /health/live"), ("key", "POST /api/endpoints/quick_lookup (API key)"),
          ("signed", "POST /api/endpoints/quick_lookup (signature)")]
ratios = []
for r in rounds:
    for key, label in labels:
        rps, p50, p99, bad, total, cpu, database, client = rows[f"{key}{r}"]
        print("%-6d%-48s%9.0f%9.0f%9.0f%8s%21.1f%11.1f%5.1f" % (
            r, label, float(rps), float(p50), float(p99), bad, float(cpu), float(database), float(client)))
    ratios.append(float(rows[f"signed{r}"][0]) / float(rows[f"key{r}"][0]))
median = lambda key, i: statistics.median(float(rows[f"{key}{r}"][i]) for r in rounds)
print(f"median req/s: live {median('live', 0):.0f}, key {median('key', 0):.0f}, signature {median('signed', 0):.0f}; "
      f"p99 us: live {median('live', 2):.0f}, key {median('key', 2):.0f}, signature {median('signed', 2):.0f}")
cost = lambda key: sum(median(key, i) for i in (5, 6, 7))
print(f"median CPU us per request (server + PostgreSQL + wrk): key {cost('key'):.0f}, signature {cost('signed'):.0f}; "
      f"signature extra: server {median('signed', 5) - median('key', 5):+.1f}, "
      f"PostgreSQL {median('signed', 6) - median('key', 6):+.1f}, wrk {median('signed', 7) - median('key', 7):+.1f}")
print(f"ratio signature / key throughput: {statistics.median(ratios):.2f} (rounds {', '.join(f'{x:.2f}' for x in ratios)}); "
      f"key / live {median('key', 0) / median('live', 0):.2f}")
PY
