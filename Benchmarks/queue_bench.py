#!/usr/bin/env python3
"""The client side of Benchmarks/queue.sh: enqueues jobs, runs pgqueuer's consumer, waits and measures.

Usage: queue_bench.py http-enqueue BASE_URL API_KEY TAG JOBS CLIENTS [RATE]
       queue_bench.py pgq-enqueue DSN ENTRYPOINT JOBS CLIENTS [RATE]
       queue_bench.py pgq-consume DSN ENTRYPOINT WORKERS [hold]
       queue_bench.py wait DSN bifrost|pgqueuer SELECTOR [SECONDS]
       queue_bench.py stats DSN bifrost|pgqueuer SELECTOR JOBS

A Bifrost phase's jobs are the `quick_lookup` runs whose input id starts with SELECTOR + "-"; a pgqueuer
phase's jobs are those of entrypoint SELECTOR (the consumer also runs entrypoint "warmup"). pgqueuer's
objects live in the schema named by PGQUEUER_SCHEMA (queue.sh sets it). Needs asyncpg, uvloop and, for the
pgq-* commands, pgqueuer. With RATE (jobs per second), job i is sent no earlier than i / RATE seconds after
the first: an open-loop arrival rate; without it, each client sends its next job as soon as the last is in.
"""
from __future__ import annotations

