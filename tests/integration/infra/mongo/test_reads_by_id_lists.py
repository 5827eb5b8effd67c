"""A filter of a list of ids (`_id: {$in: …}`), how a chunk reads its targets: exactly those
documents on any server, and on the scripts' FerretDB found by the `_id` index, as mongod
finds them, not by reading the whole collection (scripts/ferretdb-id-in-pushdown.patch, which
pushes such a list down to PostgreSQL: what it selects there is a superset that FerretDB
filters again, so an id of another type, or another account's, must still not match)."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from bson import ObjectId

from app.domain.actions import UpdateById
from app.infra.mongo import db, entities
from app.infra.settings import Settings

pytestmark = pytest.mark.usefixtures("database")

# The largest chunk a setting allows (`CHUNK_SIZE`).
MAX_CHUNK_ROWS = next(
    limit.le for limit in Settings.model_fields["chunk_size"].metadata if hasattr(limit, "le")
)


@pytest.fixture
async def collection() -> AsyncIterator[Any]:
    found = db.current_database()[f"id_lists_{ObjectId()}"]
    yield found
    await found.drop()


async def ids_found(collection: Any, query: dict[str, Any]) -> set[Any]:
    return {doc["_id"] async for doc in collection.find(query, {"_id": 1})}


async def test_a_list_of_ids_finds_exactly_its_documents(collection: Any) -> None:
    mine, theirs, unasked = ObjectId(), ObjectId(), ObjectId()
    await collection.insert_many(
        [
            {"_id": mine, "account_id": "a"},
            {"_id": theirs, "account_id": "b"},
            {"_id": unasked, "account_id": "a"},
            {"_id": "plain", "account_id": "a"},
            {"_id": 7, "account_id": "a"},
        ]
    )
    # A string of an ObjectId's hex is the same text where the stand-in stores it, and it
    # is not that ObjectId.
    asked = [mine, theirs, str(unasked)]
    assert await ids_found(collection, {"_id": {"$in": asked}, "account_id": "a"}) == {mine}
    assert await ids_found(collection, {"_id": {"$in": asked}}) == {mine, theirs}
    assert await ids_found(collection, {"_id": {"$in": ["plain", str(mine)]}}) == {"plain"}
    assert await ids_found(collection, {"_id": {"$in": [mine, 7]}}) == {mine, 7}
    assert await ids_found(collection, {"_id": {"$in": []}}) == set()

    # Writes by a list of ids touch exactly those documents too.
    updated = await collection.update_many(
        {"_id": {"$in": [mine, str(unasked), theirs]}, "account_id": "a"}, {"$set": {"x": 1}}
    )
    assert updated.modified_count == 1
    assert await ids_found(collection, {"x": 1}) == {mine}
    deleted = await collection.delete_many({"_id": {"$in": [str(mine), unasked, "plain"]}})
    assert deleted.deleted_count == 2
    assert await ids_found(collection, {}) == {mine, theirs, 7}


async def test_the_scripts_ferretdb_finds_a_list_of_ids_by_its_index(collection: Any) -> None:
    if not db.is_ferretdb():
        pytest.skip("mongod finds a list of ids by its _id index itself")
    ids = [ObjectId() for _ in range(50)]
    await collection.insert_many([{"_id": id_, "account_id": "a"} for id_ in ids])
    plan = await db.current_database().command(
        "explain", {"find": collection.name, "filter": {"_id": {"$in": ids[:5]}, "account_id": "a"}}
    )
    assert plan["filterPushdown"], plan
    assert "= ANY" in str(plan["queryPlanner"]), plan["queryPlanner"]
    # The platform learnt it: a chunk's targets given one update are one `update_many`.
    assert not db.traits().reads_all_for_id_lists
    assert entities.writes_by_id_lists()


async def test_the_largest_chunk_s_ids_are_read_and_written_exactly(collection: Any) -> None:
    """A chunk of the largest size (`CHUNK_SIZE` at most 10,000): its list of ids, a
    parameter array of that many on the scripts' FerretDB, finds and updates exactly its
    targets, as one `update_many` where the server finds id lists by index."""
    ids = [ObjectId() for _ in range(MAX_CHUNK_ROWS)]
    others = [ObjectId() for _ in range(100)]
    await collection.insert_many([{"_id": id_, "account_id": "a"} for id_ in ids + others])
    asked = [*ids[: MAX_CHUNK_ROWS - 10], *(ObjectId() for _ in range(10))]  # 10 not stored
    assert await ids_found(collection, {"_id": {"$in": asked}, "account_id": "a"}) == set(
        ids[: MAX_CHUNK_ROWS - 10]
    )
    ops = [UpdateById(id_, {"$set": {"x": 1}}) for id_ in asked]
    # The 10 not stored are told apart (their rows are NOT_FOUND), by one read of the ids.
    gone = {index: entities.GONE_ERROR for index in range(MAX_CHUNK_ROWS - 10, MAX_CHUNK_ROWS)}
    assert await entities.bulk_write(collection, ops) == gone
    assert await ids_found(collection, {"x": 1}) == set(ids[: MAX_CHUNK_ROWS - 10])
