"""The inputs store: the rows a create was given inline (app.domain.models.input_batch),
kept in batches until planning has read them and no retry needs them."""

from collections.abc import AsyncGenerator, Sequence
from datetime import datetime

from beanie import PydanticObjectId
from bson import ObjectId

from app.domain.models import InputBatch
from app.domain.rows import Row

# Rows per stored batch: a document stays far under 16 MB.
BATCH_ROWS = 1000


async def store(action_id: PydanticObjectId, rows: Sequence[Row]) -> None:
    batches = [
        InputBatch(action_id=action_id, seq=seq, rows=list(rows[start : start + BATCH_ROWS]))
        for seq, start in enumerate(range(0, len(rows), BATCH_ROWS))
    ]
    if batches:
        await InputBatch.insert_many(batches)


async def rows_of(action_id: PydanticObjectId) -> AsyncGenerator[Row, None]:
    """The action's stored rows in order."""
    cursor = InputBatch.get_pymongo_collection().find({"action_id": action_id}, sort=[("seq", 1)])
    try:
        async for batch in cursor:
            for row in batch["rows"]:
                yield row
    finally:
        await cursor.close()  # also when the reader stops early


async def copy(source_id: PydanticObjectId, action_id: PydanticObjectId) -> None:
    """Gives another action the same stored rows (a dry run's real run)."""
    cursor = InputBatch.get_pymongo_collection().find({"action_id": source_id})
    async for batch in cursor:
        await InputBatch(action_id=action_id, seq=batch["seq"], rows=batch["rows"]).insert()


async def delete(action_id: PydanticObjectId) -> None:
    await InputBatch.get_pymongo_collection().delete_many({"action_id": action_id})


async def owners_before(before: datetime, page: int) -> AsyncGenerator[set[PydanticObjectId], None]:
    """The actions owning input stored before `before`, a page of batches at a time."""
    cursor = InputBatch.get_pymongo_collection().find(
        {"_id": {"$lt": ObjectId.from_datetime(before)}}, {"action_id": 1}, batch_size=page
    )
    try:
        while found := await cursor.to_list(page):
            yield {doc["action_id"] for doc in found}
    finally:
        await cursor.close()


async def delete_before(action_ids: Sequence[PydanticObjectId], before: datetime) -> int:
    """Deletes these actions' input stored before `before`; how many batches it deleted."""
    result = await InputBatch.get_pymongo_collection().delete_many(
        {"action_id": {"$in": list(action_ids)}, "_id": {"$lt": ObjectId.from_datetime(before)}}
    )
    return result.deleted_count
