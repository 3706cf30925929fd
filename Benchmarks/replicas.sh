#!/usr/bin/env bash
# Several stateless `bifrost serve` replicas on one PostgreSQL, in one run: 1, 2, … `replicas` processes, each
# with its own port and working directory, all with the same database.url and master key (the signing keys live in
# the database, as docs/deployment.md deploys them). PostgreSQL is one cluster made for the run (initdb and pg_ctl, as the
# `postgres` account when run as root, with the embedded cluster's settings: PostgreSQL's defaults). With N
# replicas running it measures:
#   execute: POST /api/workflows/quick_lookup/execute with an organisation's API key, driven by one wrk per
#            replica at once (one thread each, `connections` split between them), `seconds` per round, `rounds`
#            rounds; req/s is the sum over the replicas, the median over the rounds. Over all the rounds:
#            PostgreSQL's CPU (postmaster, reaped and live backends) and the WAL written (pg_current_wal_lsn),
#            per recorded run (wrk does not count the runs in flight when it stops); the replicas' CPU too.
#   queued:  `queued` runs of the same workflow with {"mode": "async"} (answered 202), enqueued through every
#            replica at once (Benchmarks/queue_bench.py http-enqueue, 8 keep-alive connections in all), run by
#            the replicas' job workers (workflows.workers, 4 by default). runs/s = runs / (last finished - first
#            enqueued), from the executions rows. A statement trigger on executions, present during this phase
#            only, counts the claims (bifrost_claim_jobs), the empty ones, and the runs each replica claimed (counted at
#            the claim, which also works for builds before finished rows kept their owner); it writes nothing for an empty claim.
# Before each measured window the database is vacuumed and checkpointed, so every N starts from the same state.
# At the end: the size of the executions table and its indexes per row. With REPLICAS_WALDUMP=1 set, the WAL
# records of each measured window by type (pg_waldump --stats=record) are printed before the table.
# On a small machine the replicas, PostgreSQL and the load generators share the same cores: more replicas
# cannot add throughput there, and the cost per run (CPU, WAL) is what carries over to a bigger deployment
# (docs/scaling.md).
# Usage: Benchmarks/replicas.sh [path/to/bifrost] [seconds] [connections] [rounds] [queued] [replicas]
#        (defaults: .build/release/bifrost 10 32 3 4000 3, about 2 minutes; build first: swift build -c release
#        --product bifrost; installs wrk with apt-get, asyncpg and uvloop with pip if missing; needs PostgreSQL's
#        initdb, pg_ctl, pg_waldump and psql)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
binary="$(realpath "${1:-$repo/.build/release/bifrost}")"
seconds="${2:-10}"
connections="${3:-32}"
rounds="${4:-3}"
queued="${5:-4000}"
replicas="${6:-3}"
clients=8  # enqueueing connections, in all
((connections >= replicas)) || { echo "connections must be at least replicas" >&2; exit 2; }
((queued >= replicas && clients >= replicas)) ||
  { echo "queued must be at least replicas, and replicas at most $clients" >&2; exit 2; }
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
python3 -c "import asyncpg, uvloop" 2>/dev/null || python3 -m pip install -q asyncpg uvloop
postgres_bin=$(dirname "$(realpath "$(command -v initdb 2>/dev/null ||
  ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")")
started_at=$(date +%s)
cpu_at_start=$(head -1 /proc/stat)  # the steal column shows a virtual machine's host taking the cores away

work=$(mktemp -d)
chmod 711 "$work"  # the cluster's folder below must be reachable by the postgres account
pgdir="$work/postgres"
pgdata="$pgdir/data"
servers=()
ports=()
cleanup() {
  local pid
  for pid in "${servers[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${servers[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -f "$pgdata/postmaster.pid" ]; then
    as_postgres "$postgres_bin/pg_ctl" stop -D "$pgdata" -m fast -w >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# One PostgreSQL for every replica, set up as the embedded cluster is (scram-sha-256, UTF8, locale C, defaults).
mkdir -p "$pgdir"
password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
printf '%s' "$password" > "$pgdir/password"
[ "$(id -u)" != 0 ] || chown -R postgres "$pgdir"
chmod 700 "$pgdir"
as_postgres "$postgres_bin/initdb" -D "$pgdata" -U bifrost --pwfile "$pgdir/password" --auth scram-sha-256 \
  --encoding UTF8 --locale C --no-instructions >"$work/initdb.log" 2>&1 || { cat "$work/initdb.log" >&2; exit 1; }
rm -f "$pgdir/password"
pgport=$(free_port)
max_connections=$((20 * replicas + 20 > 100 ? 20 * replicas + 20 : 100))  # 20 per replica (the default pool)
as_postgres "$postgres_bin/pg_ctl" start -D "$pgdata" -l "$pgdir/server.log" -w -t 60 \
  -o "-c port=$pgport -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=$max_connections" \
  >/dev/null
postmaster=$(head -1 "$pgdata/postmaster.pid")
psql "postgresql://bifrost:$password@127.0.0.1:$pgport/postgres" -qAt -c "CREATE DATABASE bifrost"
dsn="postgresql://bifrost:$password@127.0.0.1:$pgport/bifrost?sslmode=disable"
sql() { psql "$dsn" -qAt -v ON_ERROR_STOP=1 -c "$1"; }

# What every replica shares: the master key, and policies with rate limits out of the way.
(umask 077
 openssl rand -base64 32 > "$work/master.key")
mkdir "$work/policies"
cp "$repo/Policies/roles.yaml" "$work/policies/"
cat > "$work/policies/rate-limits.yaml" <<'YAML'
api_key: {per_second: 1000000, burst: 1000000}
user: {per_second: 1000000, burst: 1000000}
organization: {per_second: 1000000, burst: 1000000}
anonymous: {per_second: 1000000, burst: 1000000}
YAML

# start_replica I: starts replica I in its own folder and returns once it answers /health/ready.
start_replica() {
  local i=$1 port pid
  port=$(free_port)
  mkdir "$work/r$i"
  (cd "$work/r$i" && BIFROST_DATABASE_URL="$dsn" BIFROST_MASTER_KEY_FILE="$work/master.key" \
    BIFROST_BOOTSTRAP_ADMIN_EMAIL=bench@example.com BIFROST_BOOTSTRAP_ADMIN_PASSWORD='benchmark password' \
    exec "$binary" serve --http-port "$port" --log-level error --policies-directory "$work/policies" \
      --workflows-max-concurrent-runs 10000 --workflows-max-concurrent-runs-per-organization 10000 \
      >"$work/r$i/server.log" 2>&1) &
  pid=$!
  servers+=("$pid")
  ports+=("$port")
  until curl -fs -o /dev/null "http://127.0.0.1:$port/health/ready"; do
    kill -0 "$pid" 2>/dev/null || { echo "replica $i did not start:" >&2; cat "$work/r$i/server.log" >&2; exit 1; }
    sleep 0.05
  done
}

ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# CPU of this run's cluster: the postmaster with its reaped children (fields 16, 17) and the backends alive now.
cluster_ticks() {
  local total pid
  total=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$postmaster/stat")
  for pid in $(pgrep -P "$postmaster" || true); do total=$((total + $(ticks "$pid"))); done
  echo "$total"
}
server_ticks() {
  local total=0 pid
  for pid in "${servers[@]}"; do total=$((total + $(ticks "$pid"))); done
  echo "$total"
}
# "database_ticks server_ticks wal_lsn": read before and after a measured window.
snapshot() { echo "$(cluster_ticks) $(server_ticks) $(sql "SELECT pg_current_wal_lsn()")"; }
# cost KIND N BEFORE…: appends "cost KIND N database_ticks server_ticks wal_bytes".
cost() {
  local kind=$1 n=$2 db0=$3 srv0=$4 lsn0=$5 db1 srv1 lsn1
  sleep 1  # runs answered at the end of the window are still being written
  read -r db1 srv1 lsn1 <<<"$(snapshot)"
  if [ -n "${REPLICAS_WALDUMP:-}" ]; then
    { echo "WAL records of $kind, $n replicas:"
      as_postgres "$postgres_bin/pg_waldump" -p "$pgdata/pg_wal" -s "$lsn0" -e "$lsn1" --stats=record; } \
      >"$work/waldump-$kind-$n.txt" 2>&1 || true
  fi
  echo "cost $kind $n $((db1 - db0)) $((srv1 - srv0)) $(sql "SELECT pg_wal_lsn_diff('$lsn1', '$lsn0')::bigint")" \
    >>"$work/results.txt"
}

start_replica 1
base="http://127.0.0.1:${ports[0]}"
json() { python3 -c "import json,sys; print(json.load(sys.stdin)[\"$1\"])"; }
jwt=$(curl -fs -H 'Content-Type: application/json' -d '{"email":"bench@example.com","password":"benchmark password"}' \
  "$base/auth/login" | json access_token)
org=$(curl -fs -H "Authorization: Bearer $jwt" -H 'Content-Type: application/json' -d '{"name":"Bench Org"}' \
  "$base/api/organizations" | json id)
key=$(curl -fs -H "Authorization: Bearer $jwt" -H "X-Organization-Id: $org" -H 'Content-Type: application/json' \
  -d '{"name":"bench","role":"org_admin"}' "$base/api/api-keys" | json key)
# execute_script ID: the wrk script of one run of quick_lookup with input id ID.
execute_script() {
  cat > "$work/execute-$1.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"input": {"id": "$1"}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Bifrost-Key"] = "$key"
LUA
}
: >"$work/results.txt"

# drive N SECONDS ID OUT: one wrk per replica at once, the connections split between them.
drive() {
  local n=$1 duration=$2 id=$3 out=$4 i pids=()
  for ((i = 0; i < n; i++)); do
    wrk -t1 -c$((connections / n + (i < connections % n ? 1 : 0))) -d"${duration}s" -s "$work/execute-$id.lua" \
      "http://127.0.0.1:${ports[i]}/api/workflows/quick_lookup/execute" >"$out.$((i + 1))" &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i"; done
}

for ((n = 1; n <= replicas; n++)); do
  ((n == 1)) || start_replica "$n"
  execute_script "w$n" && execute_script "x$n"  # warm-up and measured runs of N replicas tell apart by their input
  drive "$n" 2 "w$n" "$work/warm-up$n"  # new connections, prepared statements, caches
  sql "VACUUM ANALYZE" && sql CHECKPOINT
  before=$(snapshot)
  for round in $(seq "$rounds"); do
    drive "$n" "$seconds" "x$n" "$work/execute$n.$round"
    for ((i = 1; i <= n; i++)); do echo "wrk $n $round $i $work/execute$n.$round.$i" >>"$work/results.txt"; done
  done
  cost execute "$n" $before
  # wrk counts the answers it read; runs still in flight when it stopped are recorded too: the cost is per
  # recorded run.
  echo "recorded $n $(sql "SELECT count(*), count(*) FILTER (WHERE status = 'Success') FROM executions
    WHERE workflow = 'quick_lookup' AND input->>'id' = 'x$n'" | tr '|' ' ')" >>"$work/results.txt"

  # Queued runs, enqueued through every replica. A statement trigger counts each claim (bifrost_claim_jobs, found
  # by the client's statement text) and the runs it took, by replica (counted at the claim, which also works for builds before finished rows kept their owner).
  # An empty claim only advances an unlogged sequence: writing a row would give its transaction an id, and so a
  # commit record and a WAL flush that the claim does not cost on its own.
  sql "CREATE UNLOGGED TABLE bench_claims (owner uuid, runs bigint);
       CREATE UNLOGGED SEQUENCE bench_empty_claims;
       CREATE FUNCTION bench_count_claims() RETURNS trigger LANGUAGE plpgsql AS \$\$BEGIN
         IF current_query() LIKE '%bifrost_claim_jobs%' THEN
           IF EXISTS (SELECT FROM changed) THEN
             INSERT INTO bench_claims SELECT (array_agg(owner_instance))[1], count(*) FROM changed;
           ELSE
             PERFORM nextval('bench_empty_claims');
           END IF;
         END IF;
         RETURN NULL; END\$\$;
       CREATE TRIGGER bench_count_claims AFTER UPDATE ON executions REFERENCING NEW TABLE AS changed
         FOR EACH STATEMENT EXECUTE FUNCTION bench_count_claims();"
  sql "VACUUM ANALYZE" && sql CHECKPOINT
  sql "TRUNCATE bench_claims; SELECT setval('bench_empty_claims', 1, false)" >/dev/null  # the idle polls so far
  before=$(snapshot)
  pids=()
  for ((i = 0; i < n; i++)); do
    python3 "$repo/Benchmarks/queue_bench.py" http-enqueue "http://127.0.0.1:${ports[i]}" "$key" "q$n-r$((i + 1))" \
      $((queued / n + (i < queued % n ? 1 : 0))) $((clients / n + (i < clients % n ? 1 : 0))) \
      >"$work/enqueue$n.$((i + 1))" &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i"; done
  python3 "$repo/Benchmarks/queue_bench.py" wait "$dsn" bifrost "q$n"  # polls one connection, 5 times a second
  cost queued "$n" $before
  echo "queued $n $(sql "SELECT count(*), count(*) FILTER (WHERE status = 'Success'),
      extract(epoch FROM max(finished_at) - min(created_at))
    FROM executions WHERE workflow = 'quick_lookup' AND starts_with(input->>'id', 'q$n-')" | tr '|' ' ')" \
    >>"$work/results.txt"
  # Replicas registered in start order (each was ready before the next started).
  echo "claims $n $(sql "SELECT (SELECT count(*) FROM bench_claims) + empty || ' ' || empty
    FROM (SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS empty FROM bench_empty_claims) e")" \
    "$(sql "WITH replica AS (SELECT id, row_number() OVER (ORDER BY started_at) AS number FROM gateway_instances)
    SELECT string_agg(number || ':' || runs, ' ' ORDER BY number)
    FROM (SELECT owner, sum(runs) AS runs FROM bench_claims GROUP BY owner) c
    JOIN replica ON replica.id = c.owner")" >>"$work/results.txt"
  sql "DROP TRIGGER bench_count_claims ON executions; DROP FUNCTION bench_count_claims(); DROP TABLE bench_claims;
       DROP SEQUENCE bench_empty_claims;"
done

sql "VACUUM executions"
echo "size $(sql "SELECT count(*), pg_relation_size('executions'), pg_indexes_size('executions') FROM executions" |
  tr '|' ' ')" >>"$work/results.txt"
