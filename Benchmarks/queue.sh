#!/usr/bin/env bash
# Bifrost's PostgreSQL job queue against pgqueuer (PyPI), in one run, on one PostgreSQL (the embedded cluster of
# one `bifrost serve`; pgqueuer's tables go in its own schema `pgqueuer` of the same database), with the same
# worker concurrency. Each system gets two phases of `jobs` no-op jobs:
#   live:  a worker process is running; `clients` producers enqueue one job per call as fast as they can.
#          completed/s = jobs / (last finished - first enqueued); workers' jobs/s = jobs / (last finished -
#          first started); enqueue-to-start latency = started - enqueued per job, p50 and p99.
#   drain: the jobs are enqueued with no worker running, then one is started: workers' jobs/s is then the
#          queue's own capacity, not bounded by the producers (its latencies only say how long the jobs waited).
# Bifrost: the jobs are `POST /api/workflows/quick_lookup/execute` `{"mode": "async"}` with an organisation's API
# key, answered 202 by the `bifrost serve` that owns the database (workflows.workers 0: it only enqueues);
# a second `bifrost serve` on that database with workflows.workers = `workers` runs them. Times are the
# `executions` row's created_at, started_at (the claim) and finished_at.
# pgqueuer: a producer process enqueues one job per `Queries.enqueue` call over `clients` connections; one
# consumer process (QueueManager, asyncpg pool, uvloop) with max_concurrent_tasks = `workers` runs a no-op
# entrypoint. Times are the job's `queued`, `picked` and `successful` rows in pgqueuer_log, which pgqueuer
# writes in the enqueueing, claiming and completing statements (its default, durable install: logged tables).
# "complete" counts the records kept: Bifrost's row in status Success with its input and result; pgqueuer's log
# of a successful job (pgqueuer deletes the job row, and with it the payload, when the job is done).
# Usage: Benchmarks/queue.sh [path/to/bifrost] [jobs] [workers] [clients]
#        (defaults: .build/release/bifrost 10000 8 8; build first: swift build -c release --product bifrost;
#        installs wrk with apt-get and pgqueuer, asyncpg with pip if missing)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
binary="$(realpath "${1:-$repo/.build/release/bifrost}")"
jobs="${2:-10000}"
workers="${3:-8}"
clients="${4:-8}"
# pgqueuer requires max_concurrent_tasks >= 2 x its dequeue batch, and a batch holds at least one job.
((workers >= 2)) || { echo "workers must be at least 2" >&2; exit 2; }
python3 -c 'import pgqueuer, asyncpg, uvloop' 2>/dev/null || python3 -m pip install -q pgqueuer asyncpg
bench="python3 $repo/Benchmarks/queue_bench.py"

export BIFROST_WORKFLOWS_WORKERS=0  # the server common.sh starts only enqueues
source "$repo/Benchmarks/common.sh"
unset BIFROST_WORKFLOWS_WORKERS
consumer=""
stop_consumer() {
  if [ -n "$consumer" ]; then kill -TERM "$consumer" 2>/dev/null || true; wait "$consumer" 2>/dev/null || true; fi
  consumer=""
}
trap 'stop_consumer; kill -TERM "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$work"' EXIT

json() { python3 -c "import json,sys; print(json.load(sys.stdin)[\"$1\"])"; }
org=$(curl -fs -H "Authorization: Bearer $jwt" -H 'Content-Type: application/json' -d '{"name":"Bench Org"}' \
  "$base/api/organizations" | json id)
key=$(curl -fs -H "Authorization: Bearer $jwt" -H "X-Organization-Id: $org" -H 'Content-Type: application/json' \
  -d '{"name":"bench","role":"org_admin"}' "$base/api/api-keys" | json key)
dsn=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))
print("postgresql://{username}:{password}@127.0.0.1:{port}/bifrost".format(**s))' "$work/.bifrost/database.json")
export PGQUEUER_SCHEMA=pgqueuer
python3 -m pgqueuer --pg-dsn "$dsn" install >/dev/null
pgqueuer_version=$(python3 -c 'import pgqueuer; print(pgqueuer.__version__)')
worker_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# start_consumer SYSTEM PHASE: starts the worker process, sets $consumer.
start_consumer() {
  if [ "$1" = bifrost ]; then
    "$binary" serve --http-port "$worker_port" --log-level error --data-directory "$work/workers" \
      --database-url "$dsn?sslmode=disable" --workflows-workers "$workers" --policies-directory "$work/policies" \
      >>"$work/workers.log" 2>&1 &
  else
    $bench pgq-consume "$dsn" "$2" "$workers" >>"$work/consumer.log" 2>&1 &
  fi
  consumer=$!
}

