"""Log reading benchmark: pages of logs and the CSV export with 1,000,000 logs stored.

Fills the log collection through the platform's own write path (a chunk's logs, then its
counts): one large action of half the rows, with a few failed rows in some chunks, and
1,000-row actions for the other half. Then, against the running API, prints:
  - page latency p50/p95 (50 logs, random cursors) of the large action, unfiltered and
    status FAILED, and of the small actions, as ratios to a query that reads no logs;
  - the large action's logs.csv in rows/s, beside a raw PyMongo read of the same logs, and
    the API's CPU µs per exported row.

Run it through bench/logs, which starts the services like scripts/test does.
"""

import argparse
import asyncio
import base64
import os
import random
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from beanie import PydanticObjectId
from pymongo import MongoClient

from app.domain.models import LogBlock
from app.infra.mongo import db
from bench.platform import Platform, graphql
from tests.support.logged_actions import CHUNK_ROWS, stored_logged_action
from tests.support.processes import cpu_seconds

ACCOUNT = "bench"
PAGE = """
query($id: ID!, $after: String, $status: LogStatus) {
  bulkActionLogs(id: $id, first: 50, after: $after, status: $status) {
    edges { node { row status reason entityId message at } }
  }
}
"""
NO_LOGS = "query($id: ID!) { bulkAction(id: $id) { id } }"


async def fill(total: int) -> tuple[str, list[str]]:
    """Half the logs in one action, the rest in 1,000-row actions; returns their ids."""
    await db.connect()
    large = await stored_logged_action(ACCOUNT, total // 2, failing_every=7)
    small: list[str] = []
    for _ in range(0, total - total // 2, CHUNK_ROWS * 8):
        batch = [stored_logged_action(ACCOUNT, CHUNK_ROWS, failing_every=3) for _n in range(8)]
        small.extend(str(action.id) for action in await asyncio.gather(*batch))
    return str(large.id), small


def cursor(row: int) -> str:
    return base64.urlsafe_b64encode(f"log:{row}".encode()).decode()


def latencies(times: int, call: Callable[[], Any]) -> tuple[float, float]:
    """p50 and p95 in ms."""
    taken = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        taken.append((time.perf_counter() - started) * 1000)
    quantiles = statistics.quantiles(taken, n=100)
    return quantiles[49], quantiles[94]


def export(client: httpx.Client, action_id: str) -> int:
    rows = -1  # the header
    with client.stream("GET", f"/bulk-actions/{action_id}/logs.csv") as response:
        response.raise_for_status()
        for line in response.iter_lines():
            rows += bool(line)
    return rows


def raw_read(env: dict[str, str], action_id: str) -> int:
    """Every log of the action read straight from the database, block by block."""
    client: MongoClient[dict[str, Any]] = MongoClient(env["MONGODB_URL"])
    collection = client[env["MONGODB_DB"]][LogBlock.Settings.name]
    rows, block, owner = 0, 0, PydanticObjectId(action_id)
    while found := list(collection.find({"action_id": owner, "block": block})):
        rows += sum(len(document["rows"]) for document in found)
        rows += sum(run["last"] - run["first"] + 1 for d in found for run in d.get("runs", ()))
        block += 1
    return rows


def mixed_pages(
    platform: Platform, large: str, rows: int, small: list[str], pages: int
) -> list[float]:
    """One reader's page times in ms, each page of a random kind, on its own connection."""
    taken = []
    with platform.client(ACCOUNT) as client:
        for _ in range(pages):
            kind = random.randrange(3)
            action_id = large if kind < 2 else random.choice(small)
            after = cursor(random.randrange(rows)) if kind < 2 else None
            status = "FAILED" if kind == 1 else None
            started = time.perf_counter()
            graphql(client, PAGE, id=action_id, after=after, status=status)
            taken.append((time.perf_counter() - started) * 1000)
    return taken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("logs", type=int, nargs="?", default=1_000_000)
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--readers", type=int, default=8)
    args = parser.parse_args()
    lifted = {"API_RATE_LIMIT_PER_MINUTE": "1000000"}  # reads are measured, not the limit
    with (
        Platform(workers=1, threads=1, **lifted) as platform,
        platform.client(ACCOUNT) as client,
    ):
        os.environ["MONGODB_DB"] = platform.env["MONGODB_DB"]
        started = time.monotonic()
        large, small = asyncio.run(fill(args.logs))
        filled = time.monotonic() - started
        print(f"stored {args.logs:,} logs in {filled:.1f}s ({args.logs / filled:,.0f} rows/s)")
        rows = args.logs // 2

        def page(action_id: str, last: int, status: str | None = None) -> Callable[[], Any]:
            def call() -> Any:
                after = cursor(random.randrange(last)) if last else None
                return graphql(client, PAGE, id=action_id, after=after, status=status)

            return call

        base = latencies(args.pages, lambda: graphql(client, NO_LOGS, id=large))
        print(f"baseline, a query that reads no logs: p50 {base[0]:.1f} ms, p95 {base[1]:.1f} ms")
        for name, call in [
            ("large action, any status", page(large, rows)),
            ("large action, FAILED", page(large, rows, "FAILED")),
            ("1,000-row actions, first page", lambda: page(random.choice(small), 0)()),
        ]:
            p50, p95 = latencies(args.pages, call)
            print(
                f"log page of 50, {name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms"
                f"  (p95 {p95 / base[1]:.1f}x the baseline; goal < 50 ms)"
            )
        readers = args.readers
        with ThreadPoolExecutor(readers) as pool:
            started = time.monotonic()
            spread = list(
                pool.map(
                    lambda _: mixed_pages(platform, large, rows, small, args.pages),
                    range(readers),
                )
            )
            elapsed = time.monotonic() - started
        quantiles = statistics.quantiles([t for taken in spread for t in taken], n=100)
        print(
            f"{readers} readers at once, pages of every kind: p50 {quantiles[49]:.1f} ms,"
            f" p95 {quantiles[94]:.1f} ms, {readers * args.pages / elapsed:,.0f} pages/s"
        )
        started = time.monotonic()
        raw = raw_read(platform.env, large)
        raw_rate = raw / (time.monotonic() - started)
        cpu = cpu_seconds(platform.api.pid)
        started = time.monotonic()
        exported = export(client, large)
        rate = exported / (time.monotonic() - started)
        cpu_per_row = (cpu_seconds(platform.api.pid) - cpu) / exported * 1e6
        print(f"raw read of the large action's logs: {raw:,} rows, {raw_rate:,.0f} rows/s")
        print(
            f"logs.csv of the large action: {exported:,} rows, {rate:,.0f} rows/s"
            f" ({rate / raw_rate:.2f} of the raw read; goal ≥ 20,000 rows/s),"
            f" API CPU {cpu_per_row:.0f} µs/row"
        )


if __name__ == "__main__":
    main()
