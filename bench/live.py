"""Live progress benchmark: N subscribers on one API process follow one action; prints the
latency from each chunk's commit (its `done_at`) to each subscriber's receipt of an event
that includes it, p50 and p95.

Run it through bench/live, which starts the services like scripts/test does.
"""

import argparse
import asyncio
import statistics
import time
from bisect import bisect_left
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from pymongo import MongoClient

from bench.platform import Platform
from client.api import ApiClient

WATCH = "subscription($id: ID!) { bulkActionProgress(id: $id) { status stats { chunksDone } } }"
CREATE = "mutation($i: CreateBulkActionInput!) { createBulkAction(input: $i) { id } }"


async def follow(api: ApiClient, action_id: str) -> list[tuple[float, int]]:
    """(receipt time, chunks done) of each event one subscriber gets."""
    received: list[tuple[float, int]] = []
    async for event in api.subscribe(WATCH, {"id": action_id}):
        received.append((time.time(), event["bulkActionProgress"]["stats"]["chunksDone"]))
    return received


async def measure(
    base: str, token: str, subscribers: int, rows: int
) -> tuple[str, list[list[tuple[float, int]]]]:
    async with ApiClient(base, token, timeout=600) as api:
        # Scheduled a few seconds ahead, so that every subscriber is in before the first chunk.
        start = datetime.fromtimestamp(time.time() + 8, UTC).isoformat()
        records = [{"email": f"live{n}@example.com"} for n in range(rows)]
        given = {
            "entityType": "CONTACT",
            "actionType": "INSERT",
            "records": records,
            "scheduledAt": start,
        }
        action_id = (await api.execute(CREATE, i=given))["createBulkAction"]["id"]
        runs = [asyncio.create_task(follow(api, action_id)) for _ in range(subscribers)]
        results = await asyncio.gather(*runs)
    return action_id, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=500)
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    with Platform(CHUNK_SIZE="500", RATE_LIMIT_PER_MINUTE="1000000000") as running:
        token = running.token("live-bench")
        action_id, results = asyncio.run(measure(running.base, token, args.subscribers, args.rows))
        client: MongoClient[dict[str, Any]] = MongoClient(running.env["MONGODB_URL"], tz_aware=True)
        database = client[running.env["MONGODB_DB"]]
        chunks = database["chunks"].find({"action_id": ObjectId(action_id)}, {"done_at": 1})
        commits = sorted(chunk["done_at"].timestamp() for chunk in chunks)
    latencies = []
    for received in results:
        done_counts = [done for _, done in received]
        for rank, committed in enumerate(commits, start=1):
            index = bisect_left(done_counts, rank)
            if index < len(received):
                latencies.append(received[index][0] - committed)
    latencies.sort()
    complete = sum(1 for received in results if received and received[-1][1] == len(commits))
    p50 = statistics.median(latencies) * 1000
    p95 = latencies[int(len(latencies) * 0.95)] * 1000
    print(f"{args.subscribers} subscribers on one API process, {len(commits)} chunks of one action")
    print(f"subscribers that saw the final state: {complete} / {args.subscribers}")
    print(
        f"chunk commit → event received: p50 {p50:.0f} ms, p95 {p95:.0f} ms "
        f"({len(latencies):,} samples)"
    )


if __name__ == "__main__":
    main()
