# Shared by the benchmark scripts: start one `bifrost serve` (embedded database, rate limits out of the way)
# and run wrk against it. Source it after setting `binary`, `seconds` and `connections` (and, to run the server
# under another program such as valgrind, `server_prefix`: an array of the command words that go before it).
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }

work=$(mktemp -d)
trap 'kill -TERM "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$work"' EXIT
mkdir "$work/policies"
cp "$repo/Policies/roles.yaml" "$work/policies/"
# Limits high enough not to interfere: the benchmarks measure the gateway, not rate limiting.
printf 'api_key: {per_second: 1000000, burst: 1000000}\nuser: {per_second: 1000000, burst: 1000000}\norganization: {per_second: 1000000, burst: 1000000}\nanonymous: {per_second: 1000000, burst: 1000000}\n' \
  > "$work/policies/rate-limits.yaml"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"

cd "$work"
BIFROST_BOOTSTRAP_ADMIN_EMAIL=bench@example.com BIFROST_BOOTSTRAP_ADMIN_PASSWORD='benchmark password' \
  ${server_prefix[@]+"${server_prefix[@]}"} "$binary" serve --http-port "$port" --log-level error --policies-directory "$work/policies" \
  --workflows-max-concurrent-runs 10000 --workflows-max-concurrent-runs-per-organization 10000 \
  >"$work/server.log" 2>&1 &
server=$!
until curl -fs -o /dev/null "$base/health/ready"; do
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.05
done

jwt=$(curl -fs -H 'Content-Type: application/json' -d '{"email":"bench@example.com","password":"benchmark password"}' \
  "$base/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

# An organisation and an org_admin API key of it, for the runs the benchmarks send: $org and $key.
json() { python3 -c "import json,sys; print(json.load(sys.stdin)[\"$1\"])"; }
org=$(curl -fs -H "Authorization: Bearer $jwt" -H 'Content-Type: application/json' -d '{"name":"Bench Org"}' \
  "$base/api/organizations" | json id)
key=$(curl -fs -H "Authorization: Bearer $jwt" -H "X-Organization-Id: $org" -H 'Content-Type: application/json' \
  -d '{"name":"bench","role":"org_admin"}' "$base/api/api-keys" | json key)

# CPU time the server has used so far (user + system, all threads), in clock ticks.
server_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }

# CPU time all PostgreSQL processes on this machine have used so far, in clock ticks (the embedded cluster's).
database_ticks() {
  local total=0 pid
  for pid in $(pgrep -x postgres || true); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

# run NAME WRK-ARGUMENTS…: prints "name rps p50_us p99_us non2xx requests server_us database_us client_us", the
# last three being CPU time per request of the server, of PostgreSQL and of wrk (on a shared machine all three
# compete for the same cores, so a cost in any of them lowers the throughput).
run() {
  local name=$1; shift
  local server_before database_before server_after database_after TIMEFORMAT='%U %S'
  server_before=$(server_ticks); database_before=$(database_ticks)
  { time wrk -t2 -c"$connections" -d"${seconds}s" --latency "$@" > "$work/$name.txt"; } 2> "$work/$name.time"
  server_after=$(server_ticks); database_after=$(database_ticks)
  python3 - "$name" "$work/$name.txt" "$((server_after - server_before))" "$((database_after - database_before))" \
    "$(getconf CLK_TCK)" "$work/$name.time" <<'PY'
import re, sys
name, path, server, database, hertz = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
client = sum(float(x) for x in open(sys.argv[6]).read().split())
text = open(path).read()
def micros(label):
    m = re.search(r"^\s+%s\s+([\d.]+)(us|ms|s)\s*$" % label, text, re.M)
    value, unit = float(m.group(1)), m.group(2)
    return value * {"us": 1, "ms": 1000, "s": 1e6}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
total = int(re.search(r"(\d+) requests in", text).group(1))
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
per_request = lambda seconds: seconds * 1e6 / max(total, 1)
print(f"{name} {rps:.0f} {micros('50%'):.0f} {micros('99%'):.0f} {non2xx.group(1) if non2xx else 0} {total} "
      f"{per_request(server / hertz):.1f} {per_request(database / hertz):.1f} {per_request(client):.1f}")
PY
}
