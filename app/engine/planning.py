"""Planning: stream an action's input into chunks, mark repeated keys, queue the chunks.

Chunks are queued as they are written (as far as their chains allow, see dispatch), so
processing starts while planning still reads. Safe to run twice: chunk ids are
"<action>:<seq>", a repeated insert of one is ignored, and the dedupe store recognises rows it
saw before. A run that finds planning finished only re-queues what the chains need.
"""

import asyncio
from collections.abc import AsyncGenerator
from contextlib import aclosing
from datetime import timedelta

from beanie import PydanticObjectId
from bson import ObjectId

from app.domain.actions import ActionSpec, actions
from app.domain.clock import utcnow
from app.domain.entities import entities
from app.domain.entities._base import InvalidRecord
from app.domain.models import (
    TERMINAL_STATUSES,
    BulkAction,
    BulkActionStatus,
    Chunk,
    ChunkRows,
    ControlRequest,
    InputBatch,
    request_of,
)
from app.domain.models.ids import saved_id
from app.domain.rows import Row
from app.domain.status import PLANNABLE
from app.engine import dispatch
from app.engine.completion import finish_if_complete
from app.engine.deferral import ComeBackLater
from app.engine.lifecycle import transition
from app.engine.pacing import release
from app.engine.splitting import chunk_size_for
from app.infra import dedupe, keys, lease, liveness, uploads
from app.infra.account_limits import limit_for
from app.infra.csv_records import records
from app.infra.events import publish_change
from app.infra.inserts import insert_new_documents

# A delayed message may arrive a little before its time.
EARLY_START = timedelta(seconds=1)
# Rows validated between two turns of the event loop, which other chunks share.
YIELD_EVERY_ROWS = 100


async def inline_rows(action: BulkAction) -> AsyncGenerator[Row, None]:
    cursor = InputBatch.get_pymongo_collection().find({"action_id": action.id}, sort=[("seq", 1)])
    try:
        async for batch in cursor:
            for row in batch["rows"]:
                yield row
    finally:
        await cursor.close()  # also when planning stops reading early


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


async def csv_rows(action: BulkAction) -> AsyncGenerator[Row, None]:
    """The upload's rows; one that cannot be read is an invalid row, logged FAILED/INVALID
    with its number, and the rows after it are read as usual."""
    spec = actions.get(action.action_type)
    assert action.upload_id is not None
    async with aclosing(records(uploads.read_spooled(action.upload_id))) as found:
        async for record in found:
            if record.values is None:
                yield {"row": record.number, "invalid": f"Unreadable row: {record.error}."}
            else:
                yield csv_row(spec, action, record.number, record.values)
            if record.number % YIELD_EVERY_ROWS == 0:
                await asyncio.sleep(0)  # validation is CPU work: let the loop breathe


def input_rows(action: BulkAction) -> AsyncGenerator[Row, None]:
    return csv_rows(action) if action.upload_id else inline_rows(action)


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
    await insert_new_documents([ChunkRows(id=chunk_id, rows=rows)])
    chunk = Chunk(
        id=chunk_id,
        action_id=action_id,
        account_id=action.account_id,
        seq=seq,
        size=len(rows),
        first_row=rows[0]["row"],
        last_row=rows[-1]["row"],
    )
    await insert_new_documents([chunk])
    await dispatch.after_planned(chunk)
    await liveness.touch(str(action_id))
    await lease.renew(keys.planning_lease(str(action_id)), lease.kept_ms())


async def write_chunks(action: BulkAction) -> tuple[int, int]:
    """Reads the input, writing and enqueueing chunks as they fill; returns (rows, chunks)."""
    spec = actions.get(action.action_type)
    size = chunk_size_for(await limit_for(action.account_id))
    total = 0
    seq = 0
    pending: list[Row] = []
    async with aclosing(input_rows(action)) as rows:
        async for row in rows:
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


async def start(action: BulkAction) -> BulkAction | None:
    """Moves a due QUEUED or SCHEDULED action to PROCESSING; None when it is not due."""
    due = action.scheduled_at is None or action.scheduled_at <= utcnow() + EARLY_START
    if action.status is BulkActionStatus.SCHEDULED and not due:
        return None  # rescheduled later: this message is out of date
    return await transition(saved_id(action), BulkActionStatus.PROCESSING, started_at=utcnow())


async def end_unstarted(action: BulkAction) -> None:
    """A cancel before the action started: nothing was read, nothing is logged."""
    await transition(
        saved_id(action), BulkActionStatus.CANCELLED, only_from=PLANNABLE, finished_at=utcnow()
    )


async def plan(action: BulkAction) -> None:
    """Writes the action's chunks, unless another planner holds the lease on it."""
    action_id = str(action.id)
    if not await lease.keep(keys.planning_lease(action_id)):
        # Another planner is at work, or died and its lease runs out soon: look again then.
        wait_ms = await lease.remaining_ms(keys.planning_lease(action_id))
        raise ComeBackLater(wait_ms + 100, "another planner holds the lease")
    try:
        total, chunk_count = await write_chunks(action)
        await BulkAction.get_pymongo_collection().update_one(
            {"_id": action.id}, {"$set": {"total": total, "chunks_total": chunk_count}}
        )
        await publish_change(action.id, action.account_id)
        await dedupe.forget(action_id)
    finally:
        await lease.give_back(keys.planning_lease(action_id))


async def plan_action(action_id: str) -> None:
    """The planner actor's work, also run to apply an owner's request or restart a stall:
    start a due action, plan it (once), re-queue what its chains need, and end it when done."""
    found = await BulkAction.get(PydanticObjectId(action_id))
    if found is None or found.status in TERMINAL_STATUSES:
        return
    action: BulkAction | None = found
    request = await request_of(saved_id(found))
    if request is not ControlRequest.RUN:
        # Chunks waiting for their booked time give the time back to the account.
        await release(found.account_id, action_id)
    if found.status in PLANNABLE:
        if request is ControlRequest.CANCEL:
            await end_unstarted(found)
            return
        action = await start(found)
    if action is None:
        return
    await liveness.touch(action_id)
    if action.chunks_total is None:
        await plan(action)
    # A pause or resume while planning ran, a lost message, a dead worker: the chains go on
    # from where they are (queued twice at worst, which processing shrugs off).
    if await request_of(saved_id(action)) is not ControlRequest.PAUSE:
        await dispatch.send_ready(saved_id(action))
    await finish_if_complete(saved_id(action))


async def fail_planning(action_id: str, error: str) -> None:
    """Planning could not be done: the action ends FAILED."""
    await transition(
        PydanticObjectId(action_id),
        BulkActionStatus.FAILED,
        error=error[:500],
        finished_at=utcnow(),
    )
