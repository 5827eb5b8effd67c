"""The drips store: every read and write of drip paces and batches (app.domain.drip.documents).

A batch's row count is only changed by the chunk that holds the action's drip gate (one at a
time, app.engine.dripping), and changed conditionally on the count it read: on mongod two
gates could never both fill one place, and on FerretDB v1, which may lose one of two
concurrent updates of a document, there are never two.
"""

from collections.abc import Sequence
from datetime import datetime

from beanie import PydanticObjectId
from pymongo.errors import DuplicateKeyError

from app.domain.drip import Pace
from app.domain.drip.batches import Batch
from app.domain.models import DripBatch, DripPace


async def pace_of(action_id: PydanticObjectId) -> Pace | None:
    """The pace in force for the action (None: no drip, the account limit only)."""
    found = await DripPace.get(action_id)
    return None if found is None else found.pace()


async def paces_of(action_ids: Sequence[PydanticObjectId]) -> dict[PydanticObjectId, Pace]:
    """The paces in force for several actions, with one query (those with none left out)."""
    found = await DripPace.find({"_id": {"$in": list(action_ids)}}).to_list()
    return {stored.id: stored.pace() for stored in found}


async def set_pace(action_id: PydanticObjectId, account_id: str, pace: Pace | None) -> None:
    """Puts `pace` in force for the action's next batches (None: takes the drip away)."""
    if pace is None:
        await DripPace.get_pymongo_collection().delete_one({"_id": action_id})
    else:
        await DripPace.of(action_id, account_id, pace).save()


async def last_batch(action_id: PydanticObjectId) -> Batch | None:
    found = await DripBatch.find({"action_id": action_id}).sort("-number").limit(1).to_list()
    return found[0].batch() if found else None


async def last_batches(action_ids: Sequence[PydanticObjectId]) -> dict[PydanticObjectId, Batch]:
    """Each action's last batch (those with none left out)."""
    return {
        action_id: batch
        for action_id in action_ids
        if (batch := await last_batch(action_id)) is not None
    }


async def start_batch(
    action_id: PydanticObjectId,
    after: Batch | None,
    at: datetime,
    chunk: str,
    rows: int,
    size: int,
    due_at: datetime,
) -> bool:
    """Records the batch after `after`, due at `due_at`, as started at `at` by a chunk of
    `rows` rows; False when it was started already (a batch starts once)."""
    number = 1 if after is None else after.number + 1
    try:
        await DripBatch(
            id=DripBatch.id_for(action_id, number),
            action_id=action_id,
            number=number,
            started_at=at,
            rows=rows,
            size=size,
            placed=(0 if after is None else after.placed) + rows,
            chunks=[chunk],
            due_at=due_at,
        ).insert()
    except DuplicateKeyError:
        return False
    return True


async def join_batch(action_id: PydanticObjectId, batch: Batch, chunk: str, rows: int) -> bool:
    """Gives a chunk of `rows` rows to the batch, if its count is still the one read."""
    result = await DripBatch.get_pymongo_collection().update_one(
        {"_id": DripBatch.id_for(action_id, batch.number), "rows": batch.rows},
        {
            "$set": {
                "rows": batch.rows + rows,
                "placed": batch.placed + rows,
                "chunks": [*batch.chunks, chunk],
            }
        },
    )
    return result.modified_count == 1


async def batches_of(action_id: PydanticObjectId) -> list[Batch]:
    """The action's batches in order."""
    found = await DripBatch.find({"action_id": action_id}).sort("+number").to_list()
    return [stored.batch() for stored in found]


async def forget(action_ids: Sequence[PydanticObjectId]) -> None:
    """Deletes what the actions kept of their drip (retention)."""
    ids = list(action_ids)
    await DripPace.get_pymongo_collection().delete_many({"_id": {"$in": ids}})
    await DripBatch.get_pymongo_collection().delete_many({"action_id": {"$in": ids}})
