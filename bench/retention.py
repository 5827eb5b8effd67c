"""Retention benchmark: what an action leaves in the database before and after the sweeper.

Imports ROWS contacts from a CSV (100,000 by default) through the platform, then runs the
retention sweep (app.engine.retention) with its clock moved past the restore and retry
window, and prints each collection's documents and BSON bytes before and after, and the
bytes per row that remain: the logs, the action and its chunks' counts (and the entities).

Run it through bench/retention, which starts the services like scripts/test does.
"""

import argparse
import asyncio
import os
from datetime import timedelta
from typing import Any

import bson
from bson import ObjectId
from pymongo import MongoClient

from app.domain.clock import utcnow
from app.domain.models import BulkAction, WorkingData
from app.engine import retention
from app.infra.mongo import db
from app.infra.settings import get_settings
from bench.platform import Platform, graphql, wait_done
from tests.support.contacts_csv import lines

CREATE = "mutation($i: CreateBulkActionInput!) { createBulkAction(input: $i) { id } }"
ENTITIES = ("contacts", "companies", "leads")


def sizes(database: Any) -> dict[str, tuple[int, int]]:
    """(documents, BSON bytes) of each of the platform's collections, counted document by
    document: FerretDB's collStats reports PostgreSQL's table sizes, which a delete does not
    shrink. The entities are counted, not sized."""
    found = {}
    for name in sorted(database.list_collection_names()):
        if name in ENTITIES:
            found[name] = (database[name].count_documents({}), 0)
            continue
        documents = size = 0
        for document in database[name].find({}, batch_size=100):
            documents += 1
            size += len(bson.encode(document))
        found[name] = (documents, size)
    return found


async def sweep_past_the_window(database_name: str, action_id: str) -> int:
    """Sweeps as the sweeper would, a retention window and two days later (images included),
    until the action's working data is gone; returns how many sweeps it took."""
    os.environ["MONGODB_DB"] = database_name  # this process's settings: the bench's database
    get_settings.cache_clear()
    await db.connect()
    later = utcnow() + timedelta(days=get_settings().restore_retention_days + 2)
    for sweeps in range(1, 1000):
        await retention.sweep(later)
        action = await BulkAction.get(ObjectId(action_id))
        if action is not None and action.working_data is WorkingData.DELETED:
            return sweeps
    raise RuntimeError("the action's working data was never deleted")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rows", type=int, nargs="?", default=100_000)
    args = parser.parse_args()
    settings = {"RATE_LIMIT_PER_MINUTE": "1000000000", "MAX_UPLOAD_ROWS": str(args.rows + 1)}
    with Platform(2, 4, **settings) as running:
        client = running.client("bench-retention")
        upload = client.post("/uploads", content="".join(lines(args.rows, 0.0, 0.0)).encode())
        given = {
            "entityType": "CONTACT",
            "actionType": "INSERT",
            "uploadId": upload.json()["uploadId"],
        }
        action_id = graphql(client, CREATE, i=given)["createBulkAction"]["id"]
        state = wait_done(client, action_id)
        database: Any = MongoClient(running.env["MONGODB_URL"])[running.env["MONGODB_DB"]]
        before = sizes(database)
        sweeps = asyncio.run(sweep_past_the_window(running.env["MONGODB_DB"], action_id))
        after = sizes(database)
    print(f"rows: {args.rows:,}; action {state['status']}; {sweeps} sweep(s)")
    heading = ("collection", "documents before", "bytes before", "after", "bytes after")
    print("{:<18} {:>17} {:>14} {:>8} {:>12}".format(*heading))
    for name in sorted(set(before) | set(after)):
        (n0, b0), (n1, b1) = before.get(name, (0, 0)), after.get(name, (0, 0))
        print(f"{name:<18} {n0:>17,} {b0:>14,} {n1:>8,} {b1:>12,}")
    held = sum(size for _, size in before.values())
    kept = sum(size for _, size in after.values())
    print(
        f"platform data per row (entities aside): {held / args.rows:,.0f} B before,"
        f" {kept / args.rows:,.0f} B after (logs, the action, its chunks' counts)"
    )


if __name__ == "__main__":
    main()
