"""Concurrent chunk-sized update batches finish, and the server keeps answering.

On FerretDB v1 one bulk_write of 50 updates once took all 50 connections of its PostgreSQL
pool and never returned, wedging the server for every client (app.infra.mongo.entities)."""

import asyncio

from bson import ObjectId
from pymongo.operations import UpdateOne

from app.infra.mongo import db, entities


async def test_eight_concurrent_batches_of_500_updates_finish(database: None) -> None:
    collection = db.current_database()["write_batches"]
    docs = [{"_id": ObjectId(), "n": n} for n in range(4000)]
    await collection.insert_many(docs)

    async def update(part: int) -> dict[int, object]:
        ops = [
            UpdateOne({"_id": doc["_id"]}, {"$set": {"part": part}})
            for doc in docs[part * 500 : (part + 1) * 500]
        ]
        return await entities.bulk_write(collection, ops)

    results = await asyncio.wait_for(asyncio.gather(*(update(n) for n in range(8))), 300)
    assert results == [{}] * 8
    assert await collection.count_documents({"part": {"$exists": True}}) == 4000
    assert (await asyncio.wait_for(db.current_database().command("ping"), 30))["ok"]
    await collection.drop()
