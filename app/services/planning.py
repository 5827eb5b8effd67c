"""Planning: split an action's input into chunks, mark in-input duplicates, enqueue chunks.

Safe to run twice: chunks have a unique (action_id, seq), so a second run inserts nothing
new, and the status moves to PROCESSING only once. A run that finds the action already
PROCESSING re-enqueues its unfinished chunks, which are themselves idempotent.
"""

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

from beanie import Document, PydanticObjectId
from bson import ObjectId
from pymongo.errors import BulkWriteError

from app import tasks
from app.actions import actions
from app.clock import utcnow
from app.models import BulkAction, BulkActionStatus, Chunk, ChunkRows, InputBatch
from app.models.ids import saved_id
from app.services.processing import finish_if_complete
from app.settings import get_settings

PLANNABLE = (BulkActionStatus.QUEUED, BulkActionStatus.SCHEDULED)


async def input_rows(action_id: PydanticObjectId) -> AsyncIterator[dict[str, Any]]:
    async for batch in InputBatch.find(InputBatch.action_id == action_id).sort("+seq"):
        for row in batch.rows:
            yield row


async def insert_ignoring_duplicates(documents: Sequence[Document]) -> None:
    """Inserts; documents an earlier run of this planning already stored are fine."""
    if not documents:
        return
    try:
        await (
            type(documents[0])
            .get_pymongo_collection()
            .insert_many(
                [
                    document.model_dump(
                        by_alias=True, exclude={"id"} if document.id is None else None
                    )
                    for document in documents
                ],
                ordered=False,
            )
        )
    except BulkWriteError as exc:
        if any(error.get("code") != 11000 for error in exc.details.get("writeErrors", [])):
            raise


async def insert_chunks(chunks: list[tuple[Chunk, ChunkRows]]) -> None:
    # Rows first: a chunk is only ever found with its rows in place.
    await insert_ignoring_duplicates([rows for _, rows in chunks])
    await insert_ignoring_duplicates([chunk for chunk, _ in chunks])


async def write_chunks(action: BulkAction) -> tuple[int, int]:
    """Stores the chunks; returns (rows, chunks)."""
    spec = actions.get(action.action_type)
    size = get_settings().chunk_size
    seen: set[str] = set()
    total = 0
    seq = 0
    pending: list[dict[str, Any]] = []
    batch: list[tuple[Chunk, ChunkRows]] = []

    def cut() -> None:
        nonlocal seq, pending
        chunk = Chunk(
            action_id=saved_id(action), account_id=action.account_id, seq=seq, size=len(pending)
        )
        batch.append((chunk, ChunkRows(id=chunk.rows_id, rows=pending)))
        seq += 1
        pending = []

    async for row in input_rows(saved_id(action)):
        total += 1
        key = spec.dedupe_key(row)
        if key in seen:
            row["dup"] = True
        else:
            seen.add(key)
            if spec.creates_entities:
                row["new_id"] = str(ObjectId())
        pending.append(row)
        if len(pending) == size:
            cut()
            if len(batch) >= 10:
                await insert_chunks(batch)
                batch = []
    if pending:
        cut()
    if batch:
        await insert_chunks(batch)
    return total, seq


async def enqueue_unfinished(action_id: PydanticObjectId) -> None:
    collection = Chunk.get_pymongo_collection()
    cursor = collection.find({"action_id": action_id, "done": False}, {"_id": 1}).sort("seq", 1)
    ids = [str(doc["_id"]) async for doc in cursor]
    for chunk_id in ids:
        await asyncio.to_thread(tasks.send, tasks.PROCESS_CHUNK, chunk_id)


async def plan_action(action_id: str) -> None:
    action = await BulkAction.get(PydanticObjectId(action_id))
    if action is None:
        return
    if action.status in PLANNABLE:
        total, chunk_count = await write_chunks(action)
        await BulkAction.get_pymongo_collection().update_one(
            {"_id": action.id, "status": {"$in": [str(s) for s in PLANNABLE]}},
            {
                "$set": {
                    "status": str(BulkActionStatus.PROCESSING),
                    "total": total,
                    "chunks_total": chunk_count,
                    "started_at": utcnow(),
                }
            },
        )
        action = await BulkAction.get(action.id)
        if action is None:
            return
    if action.status is BulkActionStatus.PROCESSING:
        await enqueue_unfinished(saved_id(action))
        await finish_if_complete(saved_id(action))


async def fail_planning(action_id: str, error: str) -> None:
    """Planning could not be done even after retries: the action ends FAILED."""
    await BulkAction.get_pymongo_collection().update_one(
        {"_id": PydanticObjectId(action_id), "status": {"$in": [str(s) for s in PLANNABLE]}},
        {
            "$set": {
                "status": str(BulkActionStatus.FAILED),
                "error": error[:500],
                "finished_at": utcnow(),
            }
        },
    )
