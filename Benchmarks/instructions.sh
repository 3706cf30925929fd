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
# Two workarounds for valgrind 3.19, both outside the measured code: valgrind cannot read the DWARF 5 of a Swift
# release build, so the server runs from a copy without debug sections (symbols stay, for callgrind_annotate);
# and it crashes when libdispatch parks the main thread in sigsuspend with a mask in read-only memory, so a
# preloaded sigsuspend copies the mask first.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
original="$(realpath "${1:-$repo/.build/release/bifrost}")"
count="${2:-1000}"
seconds=1
connections=1
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind; }

tools="$repo/.build/instructions"
mkdir -p "$tools"
cat > "$tools/sigsuspend.c" <<'C'
#define _GNU_SOURCE
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>
int sigsuspend(const sigset_t *mask) {
    sigset_t copy = *mask;
    return (int)syscall(SYS_rt_sigsuspend, &copy, _NSIG / 8);
}
C
cc -shared -fPIC -O2 "$tools/sigsuspend.c" -o "$tools/sigsuspend.so"
binary="$tools/bifrost"
objcopy --strip-debug "$original" "$binary"

server_prefix=(env LD_PRELOAD="$tools/sigsuspend.so" valgrind --tool=callgrind --instr-atstart=no
  --callgrind-out-file="$tools/callgrind.out" --trace-children=no)
rm -f "$tools"/callgrind.out*
source "$repo/Benchmarks/common.sh"
secret=$(curl -fs -X POST -H "Authorization: Bearer $jwt" -H "X-Organization-Id: $org" \
  "$base/api/endpoints/quick_lookup/secrets" | json secret)

# send KIND COUNT: sends COUNT requests of KIND one after another and fails on any answer but 2xx; prints the
# seconds they took.
send() {
  python3 - "$port" "$1" "$2" "$key" "$secret" <<'PY'
import base64, hashlib, hmac, http.client, sys, time, uuid
port, kind, count, key, secret = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
signing_key = base64.b64decode(secret.removeprefix("whsec_"))
connection = http.client.HTTPConnection("127.0.0.1", port)
start = time.monotonic()
for _ in range(count):
    headers = {"Content-Type": "application/json"}
    if kind == "health":
        method, path, body = "GET", "/health/live", None
    elif kind == "execute":
        method, path, body = "POST", "/api/workflows/quick_lookup/execute", b'{"input": {"id": "42"}}'
        headers["X-Bifrost-Key"] = key
    else:
        method, path, body = "POST", "/api/endpoints/quick_lookup", b'{"id": "42"}'
        if kind == "key":
            headers["X-Bifrost-Key"] = key
        else:
            message, now = f"msg_{uuid.uuid4().hex}", str(int(time.time()))
            mac = hmac.new(signing_key, f"{message}.{now}.".encode() + body, hashlib.sha256).digest()
            headers.update({"webhook-id": message, "webhook-timestamp": now,
                            "webhook-signature": "v1," + base64.b64encode(mac).decode()})
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    if not 200 <= response.status < 300:
        sys.exit(f"{kind}: HTTP {response.status}")
print(f"{time.monotonic() - start:.3f}")
PY
}

# count KIND: zeroes the counters, counts COUNT requests of KIND, dumps, prints "kind instructions seconds".
measure() {
  send "$1" 200 >/dev/null
  callgrind_control --zero "$server" >/dev/null
  callgrind_control --instr=on "$server" >/dev/null
  local took
  took=$(send "$1" "$count")
  callgrind_control --instr=off "$server" >/dev/null
  callgrind_control --dump="$1" "$server" >/dev/null
  local dump
  dump=$(ls -t "$tools"/callgrind.out* | head -1)
  echo "$1 $(awk '/^totals:/ {print $2; exit}' "$dump") $took $dump"
}

: > "$work/counts.txt"
for kind in health execute key signature; do
  measure "$kind" >> "$work/counts.txt"
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
