"""Fairness benchmark: how long another account's small action takes beside a large one, for
each chunk size compared, in one run.

For each `--chunk-sizes` value, a platform is started with CHUNK_SIZE set to it and the rate
limit lifted (so the chunk size is the only bound on a chunk). It times account B's 100-row
INSERT alone, then account A's ROWS-row CSV INSERT, and while A runs, B's 100-row INSERT again
(sent up to `--probes` times, one after the other). Prints, per chunk size: A's rows/s, B's
time alone, and B's times beside A (median and worst) as ratios to its time alone. A larger
chunk holds a worker thread longer, which is what B's messages wait behind.

Run it through bench/fairness, which starts the services like scripts/test does.
"""

import argparse
import statistics
import time
from typing import Any

import httpx

from bench.cost import commit
from bench.platform import Platform, graphql, wait_done
from tests.support.contacts_csv import lines

CREATE = "mutation($i: CreateBulkActionInput!) { createBulkAction(input: $i) { id } }"
STATUS = "query($id: ID!) { bulkAction(id: $id) { status } }"


def small_insert(client: httpx.Client, tag: str) -> float:
    """Seconds from sending B's 100-row INSERT to its end."""
    records = [{"email": f"{tag}-{n}@example.com"} for n in range(100)]
    started = time.perf_counter()
    created = graphql(
        client, CREATE, i={"entityType": "CONTACT", "actionType": "INSERT", "records": records}
    )
    wait_done(client, created["createBulkAction"]["id"], poll=0.05)
    return time.perf_counter() - started


def measure(chunk_size: int, rows: int, probes: int) -> dict[str, Any]:
    with Platform(CHUNK_SIZE=str(chunk_size), RATE_LIMIT_PER_MINUTE="1000000000") as running:
        big, small = running.client("fair-a"), running.client("fair-b")
        small_insert(small, "warm")
        alone = statistics.median(small_insert(small, f"alone{n}") for n in range(3))
        body = "".join(lines(rows, 0.0, 0.0)).encode()
        upload_id = big.post("/uploads", content=body).json()["uploadId"]
        started = time.perf_counter()
        created = graphql(
            big, CREATE, i={"entityType": "CONTACT", "actionType": "INSERT", "uploadId": upload_id}
        )
        action_id = created["createBulkAction"]["id"]
        time.sleep(1.0)  # A's chunks are under way
        beside = []
        for n in range(probes):
            if graphql(big, STATUS, id=action_id)["bulkAction"]["status"] != "PROCESSING":
                break
            beside.append(small_insert(small, f"beside{n}"))
        done = wait_done(big, action_id, poll=0.5)
        took = time.perf_counter() - started
    assert done["status"] == "COMPLETED", done
    return {"rate": rows / took, "alone": alone, "beside": beside}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("rows", type=int, nargs="?", default=60_000)
    parser.add_argument("--chunk-sizes", default="1000,2000")
    parser.add_argument("--probes", type=int, default=8)
    args = parser.parse_args()
    print(f"commit: {commit()}; A: {args.rows:,} rows; B: 100 rows, {args.probes} probes")
    for size in (int(each) for each in args.chunk_sizes.split(",")):
        found = measure(size, args.rows, args.probes)
        beside = found["beside"]
        if not beside:
            print(f"CHUNK_SIZE {size}: A ended before B could be sent beside it")
            continue
        median, worst = statistics.median(beside), max(beside)
        print(
            f"CHUNK_SIZE {size:>5}: A {found['rate']:,.0f} rows/s; B alone {found['alone']:.2f} s; "
            f"B beside A (n={len(beside)}) median {median:.2f} s = {median / found['alone']:.1f}x "
            f"alone, worst {worst:.2f} s = {worst / found['alone']:.1f}x"
        )


if __name__ == "__main__":
    main()
