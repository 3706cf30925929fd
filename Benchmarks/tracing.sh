#!/usr/bin/env bash
# Cost of tracing on the execute path: three `bifrost serve` on one PostgreSQL, tracing off, on at 1 % sampling and
# on at 100 % (spans exported over OTLP/HTTP to a loopback sink that reads and discards them), measured
# alternately with wrk (`POST /api/workflows/quick_lookup/execute`, an organisation's API key), `rounds` times.
# Prints runs/s and server CPU per run of each, and the medians' ratios against tracing off.
# Usage: Benchmarks/tracing.sh [path/to/bifrost] [seconds] [connections] [rounds]
#        (build first: swift build -c release --product bifrost; installs wrk with apt-get if missing)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
binary="$(realpath "${1:-$repo/.build/release/bifrost}")"
seconds="${2:-10}"
connections="${3:-32}"
rounds="${4:-3}"
source "$repo/Benchmarks/common.sh"

# The collector: accepts every export, reads it, answers 200 with an empty protobuf response.
cat > "$work/sink.py" <<'PY'
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass
server = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
print(server.server_address[1], flush=True)
server.serve_forever()
PY
python3 -u "$work/sink.py" > "$work/sink.port" 2>/dev/null &
sink=$!
trap 'kill -TERM "$server" "$sink" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
until [ -s "$work/sink.port" ]; do sleep 0.05; done
endpoint="http://127.0.0.1:$(cat "$work/sink.port")/v1/traces"
database_url=$(python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print(f\"postgres://{s['username']}:{s['password']}@127.0.0.1:{s['port']}/bifrost\")" "$work/.bifrost/database.json")

# start_traced RATIO: another server on the same database, tracing at RATIO; prints "pid port".
start_traced() {
  local ratio=$1 traced_port
  traced_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  BIFROST_DATABASE_URL="$database_url" BIFROST_MASTER_KEY_FILE="$work/.bifrost/keys/master.key" \
    BIFROST_DATA_DIRECTORY="$work/traced-$ratio" BIFROST_TRACING_ENABLED=true BIFROST_TRACING_ENDPOINT="$endpoint" \
    BIFROST_TRACING_SAMPLE_RATIO="$ratio" \
    "$binary" serve --http-port "$traced_port" --log-level error --policies-directory "$work/policies" \
    --workflows-max-concurrent-runs 10000 --workflows-max-concurrent-runs-per-organization 10000 \
    >"$work/server-$ratio.log" 2>&1 &
  local pid=$!
  until curl -fs -o /dev/null "http://127.0.0.1:$traced_port/health/ready"; do
    kill -0 "$pid" 2>/dev/null || { cat "$work/server-$ratio.log" >&2; exit 1; }
    sleep 0.05
  done
  echo "$pid $traced_port"
}
read -r sampled_pid sampled_port < <(start_traced 0.01)
read -r full_pid full_port < <(start_traced 1)
trap 'kill -TERM "$server" "$sampled_pid" "$full_pid" "$sink" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

cat > "$work/execute.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"input": {"id": "42"}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Bifrost-Key"] = "$key"
LUA

# measure NAME PID PORT: "name rps p99_us server_us_per_request"
measure() {
  local name=$1 pid=$2 target=$3 before after
  before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$work/execute.lua" \
    "http://127.0.0.1:$target/api/workflows/quick_lookup/execute" > "$work/$name.txt"
  after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  python3 - "$name" "$work/$name.txt" "$((after - before))" "$(getconf CLK_TCK)" <<'PY'
import re, sys
name, text, ticks, hertz = sys.argv[1], open(sys.argv[2]).read(), int(sys.argv[3]), int(sys.argv[4])
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
total = int(re.search(r"(\d+) requests in", text).group(1))
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
m = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
p99 = float(m.group(1)) * {"us": 1, "ms": 1000, "s": 1e6}[m.group(2)]
print(f"{name} {rps:.0f} {p99:.0f} {ticks / hertz * 1e6 / max(total, 1):.1f} {bad.group(1) if bad else 0}")
PY
}

for target in "$port" "$sampled_port" "$full_port"; do  # warm-up
  wrk -t2 -c"$connections" -d2s -s "$work/execute.lua" "http://127.0.0.1:$target/api/workflows/quick_lookup/execute" >/dev/null
done
: > "$work/results.txt"
for round in $(seq "$rounds"); do
  measure "off$round" "$server" "$port" >> "$work/results.txt"
  measure "sampled$round" "$sampled_pid" "$sampled_port" >> "$work/results.txt"
  measure "full$round" "$full_pid" "$full_port" >> "$work/results.txt"
done
python3 - "$work/results.txt" <<'PY'
import statistics, sys
rows = {l.split()[0]: l.split()[1:] for l in open(sys.argv[1]).read().strip().splitlines()}
rounds = sorted({int(k.lstrip("ofsampledul")) for k in rows})
labels = {"off": "tracing off", "sampled": "tracing on, 1 % sampled", "full": "tracing on, 100 % sampled"}
print("%-6s%-28s%10s%10s%14s%9s" % ("round", "gateway", "runs/s", "p99 us", "CPU us/run", "non-2xx"))
for r in rounds:
    for mode in labels:
        rps, p99, cpu, bad = rows[f"{mode}{r}"]
        print("%-6d%-28s%10s%10s%14s%9s" % (r, labels[mode], rps, p99, cpu, bad))
median = lambda mode, i: statistics.median(float(rows[f"{mode}{r}"][i]) for r in rounds)
for mode in ["sampled", "full"]:
    ratios = [float(rows[f"{mode}{r}"][0]) / float(rows[f"off{r}"][0]) for r in rounds]
    print(f"{labels[mode]}: median {median(mode, 0):.0f} runs/s against {median('off', 0):.0f} off, "
          f"throughput ratio {statistics.median(ratios):.3f} (rounds {', '.join(f'{x:.3f}' for x in ratios)}), "
          f"CPU per run {median(mode, 2):.1f} us against {median('off', 2):.1f} us "
          f"({median(mode, 2) / median('off', 2):.3f})")
PY
