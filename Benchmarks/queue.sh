#!/usr/bin/env bash
# Bifrost's PostgreSQL job queue against pgqueuer (PyPI), in one run, on one PostgreSQL: the embedded cluster of
# one `bifrost serve` (pgqueuer's tables go in schema `pgqueuer` of the same database), with the same worker
# concurrency. Each system runs three phases of no-op jobs (live, paced, drain; the systems take turns):
#   live:   `jobs` jobs; the workers are running; `clients` producers enqueue one job per call as fast as they
#           can. completed/s = jobs / (last finished - first enqueued); workers' jobs/s = jobs / (last finished -
#           first started); enqueue-to-start latency = started - enqueued per job, p50 and p99. The producers
#           outrun the workers, so these latencies are mostly time spent behind the backlog.
#   paced:  `paced_jobs` jobs sent at `paced_rate` jobs/s (open loop), well below either system's capacity: the
#           latencies are the time from enqueue to claim of an idle queue.
#   drain:  `jobs` jobs enqueued while no worker may claim, then the workers are let go: workers' jobs/s is the
#           queue's own capacity, not bounded by the producers.
# Bifrost: one `bifrost serve` with workflows.workers = `workers` (the default deployment: the API and the
# workers in one process). A job is `POST /api/workflows/quick_lookup/execute` {"mode": "async"} with an
# organisation's API key, answered 202, sent over `clients` keep-alive HTTP connections by one asyncio (uvloop)
# process, as pgqueuer's producer sends its jobs over asyncpg. Times are the executions row's created_at (taken
# by the API before its insert), started_at (the claim) and finished_at (the run's end).
# For the drain phase a row trigger turns every claim into a no-op until it is dropped, so the same process (API
# and workers) serves every phase.
# Before each measured window the database is vacuumed and checkpointed, so neither system pays for the dead
# rows the other (or an earlier round) left.
# pgqueuer: a producer process enqueues one job per `Queries.enqueue` call over `clients` connections; one
# consumer process (QueueManager over an asyncpg pool, uvloop) with max_concurrent_tasks = `workers` runs a no-op
# async entrypoint. Times are the job's `queued`, `picked` and `successful` rows in pgqueuer_log, which pgqueuer
# writes in the enqueueing, claiming and completing statements (default install: durable, all tables logged).
# "complete" counts the records kept: Bifrost's row in status Success with its input and result; pgqueuer's
# log rows of a successful job (pgqueuer deletes the job's row, and its payload, once the job is done).
# CPU is per 1,000 jobs: the Bifrost process (API and workers) or pgqueuer's consumer, the enqueueing client
# (HTTP client or pgqueuer's producer), and this benchmark's PostgreSQL cluster (postmaster and all backends).
# The phases run `rounds` times; with more than one, the medians follow, and the ratios are given per round and
# as the median (a shared 2-core machine swings by tens of per cent from one round to the next).
# Usage: Benchmarks/queue.sh [path/to/bifrost] [jobs] [workers] [clients] [paced_jobs] [paced_rate] [rounds]
#        (defaults: .build/release/bifrost 10000 8 8 2000 200 3; workers >= 2; build first: swift build -c
#        release --product bifrost; installs wrk with apt-get and pgqueuer, asyncpg with pip if missing)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
binary="$(realpath "${1:-$repo/.build/release/bifrost}")"
jobs="${2:-10000}"
workers="${3:-8}"
clients="${4:-8}"
paced_jobs="${5:-2000}"
paced_rate="${6:-200}"
rounds="${7:-3}"
# pgqueuer requires max_concurrent_tasks >= 2 x its dequeue batch, and a batch holds at least one job.
((workers >= 2)) || { echo "workers must be at least 2" >&2; exit 2; }
python3 -c "import pgqueuer, asyncpg, uvloop" 2>/dev/null || python3 -m pip install -q pgqueuer asyncpg uvloop
bench="python3 $repo/Benchmarks/queue_bench.py"

export BIFROST_WORKFLOWS_WORKERS="$workers"
source "$repo/Benchmarks/common.sh"
unset BIFROST_WORKFLOWS_WORKERS
consumer=""
stop_consumer() {
  if [ -n "$consumer" ]; then kill -TERM "$consumer" 2>/dev/null || true; wait "$consumer" 2>/dev/null || true; fi
  consumer=""
}
trap 'stop_consumer; kill -TERM "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$work"' EXIT

