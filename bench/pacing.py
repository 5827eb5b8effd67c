"""Pacing benchmark: one account's action under a small limit, counted per rolling window.

Sets the account's limit (as an admin), sends N rows, and when the action ends reads its logs
(logs.csv) to print the rows written in each minute from the first, the heaviest rolling
60-second window of write times against the limit, and how close the run came to the
fastest the limit allows. Midway, another account sends a small action, and its wait is
printed too. Meanwhile `--load` processes (1 by default) hammer the database, so writes are
slow and uneven, as on a loaded machine.

Run it through bench/pacing, which starts the services like scripts/test does.
"""

import argparse
import csv
import io
import math
import time
from bisect import bisect_left
from datetime import datetime, timedelta

import httpx

from bench.hammer import database_load
from bench.platform import Platform, graphql, wait_done
from tests.support.contacts_csv import lines

CREATE = "mutation($i: CreateBulkActionInput!) { createBulkAction(input: $i) { id } }"
SET_LIMIT = """
mutation($a: String!, $n: Int!) { setAccountRateLimit(accountId: $a, perMinute: $n) { perMinute } }
"""
PROGRESS = "query($id: ID!) { bulkAction(id: $id) { stats { processed waitingChunks } } }"
MINUTE = timedelta(seconds=60)


def log_times(client: httpx.Client, action_id: str) -> list[datetime]:
    text = client.get(f"/bulk-actions/{action_id}/logs.csv").text
    return sorted(datetime.fromisoformat(row["at"]) for row in csv.DictReader(io.StringIO(text)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("rows", type=int, nargs="?", default=3000)
    parser.add_argument("--limit", type=int, default=1200, help="entities per minute")
    parser.add_argument(
        "--load", type=int, default=1, help="processes hammering the database meanwhile"
    )
    args = parser.parse_args()

    with Platform() as running, database_load(args.load) as load_rate:
        admin = running.client("ops", role="admin")
        graphql(admin, SET_LIMIT, a="paced", n=args.limit)
        paced, other = running.client("paced"), running.client("other")
        body = "".join(lines(args.rows, 0.0, 0.0)).encode()
        upload_id = paced.post("/uploads", content=body).json()["uploadId"]
        created = graphql(
            paced,
            CREATE,
            i={"entityType": "CONTACT", "actionType": "INSERT", "uploadId": upload_id},
        )
        action_id = created["createBulkAction"]["id"]

        while True:  # until the first minute's worth is done and the rest waits
            stats = graphql(paced, PROGRESS, id=action_id)["bulkAction"]["stats"]
            if stats["processed"] >= min(args.limit, args.rows) or stats["waitingChunks"]:
                break
            time.sleep(0.2)
        started = time.perf_counter()
        small = graphql(
            other,
            CREATE,
            i={
                "entityType": "CONTACT",
                "actionType": "INSERT",
                "records": [{"email": f"small{n}@example.com"} for n in range(100)],
            },
        )
        wait_done(other, small["createBulkAction"]["id"], poll=0.1)
        small_wait = time.perf_counter() - started

        done = wait_done(paced, action_id)
        times = log_times(paced, action_id)
        load = load_rate()

    first = times[0]
    print(f"action: {done['status']}, {len(times):,} rows logged; limit {args.limit:,}/min")
    print(f"meanwhile {args.load} other process(es) wrote {load:,.0f} rows/s to the database")
    minutes = math.ceil((times[-1] - first) / MINUTE + 1e-9)
    for minute in range(max(minutes, 1)):
        start, end = first + minute * MINUTE, first + (minute + 1) * MINUTE
        count = bisect_left(times, end) - bisect_left(times, start)
        bar = "#" * round(40 * count / args.limit)
        print(f"  minute {minute + 1:>3}: {count:>7,} / {args.limit:,} {bar}")
    heaviest = max(bisect_left(times, t + MINUTE) - i for i, t in enumerate(times))
    print(f"heaviest rolling 60 s window of write times: {heaviest:,} / {args.limit:,}")
    fastest = math.ceil(len(times) / args.limit - 1) * 60
    took = (times[-1] - first).total_seconds()
    if fastest:
        print(
            f"first to last row: {took:.1f} s; fastest the limit allows: {fastest} s "
            f"({fastest / took:.1%} of the limit used while rows waited)"
        )
    print(f"another account's 100 rows, sent meanwhile: done in {small_wait:.1f} s")


if __name__ == "__main__":
    main()
