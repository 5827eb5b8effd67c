"""Processing one chunk, exactly once in effect under at-least-once delivery.

Steps, each safe to repeat: (1) decide and store the decisions once; (2) apply the chunk's
idempotent writes; (3) insert its logs, unique per (action, row); (4) mark the chunk done
with its outcome counts; (5) finish the action when every chunk is done. A delivery that dies
anywhere is redone by the next, and one that finds the chunk done does nothing.
"""

from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from beanie import PydanticObjectId
from pymongo.errors import DuplicateKeyError

from app.domain.actions import ChunkContext, Outcome, actions
from app.domain.clock import utcnow
from app.domain.entities import entities
from app.domain.models import (
    ActionLog,
    BulkAction,
    BulkActionStatus,
    Chunk,
    ChunkDecision,
    ChunkRows,
    ControlRequest,
    LogReason,
    LogStatus,
    request_of,
)
from app.domain.progress import sum_chunks
from app.domain.rows import Decisions, Row
from app.engine import dispatch
from app.engine.lifecycle import transition
from app.engine.splitting import parts_done, send_parts
from app.infra import liveness, waiting
from app.infra.events import publish_change
from app.infra.inserts import insert_new


def invalid_outcome(row: Row) -> Outcome:
    return Outcome(
        row=row["row"], status=LogStatus.FAILED, reason=LogReason.INVALID, message=row["invalid"]
    )


def planned_outcome(row: Row) -> Outcome | None:
    """The outcome planning already fixed for a row: invalid, or a repeat of an earlier key."""
    if "invalid" in row:
        return invalid_outcome(row)
    if row.get("dup"):
        return skipped(row, LogReason.DUPLICATE_IN_INPUT)
    return None


SKIP_MESSAGES = {
    LogReason.DUPLICATE_IN_INPUT: "An earlier row of this action has the same key.",
    LogReason.CANCELLED: "The action was cancelled before this row was processed.",
}


def skipped(row: Row, reason: LogReason) -> Outcome:
    return Outcome(
        row=row["row"],
        status=LogStatus.SKIPPED,
        reason=reason,
        entity_id=row.get("id"),
        message=SKIP_MESSAGES[reason],
    )


async def write_logs(chunk: Chunk, outcomes: Sequence[Outcome]) -> None:
    """Logs the outcomes; rows an earlier delivery already logged keep their first log."""
    now = utcnow()
    await insert_new(
        ActionLog.get_pymongo_collection(),
        [
            {
                "action_id": chunk.action_id,
                "account_id": chunk.account_id,
                "row": outcome.row,
                "entity_id": outcome.entity_id,
                "status": str(outcome.status),
                "reason": str(outcome.reason),
                "message": outcome.message,
                "at": now,
            }
            for outcome in outcomes
        ],
    )


async def mark_done(
    chunk: Chunk, outcomes: Sequence[Outcome], started_at: datetime | None = None
) -> bool:
    """Marks the chunk done with its counts; True for the delivery that marked it."""
    counts = Counter(outcome.status for outcome in outcomes)
    result = await Chunk.get_pymongo_collection().update_one(
        {"_id": chunk.id, "done": False},
        {
            "$set": {
                "done": True,
                "succeeded": counts[LogStatus.SUCCESS],
                "failed": counts[LogStatus.FAILED],
                "skipped": counts[LogStatus.SKIPPED],
                "started_at": started_at,
                "done_at": utcnow(),
            }
        },
    )
    return result.modified_count == 1


async def after_done(chunk: Chunk) -> None:
    """Moves the work on once a chunk is done: its chain, or its split parent."""
    if chunk.parent is None:
        await dispatch.after_done(chunk)
        return
    parent = await Chunk.get(chunk.parent)
    if parent is None or parent.done or not await parts_done(parent):
        return
    if await mark_done(parent, []):
        await after_done(parent)


async def finish_if_complete(action_id: PydanticObjectId) -> None:
    """Moves a PROCESSING action whose every chunk is done to its final status.

    Every chunk calls this after marking itself done, so the last one to finish sees all
    chunks done. Two that race write the same final figures.
    """
    action = await BulkAction.get(action_id)
    if action is None or action.status is not BulkActionStatus.PROCESSING:
        return
    counters = await sum_chunks(action_id)
    if action.chunks_total is None or counters.chunks_done < action.chunks_total:
        return
    if await request_of(action_id) is ControlRequest.CANCEL:
        final = BulkActionStatus.CANCELLED
    elif counters.failed:
        final = BulkActionStatus.COMPLETED_WITH_ERRORS
    else:
        final = BulkActionStatus.COMPLETED
    await transition(
        action_id,
        final,
        only_from=[BulkActionStatus.PROCESSING],
        finished_at=utcnow(),
        succeeded=counters.succeeded,
        failed=counters.failed,
        skipped=counters.skipped,
    )
    await waiting.forget(str(action_id))


