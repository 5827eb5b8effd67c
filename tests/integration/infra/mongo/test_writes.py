"""Concurrent chunk-sized update batches finish, and the server keeps answering; an update
whose entity is gone is told apart.

On FerretDB v1 one bulk_write of 50 updates once took all 50 connections of its PostgreSQL
pool and never returned, wedging the server for every client (app.infra.mongo.entities)."""

import asyncio
from datetime import UTC, datetime

import pytest
from bson import ObjectId
from pymongo.operations import UpdateOne

from app.domain.actions import UpdateById
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


@pytest.mark.parametrize("grouped", [True, False], ids=["update_many", "one_by_one"])
async def test_an_update_whose_entity_is_gone_is_told_from_one_whose_conditions_are_unmet(
    database: None, monkeypatch: pytest.MonkeyPatch, grouped: bool
) -> None:
    """The server's count of matched entities tells that some update found nothing; one read
    then tells which: an entity no longer there is its row's error (`gone`); one there but
    not stamped by this write is `stale` (a condition unmet, its fields another writer's),
    which the action weighs; one stamped by it (an increment this chunk made already) is no
    error."""
    monkeypatch.setattr(entities, "writes_by_id_lists", lambda: grouped)
    collection = db.current_database()["write_gone"]
    there = [ObjectId() for _ in range(4)]
    stamp, earlier = datetime(2026, 12, 7, 12, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
    await collection.insert_many(
        [
            {"_id": there[0]},
            {"_id": there[1]},
            {"_id": there[2], "by": "chunk1", "updated_at": stamp},
            {"_id": there[3], "f": "another's", "updated_at": earlier},
        ]
    )
    missing = ObjectId()
    made_once = {"by": {"$ne": "chunk1"}}
    stamped = {"$set": {"x": 1, "updated_at": stamp}}
    ops = [
        UpdateById(there[0], stamped),
        UpdateById(missing, stamped),
        UpdateById(there[1], stamped),
        UpdateById(
            there[2], {"$inc": {"n": 1}, "$set": {"by": "chunk1", "updated_at": stamp}}, made_once
        ),
        UpdateById(there[3], {"$set": {"f": "mine", "updated_at": stamp}}, {"f": None}),
    ]
    assert await entities.bulk_write(collection, ops) == {
        1: entities.GONE_ERROR,
        4: entities.STALE_ERROR,
    }
    assert (await collection.find_one({"_id": there[3]}) or {})["f"] == "another's"

    # Every update matched: the count tells, and nothing more is read.
    async def no_read(*_: object) -> dict[int, object]:
        raise AssertionError("read the ids though every update matched")

    monkeypatch.setattr(entities, "gone", no_read)
    assert await entities.bulk_write(collection, [ops[0], ops[2]]) == {}
    assert await collection.count_documents({"x": 1}) == 2
    assert await collection.count_documents({"n": {"$exists": True}}) == 0
    await collection.drop()