[ -z "${REPLICAS_WALDUMP:-}" ] || cat "$work"/waldump-*.txt
python3 - "$work/results.txt" "$(getconf CLK_TCK)" "$seconds" "$connections" "$rounds" "$queued" \
  "$(sql 'SHOW server_version')" "$(nproc)" "$(($(date +%s) - started_at))" "$cpu_at_start" "$(head -1 /proc/stat)" \
  <<'PY'
import re, statistics, sys
path, hertz, seconds, connections, rounds, queued, version, cores, elapsed, cpu0, cpu1 = sys.argv[1:]
cpu = [b - a for a, b in zip((int(x) for x in cpu0.split()[1:]), (int(x) for x in cpu1.split()[1:]))]
busy = sum(cpu[:3]) + sum(cpu[4:8])  # user nice system, irq softirq steal (guest time is within user)
hertz = int(hertz)
wrk, cost, queue, claims, recorded, size = {}, {}, {}, {}, {}, None
for line in open(path).read().strip().splitlines():
    kind, *rest = line.split()
    if kind == "wrk":
        n, round_, replica, file = int(rest[0]), int(rest[1]), int(rest[2]), rest[3]
        text = open(file).read()
        sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
        wrk.setdefault(n, {}).setdefault(round_, []).append(dict(
            rps=float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
            requests=int(re.search(r"(\d+) requests in", text).group(1)),
            non2xx=int(non2xx.group(1)) if non2xx else 0,
            sockets=sum(int(x) for x in sockets.groups()) if sockets else 0))
    elif kind == "cost":
        cost[rest[0], int(rest[1])] = [int(x) for x in rest[2:]]
    elif kind == "queued":
        queue[int(rest[0])] = (int(rest[1]), int(rest[2]), float(rest[3]))
    elif kind == "claims":
        claims[int(rest[0])] = (int(rest[1]), int(rest[2]), " ".join(rest[3:]))
    elif kind == "size":
        size = [int(x) for x in rest]
    elif kind == "recorded":
        recorded[int(rest[0])] = (int(rest[1]), int(rest[2]))

