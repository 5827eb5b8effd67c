"""Read-load benchmark: creators and log-page readers at once against one platform.

Seeds `--logged-actions` completed actions of `--logged-rows` rows each, then for `--seconds`
runs `--creators` clients that create 100-record INSERTs and wait for each to end, and
`--readers` clients that page through those actions' logs, 50 rows a page, in a closed loop
(each sends its next request when the last one is answered, after `--think` seconds). Every
client is its own account, and the API's own per-caller limit is lifted, so what is measured
is how fast the platform answers, not its limiter. Prints, per request kind, how many were
answered, p50, p95 and the slowest, and errors; the API processes' and the workers' CPU share
of the run; with --profile, where the API processes spend their time (py-spy).

Run it through bench/load, which starts the services like scripts/test does.
"""

import argparse
import asyncio
import shutil
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx
import redis
from pymongo import MongoClient

from bench.cost import (
    check_database_counted,
    commit,
    database_pids,
    profiled,
    redis_cpu,
    top_costs,
    total_cpu,
)
from bench.platform import TERMINAL, Platform, graphql, wait_done
from tests.support.processes import cpu_seconds, thread_niceness

CREATE = "mutation($i: CreateBulkActionInput!) { createBulkAction(input: $i) { id } }"
STATUS = "query($id: ID!) { bulkAction(id: $id) { status } }"
LOGS = """
query($id: ID!, $after: String) {
  bulkActionLogs(id: $id, first: 50, after: $after) {
    edges { node { row status reason entityId message at } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
PAGE_ROWS = 50


class Timings:
    """Seconds per request, by kind; errors by kind."""

    def __init__(self) -> None:
        self.seconds: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)

    def report(self, kind: str, took: float, ok: bool) -> None:
        if ok:
            self.seconds[kind].append(took)
        else:
            self.errors[kind] += 1


async def ask(
    client: httpx.AsyncClient, timings: Timings, kind: str, query: str, **variables: Any
) -> dict[str, Any] | None:
    started = time.perf_counter()
    try:
        answer = await client.post("/graphql", json={"query": query, "variables": variables})
        body = answer.json()
        ok = answer.status_code == 200 and not body.get("errors")
    except (httpx.HTTPError, ValueError):
        body, ok = {}, False
    timings.report(kind, time.perf_counter() - started, ok)
    return body.get("data") if ok else None


async def creator(
    client: httpx.AsyncClient, timings: Timings, until: float, think: float, tag: str
) -> None:
    made = 0
    while time.monotonic() < until:
        records = [{"email": f"{tag}-{made}-{n}@example.com"} for n in range(100)]
        made += 1
        given = {"entityType": "CONTACT", "actionType": "INSERT", "records": records}
        data = await ask(client, timings, "create", CREATE, i=given)
        if data is not None:
            action_id = data["createBulkAction"]["id"]
            while time.monotonic() < until:  # its progress, as a dashboard would poll it
                found = await ask(client, timings, "status", STATUS, id=action_id)
                if found is None or found["bulkAction"]["status"] in TERMINAL:
                    break
                await asyncio.sleep(0.5)
        await asyncio.sleep(think)


async def reader(
    client: httpx.AsyncClient, timings: Timings, until: float, think: float, action_id: str
) -> None:
    after = None
    while time.monotonic() < until:
        data = await ask(client, timings, "log page", LOGS, id=action_id, after=after)
        if data is not None:
            info = data["bulkActionLogs"]["pageInfo"]
            after = info["endCursor"] if info["hasNextPage"] else None
        await asyncio.sleep(think)


async def run_load(
    running: Platform, args: argparse.Namespace, logged: list[tuple[str, str]]
) -> Timings:
    timings = Timings()
    until = time.monotonic() + args.seconds
    clients = []
    tasks = []
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
    for n in range(args.creators):
        headers = {"Authorization": f"Bearer {running.token(f'load-creator-{n}')}"}
        client = httpx.AsyncClient(base_url=running.base, headers=headers, timeout=120)
        clients.append(client)
        tasks.append(creator(client, timings, until, args.think, f"c{n}"))
    for n in range(args.readers):
        account, action_id = logged[n % len(logged)]
        headers = {"Authorization": f"Bearer {running.token(account)}"}
        client = httpx.AsyncClient(
            base_url=running.base, headers=headers, timeout=120, limits=limits
        )
        clients.append(client)
        tasks.append(reader(client, timings, until, args.think, action_id))
    await asyncio.gather(*tasks)
    for client in clients:
        await client.aclose()
    return timings


def seed(running: Platform, actions: int, rows: int) -> list[tuple[str, str]]:
    """Completed actions whose logs the readers page through: (account, action id)."""
    logged = []
    for n in range(actions):
        account = f"load-owner-{n}"
        client = running.client(account)
        records = [{"email": f"owner{n}-{r}@example.com"} for r in range(rows)]
        given = {"entityType": "CONTACT", "actionType": "INSERT", "records": records}
        action_id = graphql(client, CREATE, i=given)["createBulkAction"]["id"]
        assert wait_done(client, action_id)["status"] == "COMPLETED"
        logged.append((account, action_id))
    return logged


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--creators", type=int, default=20)
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=0.0)
    parser.add_argument("--api-processes", type=int, default=1)
    parser.add_argument("--logged-actions", type=int, default=5)
    parser.add_argument("--logged-rows", type=int, default=5000)
    parser.add_argument("--profile", action="store_true", help="sample the API with py-spy")
    parser.add_argument(
        "--keep-profiles",
        type=Path,
        metavar="DIR",
        help="with --profile, keep py-spy's raw stacks in DIR",
    )
    args = parser.parse_args()

    settings = {
        "API_PROCESSES": str(args.api_processes),
        "API_RATE_LIMIT_PER_MINUTE": "100000000",
        "RATE_LIMIT_PER_MINUTE": "100000000",
    }
    with (
        Platform(2, 4, **settings) as running,
        tempfile.TemporaryDirectory() as tmp,
    ):
        logged = seed(running, args.logged_actions, args.logged_rows)
        time.sleep(1)
        apis, workers = running.api_pids(), running.worker_pids()
        worker_niceness = sorted({n for pid in workers for n in thread_niceness(pid).values()})
        before = {pid: cpu_seconds(pid) for pid in apis + workers}
        check_database_counted(MongoClient(running.env["MONGODB_URL"]))
        databases = database_pids()
        before_db, before_own = total_cpu(databases), time.process_time()
        redis_server = redis.Redis.from_url(running.env["REDIS_URL"])
        before_redis = redis_cpu(redis_server)
        started = time.perf_counter()
        with profiled(apis, Path(tmp) if args.profile else None):
            timings = asyncio.run(run_load(running, args, logged))
        took = time.perf_counter() - started
        spent = {pid: cpu_seconds(pid) - before[pid] for pid in apis + workers}
        database_cpu = (total_cpu(databases) - before_db) / took
        redis_used = (redis_cpu(redis_server) - before_redis) / took
        own_cpu = (time.process_time() - before_own) / took
        costs = top_costs(Path(tmp)) if args.profile else ""
        if args.profile and args.keep_profiles is not None:
            shutil.copytree(tmp, args.keep_profiles, dirs_exist_ok=True)

    print(f"commit: {commit()}")
    print(
        f"{args.creators} creators + {args.readers} log-page readers for {args.seconds:.0f} s, "
        f"think {args.think:.1f} s; API processes {args.api_processes}; "
        f"workers at nice {', '.join(map(str, worker_niceness))}; "
        f"readers page {args.logged_actions} actions of {args.logged_rows:,} rows"
    )
    for kind in ("log page", "create", "status"):
        seconds = timings.seconds.get(kind, [])
        if not seconds:
            print(f"  {kind:>8}: none answered; {timings.errors.get(kind, 0)} errors")
            continue
        print(
            f"  {kind:>8}: {len(seconds):>6,} answered ({len(seconds) / took:,.1f}/s); "
            f"p50 {statistics.median(seconds) * 1e3:,.0f} ms, "
            f"p95 {percentile(seconds, 0.95) * 1e3:,.0f} ms, max {max(seconds) * 1e3:,.0f} ms; "
            f"{timings.errors.get(kind, 0)} errors"
        )
    api_cpu = sum(spent[pid] for pid in apis) / took
    worker_cpu = sum(spent[pid] for pid in workers) / took
    print(
        f"  CPU: the API {api_cpu:.2f} cores, the workers {worker_cpu:.2f}, the database "
        f"{database_cpu:.2f} (its processes alive throughout), Redis {redis_used:.2f}, "
        f"this load's clients {own_cpu:.2f}"
    )
    # Per answer, read to the millisecond rather than worked out from cores rounded to 0.01.
    answered = sum(len(seconds) for seconds in timings.seconds.values())
    if answered:
        print(
            f"  CPU an answer (every kind): the API {api_cpu * took / answered * 1e3:.2f} ms, "
            f"the database {database_cpu * took / answered * 1e3:.2f} ms, "
            f"Redis {redis_used * took / answered * 1e3:.2f} ms"
        )
    if costs:
        print(f"API's top costs (py-spy, samples holding the GIL):\n{costs}")


if __name__ == "__main__":
    main()