async def record(
    chunk: Chunk, outcomes: Sequence[Outcome], started_at: datetime | None = None
) -> None:
    await write_logs(chunk, outcomes)
    if await mark_done(chunk, outcomes, started_at):
        await after_done(chunk)
        await publish_change(chunk.action_id, chunk.account_id)
    await finish_if_complete(chunk.action_id)


async def decide_once(rows_id: str, decide: Callable[[], Awaitable[Decisions]]) -> Decisions:
    """The decisions stored for these rows, or new ones stored now; the first stored wins."""
    if (earlier := await ChunkDecision.get(rows_id)) is not None:
        return earlier.decisions
    found = await decide()
    try:
        await ChunkDecision(id=rows_id, decisions=found).insert()
    except DuplicateKeyError:
        # A concurrent delivery stored first: use what it saw.
        if (earlier := await ChunkDecision.get(rows_id)) is not None:
            return earlier.decisions
    return found


async def load(chunk_id: str) -> tuple[Chunk, ChunkRows, BulkAction] | None:
    """The chunk still to process, its rows and its action; None when nothing is left to do."""
    chunk = await Chunk.get(chunk_id)
    if chunk is None:
        return None
    if chunk.done:
        # An earlier delivery may have died between marking the chunk and finishing the action.
        await finish_if_complete(chunk.action_id)
        return None
    action = await BulkAction.get(chunk.action_id)
    rows = await ChunkRows.get(chunk.id)
    if action is None or rows is None:
        return None
    return chunk, rows, action


async def process_chunk(chunk_id: str, started_at: datetime | None = None) -> None:
    """Processes the chunk; `started_at` is when the rate limit let it through."""
    loaded = await load(chunk_id)
    if loaded is None:
        return
    chunk, stored_rows, action = loaded
    if chunk.parts is not None:
        await send_parts(chunk)  # split: the parts carry the rows
        return
    request = await request_of(chunk.action_id)
    if request is ControlRequest.PAUSE:
        return  # resuming queues the chunk again
    await liveness.touch(str(chunk.action_id))
    if request is ControlRequest.CANCEL:
        await record(
            chunk,
            [planned_outcome(row) or skipped(row, LogReason.CANCELLED) for row in stored_rows.rows],
        )
        return
    spec = actions.get(action.action_type)
    ctx = ChunkContext(
        account_id=action.account_id, entity=entities.get(action.entity_type), fields=action.fields
    )
    rows = stored_rows.rows
    planned = [outcome for row in rows if (outcome := planned_outcome(row))]
    live = [row for row in rows if planned_outcome(row) is None]
    decisions = await decide_once(stored_rows.id, lambda: spec.decide(ctx, live))
    outcomes = planned + await spec.apply(ctx, live, decisions)
    await record(chunk, sorted(outcomes, key=lambda outcome: outcome.row), started_at)


async def logged_outcomes(chunk: Chunk, rows: ChunkRows) -> dict[int, Outcome]:
    """Outcomes an earlier delivery of this chunk already logged, by row."""
    numbers = [row["row"] for row in rows.rows]
    cursor = ActionLog.find(ActionLog.action_id == chunk.action_id, {"row": {"$in": numbers}})
    return {
        log.row: Outcome(log.row, log.status, log.reason, log.entity_id, log.message)
        async for log in cursor
    }


def failed_outcome(row: Row, error: str) -> Outcome:
    if (planned := planned_outcome(row)) is not None:
        return planned
    return Outcome(
        row=row["row"],
        status=LogStatus.FAILED,
        reason=LogReason.PROCESSING_ERROR,
        entity_id=row.get("id"),
        message=f"Chunk failed after retries: {error}"[:500],
    )


async def fail_chunk(chunk_id: str, error: str) -> None:
    """Retries are spent: every row without an outcome yet is logged FAILED."""
    loaded = await load(chunk_id)
    if loaded is None:
        return
    chunk, rows, _ = loaded
    logged = await logged_outcomes(chunk, rows)
    outcomes = [logged.get(row["row"]) or failed_outcome(row, error) for row in rows.rows]
    await record(chunk, outcomes)