dsn=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))
print("postgresql://{username}:{password}@127.0.0.1:{port}/bifrost".format(**s))' "$work/.bifrost/database.json")
sql() { psql "$dsn" -qAt -v ON_ERROR_STOP=1 -c "$1"; }
export PGQUEUER_SCHEMA=pgqueuer
python3 -m pgqueuer --pg-dsn "$dsn" install >"$work/install.log" 2>&1 || { cat "$work/install.log" >&2; exit 1; }
pgqueuer_version=$(python3 -c 'import pgqueuer; print(pgqueuer.__version__)')
hertz=$(getconf CLK_TCK)

ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# CPU of this benchmark's cluster only (other PostgreSQL servers may run on the machine): the postmaster with
# its reaped children (fields 16, 17), plus the backends alive now.
postmaster=$(head -1 "$work/.bifrost/postgres/data/postmaster.pid")
cluster_ticks() {
  local total pid
  total=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$postmaster/stat")
  for pid in $(pgrep -P "$postmaster" || true); do total=$((total + $(ticks "$pid"))); done
  echo "$total"
}

# start_consumer PHASE [hold]: starts pgqueuer's consumer for entrypoint PHASE and sets $consumer; with "hold",
# returns once it is ready and waits for SIGUSR1 before it dequeues anything.
start_consumer() {
  $bench pgq-consume "$dsn" "$1" "$workers" ${2:-} >"$work/consumer.out" 2>>"$work/consumer.log" &
  consumer=$!
  if [ -n "${2:-}" ]; then
    until grep -q ready "$work/consumer.out"; do kill -0 "$consumer" || exit 1; sleep 0.05; done
  fi
}

# enqueue SYSTEM TAG COUNT CLIENTS [RATE]: prints "seconds client_cpu_seconds".
enqueue() {
  if [ "$1" = bifrost ]; then $bench http-enqueue "$base" "$key" "${@:2}"
  else $bench pgq-enqueue "$dsn" "${@:2}"; fi
}

# Claims of Bifrost's workers change nothing while this trigger exists.
hold_bifrost() {
  sql "CREATE FUNCTION bench_hold_claims() RETURNS trigger LANGUAGE plpgsql AS \$\$BEGIN RETURN NULL; END\$\$;
       CREATE TRIGGER bench_hold_claims BEFORE UPDATE ON executions FOR EACH ROW
         WHEN (OLD.status = 'Pending' AND NEW.status = 'Running') EXECUTE FUNCTION bench_hold_claims();"
}
release_bifrost() { sql 'DROP TRIGGER bench_hold_claims ON executions; DROP FUNCTION bench_hold_claims();'; }

# measure SYSTEM PHASE ROUND COUNT CLIENT_LINE PROCESS_TICKS DATABASE_TICKS: appends a line to results.txt.
measure() {
  echo "$3 $1 $2 $($bench stats "$dsn" "$1" "$2$3_$1" "$4") ${*:5}" >>"$work/results.txt"
}

# live SYSTEM PHASE ROUND COUNT [RATE]: COUNT jobs enqueued while the workers run, as fast as the clients can or
# at RATE jobs/s.
live() {
  local system=$1 phase=$2 round=$3 count=$4 rate=${5:-} tag=$2$3_$1
  local warmup=warmup  # pgqueuer's consumer runs this entrypoint besides the phase's
  if [ "$system" = bifrost ]; then warmup=warmup_$tag; else start_consumer "$tag"; fi
  # One job run to its end first: the workers are up and listening before the measured jobs arrive.
  enqueue "$system" "$warmup" 1 1 >/dev/null
  $bench wait "$dsn" "$system" "$warmup"
  sql "VACUUM ANALYZE"
  sql CHECKPOINT
  local process=$server client before_process before_database
  [ "$system" = bifrost ] || process=$consumer
  before_process=$(ticks "$process"); before_database=$(cluster_ticks)
  client=$(enqueue "$system" "$tag" "$count" "$clients" $rate)
  $bench wait "$dsn" "$system" "$tag"
  measure "$system" "$phase" "$round" "$count" "$client" $(($(ticks "$process") - before_process)) \
    $(($(cluster_ticks) - before_database))
  stop_consumer
}