import asyncio
import json
import os
import resource
import signal
import sys
import time


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def http_enqueue(base: str, key: str, tag: str, jobs: int, clients: int, rate: float = 0) -> None:
    """POSTs `jobs` async runs of quick_lookup over `clients` keep-alive connections, one request at a time each,
    on asyncio (uvloop) as pgqueuer's producer runs: the requests are written and the answers read as bytes, so
    the client costs little of the machine the gateway and the database share. Prints the seconds it took and
    the CPU seconds it used."""
    host, port = base.removeprefix("http://").split(":")
    remaining = iter(range(jobs))
    failures: list[str] = []

    async def client() -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        for index in remaining:
            if failures:
                break
            if rate:
                await asyncio.sleep(max(0.0, started + index / rate - time.monotonic()))
            body = json.dumps({"input": {"id": f"{tag}-{index}"}, "mode": "async"}).encode()
            writer.write(
                b"POST /api/workflows/quick_lookup/execute HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
                b"X-Bifrost-Key: %s\r\nContent-Length: %d\r\n\r\n%s" % (host.encode(), key.encode(), len(body), body)
            )
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = next(
                (int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")),
                0,
            )
            answer = await reader.readexactly(length)
            if status != 202:
                hint = " (a bifrost built before async execution runs it at once)" if status == 200 else ""
                failures.append(f"{status} {answer[:200]!r}{hint}")
        writer.close()

    started, cpu = time.monotonic(), cpu_seconds()
    await asyncio.gather(*(client() for _ in range(clients)))
    if failures:
        sys.exit(f"enqueue failed: {failures[0]}")
    print(f"{time.monotonic() - started:.3f} {cpu_seconds() - cpu:.3f}")


async def pgq_enqueue(dsn: str, entrypoint: str, jobs: int, clients: int, rate: float = 0) -> None:
    """Enqueues `jobs` jobs one per statement, as `clients` concurrent producers, like one API call per job.
    Prints the seconds it took and the CPU seconds it used."""
    import asyncpg
    from pgqueuer import AsyncpgPoolDriver, Queries

    async with asyncpg.create_pool(dsn, min_size=clients, max_size=clients) as pool:
        queries = Queries(AsyncpgPoolDriver(pool))
        remaining = iter(range(jobs))

        async def producer() -> None:
            for index in remaining:
                if rate:
                    await asyncio.sleep(max(0.0, started + index / rate - time.monotonic()))
                await queries.enqueue(entrypoint, str(index).encode())

        started, cpu = time.monotonic(), cpu_seconds()
        await asyncio.gather(*(producer() for _ in range(clients)))
        print(f"{time.monotonic() - started:.3f} {cpu_seconds() - cpu:.3f}")


async def pgq_consume(dsn: str, entrypoint: str, workers: int, hold: bool) -> None:
    """One pgqueuer QueueManager holding at most `workers` jobs at once; runs until SIGTERM. With `hold` it
    prints "ready" once set up and waits for SIGUSR1 before it dequeues.

    `max_concurrent_tasks` is pgqueuer's per-process cap on picked jobs, the counterpart of Bifrost's
    `workflows.workers`; pgqueuer requires it to be at least twice the dequeue batch, so the batch is
    workers / 2. The pool lets a dequeue, a log flush and the listener proceed at once.
    """
    import asyncpg
    from pgqueuer import AsyncpgPoolDriver, Job, Queries, QueueManager

    pool = await asyncpg.create_pool(dsn, min_size=2, max_size=4)
    manager = QueueManager(Queries(AsyncpgPoolDriver(pool)))

    async def noop(job: Job) -> None:
        return None

    manager.entrypoint(entrypoint)(noop)
    manager.entrypoint("warmup")(noop)  # queue.sh's first job of a live phase

    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, manager.shutdown.set)
    if hold:
        go = asyncio.Event()
        loop.add_signal_handler(signal.SIGUSR1, go.set)
        print("ready", flush=True)
        await go.wait()
    await manager.run(batch_size=max(1, workers // 2), max_concurrent_tasks=workers)
    await pool.close()


# One row per job of a phase: enqueued, started (claimed) and finished, as timestamps, plus whether its
# full record is there. Both systems are measured by the same query over this shape.
JOB_TIMES = {
    "bifrost": """
        SELECT created_at AS enqueued, started_at AS started, finished_at AS finished,
               (status = 'Success' AND result IS NOT NULL AND input IS NOT NULL) AS complete
        FROM executions
        WHERE workflow = 'quick_lookup' AND starts_with(input->>'id', $1 || '-')
    """,
    "pgqueuer": """
        SELECT min(created) FILTER (WHERE status = 'queued') AS enqueued,
               min(created) FILTER (WHERE status = 'picked') AS started,
               max(created) FILTER (WHERE status = 'successful') AS finished,
               bool_or(status = 'successful') AS complete
        FROM pgqueuer_log
        WHERE entrypoint = $1
        GROUP BY job_id
    """,
}


async def connect(dsn: str, system: str):
    import asyncpg

    connection = await asyncpg.connect(dsn)
    if system == "pgqueuer":
        await connection.execute(f"SET search_path TO {os.environ['PGQUEUER_SCHEMA']}")
    return connection


# Jobs of a phase not finished yet; cheap (an index or a small table), as it is polled during the run.
UNFINISHED = {
    "bifrost": """
        SELECT count(*) FROM executions
        WHERE status IN ('Pending', 'Running') AND workflow = 'quick_lookup' AND starts_with(input->>'id', $1 || '-')
    """,
    "pgqueuer": "SELECT count(*) FROM pgqueuer WHERE entrypoint = $1",
}


async def wait(dsn: str, system: str, selector: str, seconds: float = 60) -> None:
    """Returns once no job of the phase is waiting or running (call it after the phase's enqueueing ended);
    fails when `seconds` pass without progress."""
    connection = await connect(dsn, system)
    last, last_change = -1, time.monotonic()
    while (left := await connection.fetchval(UNFINISHED[system], selector)) > 0:
        if left != last:
            last, last_change = left, time.monotonic()
        elif time.monotonic() - last_change > seconds:
            sys.exit(f"{system} {selector}: {left} jobs unfinished, no progress for {seconds:.0f} s")
        await asyncio.sleep(0.2)
    await connection.close()


async def stats(dsn: str, system: str, selector: str, jobs: int) -> None:
    """Prints: jobs complete enqueue_s end_to_end_s workers_s p50_ms p99_ms (see queue.sh for their meaning)."""
    connection = await connect(dsn, system)
    row = await connection.fetchrow(
        f"""
        SELECT count(*) AS jobs, count(*) FILTER (WHERE complete) AS complete,
               extract(epoch FROM max(enqueued) - min(enqueued)) AS enqueue_s,
               extract(epoch FROM max(finished) - min(enqueued)) AS end_to_end_s,
               extract(epoch FROM max(finished) - min(started)) AS workers_s,
               1000 * percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM started - enqueued)) AS p50_ms,
               1000 * percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM started - enqueued)) AS p99_ms
        FROM ({JOB_TIMES[system]}) job
        """,
        selector,
    )
    await connection.close()
    if row["jobs"] != jobs:
        sys.exit(f"{system} {selector}: expected {jobs} jobs, found {row['jobs']}")
    print(" ".join(f"{float(row[k]):.6f}" if k.endswith(("_s", "_ms")) else str(row[k]) for k in row.keys()))


def main(arguments: list[str]) -> None:
    import uvloop

    command, rest = arguments[0], arguments[1:]
    if command == "http-enqueue":
        uvloop.run(http_enqueue(rest[0], rest[1], rest[2], int(rest[3]), int(rest[4]), *(float(x) for x in rest[5:6])))
    elif command == "pgq-enqueue":
        uvloop.run(pgq_enqueue(rest[0], rest[1], int(rest[2]), int(rest[3]), *(float(x) for x in rest[4:5])))
    elif command == "pgq-consume":
        uvloop.run(pgq_consume(rest[0], rest[1], int(rest[2]), rest[3:4] == ["hold"]))
    elif command == "wait":
        uvloop.run(wait(rest[0], rest[1], rest[2], *(float(x) for x in rest[3:4])))
    elif command == "stats":
        uvloop.run(stats(rest[0], rest[1], rest[2], int(rest[3])))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
