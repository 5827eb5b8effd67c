"""Audience benchmark: an UPDATE of 100,000 contacts named by a filter, against the same
UPDATE of the same contacts named by id (an uploaded CSV of ids), in one run.

Seeds the contacts straight into the platform's database, then runs the filter-targeted
UPDATE (while it plans, inserts more matching contacts, which it must not touch), then the
by-id UPDATE. Prints rows/s of each and their ratio, the workers' CPU µs per row, their
peak RSS after each (the filter run first, so its peak is its own), and the storage each
action's before-state (its chunks' decisions, kept for restore, and any before-images an
earlier version stored apart) and logs add per 100,000 updated rows, in BSON bytes, beside
the size of the contacts themselves.

Run it through bench/audience, which starts the services like scripts/test does.
"""

import argparse
import time
from typing import Any

import bson
from bson import ObjectId
from pymongo import MongoClient

from bench.platform import Platform, graphql, wait_done
from tests.support.processes import cpu_seconds, peak_rss_mb

CREATE = "mutation($i: CreateBulkActionInput!) { createBulkAction(input: $i) { id } }"
ACCOUNT = "bench"
PLANNED = "query($id: ID!) { bulkAction(id: $id) { stats { total } } }"
TAGGED = {"conditions": [{"field": "tags", "hasAny": ["bench"]}]}


def seed(contacts: Any, rows: int) -> list[str]:
    ids = []
    for start in range(0, rows, 1000):
        batch = [
            {
                "_id": ObjectId(),
                "account_id": ACCOUNT,
                "key": f"a{n}@example.com",
                "data": {"email": f"a{n}@example.com", "tags": ["bench"], "score": n % 100},
            }
            for n in range(start, min(start + 1000, rows))
        ]
        contacts.insert_many(batch)
        ids += [str(doc["_id"]) for doc in batch]
    return ids


def timed(
    running: Platform, client: Any, given: dict[str, Any], during: Any = None
) -> dict[str, Any]:
    workers = running.worker_pids()
    cpu = sum(cpu_seconds(pid) for pid in workers)
    started = time.perf_counter()
    action_id = graphql(client, CREATE, i=given)["createBulkAction"]["id"]
    if during is not None:
        during(action_id)
    state = wait_done(client, action_id)
    elapsed = time.perf_counter() - started
    return {
        "id": action_id,
        "elapsed": elapsed,
        "rows": state["stats"]["succeeded"],
        "cpu": sum(cpu_seconds(pid) for pid in workers) - cpu,
        "rss": max(peak_rss_mb(pid) for pid in workers),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rows", type=int, nargs="?", default=100_000)
    args = parser.parse_args()
    lifted = {"RATE_LIMIT_PER_MINUTE": "1000000000", "MAX_UPLOAD_ROWS": str(args.rows + 1)}
    with Platform(2, 4, **lifted) as running, running.client(ACCOUNT) as client:
        database: Any = MongoClient(running.env["MONGODB_URL"])[running.env["MONGODB_DB"]]
        contacts = database.contacts
        started = time.perf_counter()
        ids = seed(contacts, args.rows)
        print(f"seeded {args.rows:,} contacts in {time.perf_counter() - started:.1f}s")

        def insert_during_planning(action_id: str) -> None:
            while not graphql(client, PLANNED, id=action_id)["bulkAction"]["stats"]["total"]:
                time.sleep(0.05)  # until planning has begun
            late = seed_late(contacts)
            print(f"inserted {late:,} matching contacts while the filter's action ran")

        by_filter = timed(
            running,
            client,
            {
                "entityType": "CONTACT",
                "actionType": "UPDATE",
                "filter": TAGGED,
                "fields": {"company": "By filter"},
            },
            insert_during_planning,
        )
        untouched = contacts.count_documents(
            {"data.email": {"$regex": "^late"}, "data.company": None}
        )
        csv = "id,company\n" + "".join(f"{entity_id},By id\n" for entity_id in ids)
        upload_id = client.post("/uploads", content=csv.encode()).json()["uploadId"]
        by_ids = timed(
            running,
            client,
            {"entityType": "CONTACT", "actionType": "UPDATE", "uploadId": upload_id},
        )
        storage = {
            run["id"]: {
                "before": stored_bytes(database["before_images"], run["id"])
                + decisions_bytes(database["chunk_decisions"], run["id"]),
                "log_blocks": stored_bytes(database["log_blocks"], run["id"]),
            }
            for run in (by_filter, by_ids)
        }
        entity_bytes = sum(len(bson.encode(doc)) for doc in contacts.find({"account_id": ACCOUNT}))
        entity_count = contacts.count_documents({"account_id": ACCOUNT})
    for name, run in (("by filter", by_filter), ("by ids (CSV)", by_ids)):
        print(
            f"UPDATE {name}: {run['rows']:,.0f} rows in {run['elapsed']:.1f}s ="
            f" {run['rows'] / run['elapsed']:,.0f} rows/s, workers' CPU"
            f" {run['cpu'] / max(run['rows'], 1) * 1e6:,.0f} µs/row, peak RSS {run['rss']:.0f} MB"
        )
    per = 100_000
    for name, run in (("by filter", by_filter), ("by ids (CSV)", by_ids)):
        sizes = storage[run["id"]]
        print(
            f"storage per {per:,} updated rows ({name}): before-state"
            f" {sizes['before'] / run['rows'] * per / 1e6:.1f} MB"
            f" ({sizes['before'] / run['rows']:.0f} B/row), logs"
            f" {sizes['log_blocks'] / run['rows'] * per / 1e6:.1f} MB;"
            f" the contacts themselves {entity_bytes / entity_count * per / 1e6:.1f} MB"
        )
    ratio = (by_filter["rows"] / by_filter["elapsed"]) / (by_ids["rows"] / by_ids["elapsed"])
    print(f"ratio filter / ids: {ratio:.2f}")
    print(f"contacts inserted during planning left untouched: {untouched:,} of 1,000")


def stored_bytes(collection: Any, action_id: str) -> int:
    """The BSON size of an action's documents in a collection (the same on any server)."""
    return sum(len(bson.encode(doc)) for doc in collection.find({"action_id": ObjectId(action_id)}))


def decisions_bytes(collection: Any, action_id: str) -> int:
    """The BSON size of an action's chunks' decisions (their ids begin with the action's)."""
    found = collection.find({"_id": {"$regex": f"^{action_id}:"}})
    return sum(len(bson.encode(doc)) for doc in found)


def seed_late(contacts: Any) -> int:
    late = [
        {
            "_id": ObjectId(),
            "account_id": ACCOUNT,
            "key": f"late{n}@example.com",
            "data": {"email": f"late{n}@example.com", "tags": ["bench"]},
        }
        for n in range(1000)
    ]
    contacts.insert_many(late)
    return len(late)


if __name__ == "__main__":
    main()
