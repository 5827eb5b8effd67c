"""Ingest benchmark: the platform end to end against raw PyMongo writes, in one run.

(a) the floor: insert_many(ordered=False) in batches of 1,000 of the same contact documents
    into the same server; (b) the platform: POST /uploads, createBulkAction, planning,
    chunk processing with logs, until the action finishes. Prints rows/s of both, their ratio,
    and the peak RSS of the API and of each worker process.

Run it through bench/ingest, which starts the services like scripts/test does.
"""

import argparse
import csv
import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pymongo import MongoClient

from bench.cost import Figures, RedisWatch, check_database_counted, measured, own_pids
from bench.platform import Platform, graphql, wait_done
from tests.support.contacts_csv import lines, plan
from tests.support.processes import peak_rss_mb

CREATE = "mutation($i: CreateBulkActionInput!) { createBulkAction(input: $i) { id } }"


def write_csv(path: Path, rows: int, duplicates: float, bad: float) -> None:
    with path.open("w", newline="") as out:
        for line in lines(rows, duplicates, bad):
            out.write(line)


def documents(path: Path) -> Iterator[dict[str, object]]:
    with path.open(newline="") as source:
        for record in csv.DictReader(source):
            email = record["email"].strip().lower()
            data = {name: value for name, value in record.items() if value}
            yield {"account_id": "floor", "key": email, "data": data}


def raw_floor(url: str, database: str, path: Path) -> tuple[int, float]:
    """Rows/s of raw unordered insert_many, documents prepared outside the timing."""
    client: MongoClient[dict[str, Any]] = MongoClient(url)
    collection = client[database]["floor_contacts"]
    collection.drop()
    collection.create_index([("account_id", 1), ("key", 1)], unique=True)
    batches: list[list[dict[str, object]]] = [[]]
    for doc in documents(path):
        if len(batches[-1]) == 1000:
            batches.append([])
        batches[-1].append(doc)
    written = 0
    start = time.perf_counter()
    for batch in batches:
        try:
            written += len(collection.insert_many(batch, ordered=False).inserted_ids)
        except Exception as exc:  # duplicate emails of the file: the floor skips them too
            written += exc.details.get("nInserted", 0)  # type: ignore[attr-defined]
    elapsed = time.perf_counter() - start
    client.drop_database(database)
    return written, elapsed


def platform(path: Path, rows: int, workers: int, threads: int) -> dict[str, float]:
    settings = {
        "MAX_UPLOAD_ROWS": str(max(rows, 1_000_000)),
        "RATE_LIMIT_PER_MINUTE": "1000000000",  # lifted: this measures raw throughput
    }
    with Platform(workers, threads, **settings) as running:
        client = running.client("bench-account")
        start = time.perf_counter()
        spent = Figures("platform", rows=rows)
        with (
            RedisWatch(running.env["REDIS_URL"]) as redis_use,
            measured(spent, lambda: own_pids(running), running.api.pid),
        ):
            with path.open("rb") as body:
                uploaded = client.post("/uploads", content=iter(lambda: body.read(1 << 20), b""))
            upload_id = uploaded.json()["uploadId"]
            created = graphql(
                client,
                CREATE,
                i={"entityType": "CONTACT", "actionType": "INSERT", "uploadId": upload_id},
            )
            action_id = created["createBulkAction"]["id"]
            state = wait_done(client, action_id)
        elapsed = time.perf_counter() - start
        figures = {
            "elapsed": elapsed,
            "api_rss": peak_rss_mb(running.api.pid),
            "redis_peak_mb": (redis_use.peak - redis_use.base_memory) / 1e6,
            # CPU seconds, by whose: where the time of a run bound by CPU goes.
            "cpu_api": spent.api_cpu,
            "cpu_workers": spent.own_cpu - spent.api_cpu,
            "cpu_database": spent.database_cpu,
            "cpu_redis": redis_use.spent_cpu,
        }
        for n, pid in enumerate(running.worker_pids()):
            figures[f"worker{n}_rss"] = peak_rss_mb(pid)
        figures.update({k: float(v) for k, v in state["stats"].items()})
        print(f"action {action_id}: {state['status']} {state['error'] or ''}")
        return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("rows", type=int, nargs="?", default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--duplicates", type=float, default=0.02)
    parser.add_argument("--bad", type=float, default=0.01)
    parser.add_argument(
        "--no-floor",
        action="store_true",
        help="the platform alone: for commits compared with each other in one session",
    )
    args = parser.parse_args()
    url = os.environ["MONGODB_URL"]
    check_database_counted(MongoClient(url))  # its CPU is printed, as cost/load/reads print it
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "contacts.csv"
        write_csv(path, args.rows, args.duplicates, args.bad)
        _, expected = plan(args.rows, args.duplicates, args.bad)
        if not args.no_floor:
            written, floor_s = raw_floor(url, f"bench_floor_{uuid.uuid4().hex[:6]}", path)
        result = platform(path, args.rows, args.workers, args.threads)
    rate = args.rows / result["elapsed"]
    print(f"rows: {args.rows:,}  ({expected.duplicates:,} duplicates, {expected.bad:,} bad)")
    print(f"backend: {url}  workers: {args.workers} x {args.threads} threads")
    if not args.no_floor:
        floor_rate = written / floor_s
        print(
            f"raw floor (one client, insert_many of 1,000): {written:,} rows in {floor_s:.1f}s"
            f" = {floor_rate:,.0f} rows/s"
        )
    print(
        f"platform end to end (upload → logs): {args.rows:,} rows in {result['elapsed']:.1f}s"
        f" = {rate:,.0f} rows/s"
    )
    if not args.no_floor:
        print(f"ratio platform / floor: {rate / floor_rate:.2f}  (target ≥ 0.60)")
    counts = ", ".join(f"{k} {result[k]:,.0f}" for k in ("succeeded", "failed", "skipped"))
    print(f"outcome: {counts}")
    print(f"Redis memory at the action's peak: +{result['redis_peak_mb']:,.1f} MB (goal ≤ 32)")
    cpu = {k.removeprefix("cpu_"): v for k, v in result.items() if k.startswith("cpu_")}
    capacity = result["elapsed"] * (os.cpu_count() or 1)
    print(
        f"CPU while the platform ran ({os.cpu_count()} cores: {capacity:,.0f} CPU seconds),"
        " µs a row and share of the cores: "
        + ", ".join(f"{k} {v * 1e6 / args.rows:,.0f} ({v / capacity:.0%})" for k, v in cpu.items())
    )
    rss = {k[: -len("_rss")]: v for k, v in result.items() if k.endswith("_rss")}
    print("peak RSS MB (target < 256 each): " + ", ".join(f"{k} {v:.0f}" for k, v in rss.items()))


if __name__ == "__main__":
    main()