# drain SYSTEM ROUND: `jobs` jobs enqueued while the workers may not claim, then let go.
drain() {
  local system=$1 round=$2 tag=drain$2_$1 client before_process before_database process=$server
  if [ "$system" = bifrost ]; then hold_bifrost; else start_consumer "$tag" hold; process=$consumer; fi
  sql "VACUUM ANALYZE"
  client=$(enqueue "$system" "$tag" "$jobs" "$clients")
  sql "VACUUM ANALYZE"
  sql CHECKPOINT
  before_process=$(ticks "$process"); before_database=$(cluster_ticks)
  # Bifrost's workers find the jobs at their next poll (within 1 s), pgqueuer's at once; the measured window
  # starts at the first claim either way.
  if [ "$system" = bifrost ]; then release_bifrost; else kill -USR1 "$consumer"; fi
  $bench wait "$dsn" "$system" "$tag"
  measure "$system" drain "$round" "$jobs" "$client" $(($(ticks "$process") - before_process)) \
    $(($(cluster_ticks) - before_database))
  stop_consumer
}

: >"$work/results.txt"
for round in $(seq "$rounds"); do
  for system in bifrost pgqueuer; do live "$system" live "$round" "$jobs"; done
  for system in bifrost pgqueuer; do live "$system" paced "$round" "$paced_jobs" "$paced_rate"; done
  for system in bifrost pgqueuer; do drain "$system" "$round"; done
done

python3 - "$work/results.txt" "$hertz" "$workers" "$clients" "$pgqueuer_version" "$paced_rate" <<'PY'
import statistics, sys
hertz, workers, clients, version, paced_rate = int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
rounds = {}
for line in open(sys.argv[1]).read().strip().splitlines():
    (round_, system, phase, count, complete, enqueue_s, end_to_end_s, workers_s, p50, p99, _, client_cpu, process,
     database) = line.split()
    jobs = int(count)
    rounds.setdefault(int(round_), {})[system, phase] = dict(
        jobs=jobs, complete=int(complete), enqueue=jobs / float(enqueue_s), completed=jobs / float(end_to_end_s),
        workers=jobs / float(workers_s), p50=float(p50), p99=float(p99), process=int(process) / hertz * 1000 / jobs,
        client=float(client_cpu) * 1000 / jobs, database=int(database) / hertz * 1000 / jobs)

print(f"{workers} workers, {clients} enqueueing clients, paced at {paced_rate} jobs/s; pgqueuer {version}")
print("%-7s%-9s%-6s%7s%9s%10s%12s%10s%8s%8s   %s" % ("round", "system", "phase", "jobs", "complete", "enqueue/s",
      "completed/s", "workers/s", "p50 ms", "p99 ms", "CPU s per 1,000 jobs: process client PostgreSQL"))

def show(label, system, phase, r):
    # A drain phase's jobs wait for the release on purpose: no end-to-end rate, no latencies, no client CPU.
    drain = phase == "drain"
    dash = lambda text: "-" if drain else text
    print("%-7s%-9s%-6s%7d%9d%10.0f%12s%10.0f%8s%8s   %7.2f %6s %10.2f" % (
        label, system, phase, r["jobs"], r["complete"], r["enqueue"], dash("%.0f" % r["completed"]), r["workers"],
        dash("%.1f" % r["p50"]), dash("%.1f" % r["p99"]), r["process"], dash("%.2f" % r["client"]), r["database"]))

for number, rows in rounds.items():
    for (system, phase), r in rows.items():
        show(str(number), system, phase, r)
if len(rounds) > 1:
    for key, first in rounds[1].items():
        median = {k: statistics.median(rows[key][k] for rows in rounds.values()) for k in first}
        median["complete"] = min(rows[key]["complete"] for rows in rounds.values())
        show("median", *key, median)

def ratios(phase, key):
    values = [rows["bifrost", phase][key] / rows["pgqueuer", phase][key] for rows in rounds.values()]
    each = f" (rounds {', '.join(f'{v:.2f}' for v in values)})" if len(values) > 1 else ""
    return f"{statistics.median(values):.2f}{each}"
print(f"Bifrost / pgqueuer completed/s, live: {ratios('live', 'completed')}; workers/s, live: "
      f"{ratios('live', 'workers')}; workers/s, drain: {ratios('drain', 'workers')}")
incomplete = [f"round {n} {system} {phase}" for n, rows in rounds.items() for (system, phase), r in rows.items()
              if r["complete"] != r["jobs"]]
if incomplete:
    sys.exit(f"execution records missing: {', '.join(incomplete)}")
PY