def per_run(kind, n, runs):
    database, server, wal = cost[kind, n]
    return dict(database=database / hertz * 1e6 / runs, server=server / hertz * 1e6 / runs, wal=wal / runs)

print(f"{cores} cores, PostgreSQL {version}; execute: {connections} connections split over the replicas, "
      f"{rounds} x {seconds} s; queued: {queued} runs")
print("%-9s%14s%8s%18s%15s%15s" % ("replicas", "execute req/s", "ratio", "PG CPU us/run", "WAL bytes/run",
      "queued runs/s"))
rows, details, problems = {}, [], []
for n in sorted(wrk):
    rounds_ = wrk[n].values()
    totals = [sum(w["rps"] for w in ws) for ws in rounds_]
    answered = sum(w["requests"] - w["non2xx"] for ws in rounds_ for w in ws)
    non2xx = sum(w["non2xx"] for ws in rounds_ for w in ws)
    sockets = sum(w["sockets"] for ws in rounds_ for w in ws)
    runs, runs_ok = recorded[n]
    if runs_ok != runs or runs < answered:
        problems.append(f"{n} replicas: {answered} runs answered 2xx, {runs} recorded, {runs_ok} Success")
    execute = per_run("execute", n, max(runs, 1))
    jobs, jobs_ok, span = queue[n]
    job = per_run("queued", n, max(jobs, 1))
    rows[n] = statistics.median(totals)
    print("%-9d%14.0f%8.2f%18.0f%15.0f%15.0f" % (n, rows[n], rows[n] / rows[min(rows)], execute["database"],
          execute["wal"], jobs / span))
    shares = [statistics.median(ws[i]["rps"] for ws in rounds_) for i in range(n)]
    details.append(
        f"{n}: execute: rounds {', '.join(f'{t:.0f}' for t in totals)} req/s; per replica (median) "
        f"{', '.join(f'{s:.0f}' for s in shares)}; non-2xx {non2xx}, socket errors {sockets}; {answered} answered, "
        f"{runs} recorded ({runs_ok} Success); replicas' CPU {execute['server']:.0f} us/run\n"
        f"   queued: {jobs} runs ({jobs_ok} Success) in {span:.2f} s; claimed by replica {claims[n][2] or '-'} in "
        f"{claims[n][0]} claims ({claims[n][1]} of them empty); "
        f"PG CPU {job['database']:.0f} us/run, replicas' CPU {job['server']:.0f} us/run, WAL {job['wal']:.0f} "
        f"bytes/run")
print("\n".join(details))
print(f"executions after the run: {size[0]} rows; per row, {size[1] / size[0]:.0f} bytes of table and "
      f"{size[2] / size[0]:.0f} of indexes")
total = max(sum(cpu[:8]), 1)
print(f"took {int(elapsed) // 60} min {int(elapsed) % 60} s; the machine's cores were {busy / total:.0%} busy, "
      f"{cpu[7] / total:.1%} of their time taken by the host (steal)")
problems += [f"{n} replicas: {jobs_ok} of {jobs} queued runs Success, {queued} enqueued" for n, (jobs, jobs_ok, _)
             in queue.items() if jobs != jobs_ok or jobs != int(queued)]
if problems:
    sys.exit("; ".join(problems))
PY
