"""Planning: stream an action's input into chunks, mark repeated keys, enqueue each chunk.

Chunks are enqueued as they are written, so processing starts while planning still reads.
Safe to run twice: chunk ids are "<action>:<seq>", a repeated insert of one is ignored, and
the dedupe store recognises rows it saw before. A run that finds planning finished only
re-enqueues the chunks not done yet, which are idempotent themselves.
"""

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

from beanie import Document, PydanticObjectId
from bson import ObjectId
from pymongo.errors import BulkWriteError

from app import tasks, uploads
from app.actions import ActionSpec, actions
from app.clock import utcnow
from app.csv_records import CsvError, records
from app.entities import entities
from app.entities._base import InvalidRecord
from app.models import BulkAction, BulkActionStatus, Chunk, ChunkRows, InputBatch
from app.models.ids import saved_id
from app.services import dedupe
from app.services.processing import finish_if_complete
from app.settings import get_settings

PLANNABLE = (BulkActionStatus.QUEUED, BulkActionStatus.SCHEDULED)
Row = dict[str, Any]


async def inline_rows(action: BulkAction) -> AsyncIterator[Row]:
    async for batch in InputBatch.find(InputBatch.action_id == action.id).sort("+seq"):
        for row in batch.rows:
            yield row


def csv_row(spec: ActionSpec, action: BulkAction, number: int, values: list[str]) -> Row:
    entity = entities.get(action.entity_type)
    columns = action.columns or []
    if len(values) != len(columns):
        message = f"Expected {len(columns)} values, found {len(values)}."
        return {"row": number, "invalid": message}
    named = {name: value for name, value in zip(columns, values, strict=True) if name}
    try:
        return {"row": number, **spec.record_row(entity, entity.csv_record(named))}
    except InvalidRecord as exc:
        return {"row": number, "invalid": str(exc)}


async def csv_rows(action: BulkAction) -> AsyncIterator[Row]:
    spec = actions.get(action.action_type)
    assert action.upload_id is not None
    try:
        async for number, values in records(uploads.read_spooled(action.upload_id)):
            yield csv_row(spec, action, number, values)
    except CsvError as exc:
        # The header was read at create time; text that breaks later fails the rest.
        raise InvalidInputError(str(exc)) from None


class InvalidInputError(Exception):
    """The input cannot be read on; planning gives up on the action."""


def input_rows(action: BulkAction) -> AsyncIterator[Row]:
    return csv_rows(action) if action.upload_id else inline_rows(action)


async def insert_ignoring_duplicates(documents: Sequence[Document]) -> None:
    """Inserts; documents an earlier run of this planning already stored are fine."""
    if not documents:
        return
    try:
        await (
            type(documents[0])
            .get_pymongo_collection()
            .insert_many(
                [document.model_dump(by_alias=True) for document in documents], ordered=False
            )
        )
    except BulkWriteError as exc:
        if any(error.get("code") != 11000 for error in exc.details.get("writeErrors", [])):
            raise


async def mark_repeats(action: BulkAction, spec: ActionSpec, rows: list[Row]) -> None:
    valid = [row for row in rows if "invalid" not in row]
    keyed = [(row["row"], spec.dedupe_key(row)) for row in valid]
    firsts = await dedupe.first_occurrences(str(action.id), keyed)
    for row in valid:
        if row["row"] not in firsts:
            row["dup"] = True
        elif spec.creates_entities:
            row["new_id"] = str(ObjectId())


async def write_chunk(action: BulkAction, seq: int, rows: list[Row]) -> None:
    action_id = saved_id(action)
    chunk_id = Chunk.id_for(action_id, seq)
    # Rows first: a chunk is only ever found with its rows in place.
    await insert_ignoring_duplicates([ChunkRows(id=chunk_id, rows=rows)])
    chunk = Chunk(
        id=chunk_id, action_id=action_id, account_id=action.account_id, seq=seq, size=len(rows)
    )
    await insert_ignoring_duplicates([chunk])
    await asyncio.to_thread(tasks.send, tasks.PROCESS_CHUNK, chunk_id)


async def write_chunks(action: BulkAction) -> tuple[int, int]:
    """Reads the input, writing and enqueueing chunks as they fill; returns (rows, chunks)."""
    spec = actions.get(action.action_type)
    size = get_settings().chunk_size
    total = 0
    seq = 0
    pending: list[Row] = []
    async for row in input_rows(action):
        total += 1
        pending.append(row)
        if len(pending) == size:
            await mark_repeats(action, spec, pending)
            await write_chunk(action, seq, pending)
            seq, pending = seq + 1, []
    if pending:
        await mark_repeats(action, spec, pending)
        await write_chunk(action, seq, pending)
        seq += 1
    return total, seq


async def enqueue_unfinished(action_id: PydanticObjectId) -> None:
    collection = Chunk.get_pymongo_collection()
    cursor = collection.find({"action_id": action_id, "done": False}, {"_id": 1})
    for chunk_id in [doc["_id"] async for doc in cursor]:
        await asyncio.to_thread(tasks.send, tasks.PROCESS_CHUNK, chunk_id)


async def plan_action(action_id: str) -> None:
    collection = BulkAction.get_pymongo_collection()
    await collection.update_one(
        {"_id": PydanticObjectId(action_id), "status": {"$in": [str(s) for s in PLANNABLE]}},
        {"$set": {"status": str(BulkActionStatus.PROCESSING), "started_at": utcnow()}},
    )
    action = await BulkAction.get(PydanticObjectId(action_id))
    if action is None or action.status is not BulkActionStatus.PROCESSING:
        return
    if action.chunks_total is None:
        try:
            total, chunk_count = await write_chunks(action)
        except InvalidInputError as exc:
            await fail_planning(action_id, str(exc))
            return
        await collection.update_one(
            {"_id": action.id}, {"$set": {"total": total, "chunks_total": chunk_count}}
        )
        await dedupe.forget(action_id)
    else:
        await enqueue_unfinished(saved_id(action))
    await finish_if_complete(saved_id(action))


async def fail_planning(action_id: str, error: str) -> None:
    """Planning could not be done: the action ends FAILED."""
    await BulkAction.get_pymongo_collection().update_one(
        {
            "_id": PydanticObjectId(action_id),
            "status": {"$in": [str(s) for s in (*PLANNABLE, BulkActionStatus.PROCESSING)]},
        },
        {
            "$set": {
                "status": str(BulkActionStatus.FAILED),
                "error": error[:500],
                "finished_at": utcnow(),
            }
        },
    )
