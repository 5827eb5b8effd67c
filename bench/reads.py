"""What the database spends on a chunk's read of its targets, against writing them.

An UPDATE's chunk reads its targets with one `{_id: {$in: ids}, account_id}` query (its
decide step: app.domain.actions.update), as MongoDB is best asked. FerretDB v1.24.2 as released
pushes only a filter's plain equalities down to PostgreSQL, so there that query reads every
entity of the account (the scripts' build finds the ids by the `_id` index:
scripts/ferretdb-id-in-pushdown.patch); one read per id is pushed down but pays a command
each. The table has its statistics and the database is at rest before each is measured
(bench/cost's `with_statistics`, `database_at_rest`). This prints the database's
CPU for the three, on an account of ROWS contacts with the platform's indexes: one `$in`
read of a chunk's 1,000 ids, 1,000 reads by `_id`, and the raw client's update of the same
1,000 contacts as bench/cost's floor sends it (the baseline; commands of at most
`FERRETDB_V1.updates_per_command` updates on FerretDB).

Run it through bench/reads, which starts the services like scripts/test does.
"""

import argparse
import asyncio
import os
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from bson import ObjectId
from pymongo import AsyncMongoClient, MongoClient, UpdateOne

from app.infra.mongo import db
from bench.cost import (
    Figures,
    check_database_counted,
    commit,
    copy_indexes,
    database_at_rest,
    is_ferretdb,
    measured,
    updates_per_command,
    with_statistics,
)

CHUNK = 1000
PROJECTION = {"_id": 1, "updated_at": 1, "data.company": 1}


def contacts(count: int) -> list[dict[str, Any]]:
    return [
        {
            "_id": ObjectId(),
            "account_id": "reads",
            "key": f"person{n}@example.com",
            "data": {"email": f"person{n}@example.com", "first_name": "Ada", "company": "Before"},
            "updated_at": None,
        }
        for n in range(count)
    ]


async def database_cpu(work: Callable[[], Awaitable[object]]) -> float:
    """The database's CPU seconds over the work, as bench/cost measures them."""
    figures = Figures("reads")
    with measured(figures, lambda: []):
        await work()
        await asyncio.sleep(0.5)  # backends account their last work
    return figures.database_cpu


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rows", type=int, nargs="?", default=20_000)
    args = parser.parse_args()
    url = os.environ["MONGODB_URL"]
    name = f"bench_reads_{uuid.uuid4().hex[:6]}"
    sync: MongoClient[dict[str, Any]] = MongoClient(url)
    ferretdb, per_command = is_ferretdb(sync), updates_per_command(sync)
    check_database_counted(sync)
    # The platform's own contacts collection, made as it makes it, lends its indexes.
    os.environ["MONGODB_DB"] = f"{name}_platform"
    await db.connect()
    stored = contacts(args.rows)
    collection = sync[name]["contacts"]
    copy_indexes(sync[f"{name}_platform"]["contacts"], collection)
    for start in range(0, len(stored), CHUNK):
        collection.insert_many(stored[start : start + CHUNK], ordered=False)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url)
    target = client[name]["contacts"]
    ids = [doc["_id"] for doc in stored]
    chunks = [ids[at : at + CHUNK] for at in range(0, 3 * CHUNK, CHUNK)]

    async def read_in() -> None:
        await target.find({"_id": {"$in": chunks[0]}, "account_id": "reads"}, PROJECTION).to_list()

    async def read_each() -> None:
        for one in chunks[1]:
            await target.find_one({"_id": one, "account_id": "reads"}, PROJECTION)

    async def update() -> None:
        updates = [
            UpdateOne({"_id": one}, {"$set": {"data.company": "After"}}) for one in chunks[2]
        ]
        for start in range(0, len(updates), per_command):
            await target.bulk_write(updates[start : start + per_command], ordered=False)

    await target.find_one({})
    with_statistics(collection, ids[0])
    database_at_rest()
    baseline = await database_cpu(update)
    database_at_rest()
    found = {"one $in read of 1,000 ids": await database_cpu(read_in)}
    database_at_rest()
    found["1,000 reads by _id"] = await database_cpu(read_each)
    print(f"commit: {commit()}; {'FerretDB' if ferretdb else 'MongoDB'} at {url}")
    print(f"account of {args.rows:,} contacts; database CPU for a chunk of {CHUNK:,} targets:")
    print(f"  raw update of the 1,000 (baseline): {baseline * 1e3:,.0f} ms")
    for what, spent in found.items():
        print(f"  {what}: {spent * 1e3:,.0f} ms = {spent / baseline:.2f}x the update's")
    await client.close()
    sync.drop_database(name)
    sync.drop_database(f"{name}_platform")


if __name__ == "__main__":
    asyncio.run(main())