# enqueue SYSTEM PHASE COUNT CLIENTS: prints "seconds client_cpu_seconds".
enqueue() {
  if [ "$1" = bifrost ]; then $bench http-enqueue "$base" "$key" "$2" "$3" "$4"
  else $bench pgq-enqueue "$dsn" "$2" "$3" "$4"; fi
}

ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
checkpoint() { psql "$dsn" -qAt -c 'CHECKPOINT' >/dev/null; }
hertz=$(getconf CLK_TCK)
: >"$work/results.txt"

# live SYSTEM: one phase "live" (see the top); appends "system phase stats… cpu…" to results.txt.
live() {
  local system=$1 phase=live_$1
  start_consumer "$system" "$phase"
  # A first job run to the end: the workers are up and listening before the measured jobs arrive.
  local warmup=warmup  # pgqueuer's consumer registers this entrypoint besides the phase's
  if [ "$system" = bifrost ]; then warmup="warmup_$phase"; fi
  enqueue "$system" "$warmup" 1 1 >/dev/null
  $bench wait "$dsn" "$system" "$warmup"
  checkpoint
  local consumer_before server_before database_before client consumer_after server_after database_after
  consumer_before=$(ticks "$consumer"); server_before=$(server_ticks); database_before=$(database_ticks)
  client=$(enqueue "$system" "$phase" "$jobs" "$clients")
  $bench wait "$dsn" "$system" "$phase"
  consumer_after=$(ticks "$consumer"); server_after=$(server_ticks); database_after=$(database_ticks)
  stop_consumer
  local enqueue_side=0  # the API server's share; pgqueuer's producer reports its own
  if [ "$system" = bifrost ]; then enqueue_side=$((server_after - server_before)); fi
  echo "$system live $($bench stats "$dsn" "$system" "$phase" "$jobs") $client" \
    "$((consumer_after - consumer_before)) $enqueue_side $((database_after - database_before))" >>"$work/results.txt"
}

# drain SYSTEM: one phase "drain" (see the top); the CPU columns are not measured (the worker process starts in it).
drain() {
  local system=$1 phase=drain_$1
  local client; client=$(enqueue "$system" "$phase" "$jobs" "$clients")
  checkpoint
  start_consumer "$system" "$phase"
  $bench wait "$dsn" "$system" "$phase"
  stop_consumer
  echo "$system drain $($bench stats "$dsn" "$system" "$phase" "$jobs") $client - - -" >>"$work/results.txt"
}

live bifrost
live pgqueuer
drain bifrost
drain pgqueuer

python3 - "$work/results.txt" "$hertz" "$workers" "$clients" "$pgqueuer_version" <<'PY'
import sys
lines = [l.split() for l in open(sys.argv[1]).read().strip().splitlines()]
hertz, workers, clients, version = int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
rows = {}
print(f"{workers} workers each, {clients} enqueueing clients; pgqueuer {version}")
print("%-9s%-7s%7s%10s%11s%13s%16s%9s%9s" % ("system", "phase", "jobs", "complete", "enqueue/s", "completed/s",
                                            "workers' jobs/s", "p50 ms", "p99 ms"))
for system, phase, jobs, complete, enqueue_s, end_to_end_s, workers_s, p50, p99, *rest in lines:
    jobs = int(jobs)
    row = dict(enqueue=jobs / float(enqueue_s), completed=jobs / float(end_to_end_s), workers=jobs / float(workers_s),
               p50=float(p50), p99=float(p99), rest=rest)
    rows[system, phase] = row
    latency = ("%9.1f%9.1f" % (row["p50"], row["p99"])) if phase == "live" else "%9s%9s" % ("(queued", "first)")
    print("%-9s%-7s%7d%10s%11.0f%13.0f%16.0f%s" % (system, phase, jobs, complete, row["enqueue"], row["completed"],
                                                  row["workers"], latency))
ratio = lambda phase, key: rows["bifrost", phase][key] / rows["pgqueuer", phase][key]
print(f"Bifrost / pgqueuer: live completed/s {ratio('live', 'completed'):.2f}, live workers' jobs/s "
      f"{ratio('live', 'workers'):.2f}, drain workers' jobs/s {ratio('drain', 'workers'):.2f}")
print("CPU seconds during the live phase (enqueue start to last completion):")
for system in ("bifrost", "pgqueuer"):
    seconds, client_cpu, consumer, server, database = rows[system, "live"]["rest"]
    side = f"API server {int(server) / hertz:.1f} + client {float(client_cpu):.1f}" if system == "bifrost" \
        else f"producer {float(client_cpu):.1f}"
    print(f"  {system:9s} workers process {int(consumer) / hertz:.1f}, PostgreSQL {int(database) / hertz:.1f}, "
          f"enqueueing: {side}")
PY
