# Shared by Benchmarks/instructions.sh and floor.sh: count with callgrind the instructions a server executes per
# request. `callgrind_copy` makes the copy of a release binary valgrind 3.19 can read, `callgrind_prefix` runs a
# server under callgrind with instrumentation off, and `measure` counts `count` requests of one kind sent one
# after another on one keep-alive connection. Source it after setting `repo` and `count`.
#
# Two workarounds for valgrind 3.19, both outside the measured code: valgrind cannot read the DWARF 5 of a Swift
# release build, so servers run from a copy without debug sections (symbols stay, for callgrind_annotate); and it
# crashes when libdispatch parks the main thread in sigsuspend with a mask in read-only memory, so a preloaded
# sigsuspend copies the mask first.
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
rm -f "$tools"/callgrind.out*

# callgrind_copy BINARY: prints the path of a copy of BINARY without debug sections.
callgrind_copy() {
  local copy
  copy="$tools/$(basename "$1")"
  objcopy --strip-debug "$1" "$copy"
  echo "$copy"
}

# The words that run a server under callgrind, instrumentation off until `measure` turns it on.
callgrind_prefix=(env LD_PRELOAD="$tools/sigsuspend.so" valgrind --tool=callgrind --instr-atstart=no
  --callgrind-out-file="$tools/callgrind.out.%p" --trace-children=no)

# send PORT KIND COUNT: sends COUNT requests of KIND to the server on PORT one after another and fails on any
# answer but 2xx; prints the seconds they took. Kinds: health, execute, key, signature (bifrost), run (floor-bench).
send() {
  python3 - "$1" "$2" "$3" "${key:-}" "${secret:-}" <<'PY'
import base64, hashlib, hmac, http.client, sys, time, uuid
port, kind, count, key, secret = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
signing_key = base64.b64decode(secret.removeprefix("whsec_")) if secret else b""
connection = http.client.HTTPConnection("127.0.0.1", port)
start = time.monotonic()
for _ in range(count):
    headers = {"Content-Type": "application/json"}
    if kind == "health":
        method, path, body = "GET", "/health/live", None
    elif kind == "run":
        method, path, body = "POST", "/run", b'{"input": {"id": "42"}}'
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

# measure PID PORT KIND: warms up, zeroes the counters of the server PID, counts `count` requests of KIND sent to
# PORT, dumps; prints "kind instructions seconds dump".
measure() {
  local pid=$1 port=$2 kind=$3
  send "$port" "$kind" 200 >/dev/null
  callgrind_control --zero "$pid" >/dev/null
  callgrind_control --instr=on "$pid" >/dev/null
  local took
  took=$(send "$port" "$kind" "$count")
  callgrind_control --instr=off "$pid" >/dev/null
  callgrind_control --dump="$kind" "$pid" >/dev/null
  local dump
  dump=$(ls -t "$tools"/callgrind.out* | head -1)
  echo "$kind $(awk '/^totals:/ {print $2; exit}' "$dump") $took $dump"
}

