"""After a chunk's writes: log its outcomes, mark it done, move its chain on, and end the
action when its last chunk is done.

Each step is safe to repeat: logs are unique per (action, row) and the first one stays; only
the delivery that marks a chunk done moves its chain on; the last chunk to finish sees every
chunk done and moves the action to its final status (app.engine.lifecycle).
"""

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from beanie import PydanticObjectId

from app.domain.actions import Outcome, keeps_before_images
from app.domain.clock import utcnow
from app.domain.models import BulkActionStatus, Chunk, ControlRequest
from app.domain.models.action_log import block_documents, logged_row
from app.domain.rows import Row
from app.engine import dispatch
from app.engine.lifecycle import transition
from app.engine.splitting import parts_done
from app.infra import metrics
from app.infra.mongo import actions, before_images, chunks, controls, logs
from app.infra.redis import waiting
from app.infra.redis.events import publish_change
from app.infra.settings import get_settings


async def record(
    chunk: Chunk,
    outcomes: Sequence[Outcome],
    rows: Sequence[Row],
    started_at: datetime | None = None,
    written_at: datetime | None = None,
) -> None:
    """Everything that follows a chunk's writes, in order. `started_at` and `written_at` are
    when the rate limit let its writes start and when they ended (rows are logged at the
    latter); both None for a chunk that wrote nothing."""
    sources = {row["row"]: row["source_row"] for row in rows if "source_row" in row}
    await write_logs(chunk, outcomes, written_at or utcnow(), sources)
    if await mark_done(chunk, outcomes, started_at, written_at):
        chain_goes_on = await after_done(chunk)
        await publish_change(chunk.action_id, chunk.account_id)
        if chain_goes_on:
            return  # a later chunk is still to do: the action cannot be complete yet
    await finish_if_complete(chunk.action_id)


async def write_logs(
    chunk: Chunk,
    outcomes: Sequence[Outcome],
    at: datetime,
    sources: Mapping[int, int] | None = None,
) -> None:
    """Logs the outcomes (with the original action's row, `sources`, for a restore or a
    retry); rows an earlier delivery logged keep their first log."""
    sources = sources or {}
    rows = (
        (o.status, logged_row(o.row, str(o.reason), o.entity_id, o.message, sources.get(o.row)))
        for o in outcomes
    )
    kept = timedelta(days=get_settings().log_retention_days)
    await logs.store(
        block_documents(chunk.action_id, chunk.account_id, chunk.seq, at, rows, at + kept)
    )


async def mark_done(
    chunk: Chunk,
    outcomes: Sequence[Outcome],
    started_at: datetime | None = None,
    written_at: datetime | None = None,
) -> bool:
    """Marks the chunk done with its counts; True for the delivery that marked it."""
    counts = Counter(outcome.status for outcome in outcomes)
    if not await chunks.mark_done(chunk.id, counts, started_at, written_at):
        return False
    for status, count in counts.items():  # counted once per chunk, by the delivery that marks it
        metrics.ROWS.labels(str(status)).inc(count)
    return True


async def after_done(chunk: Chunk) -> bool:
    """Moves the work on once a chunk is done: its chain, or its split parent. True when it
    queued a later chunk of the chain, not done yet."""
    if chunk.parent is None:
        return await dispatch.after_done(chunk)
    parent = await chunks.get(chunk.parent)
    if parent is None or parent.done or not await parts_done(parent):
        return False
    if await mark_done(parent, []):
        return await after_done(parent)
    return False


async def finish_if_complete(action_id: PydanticObjectId) -> None:
    """Moves a PROCESSING action whose every chunk is done to its final status.

    Every chunk calls this after marking itself done, so the last one to finish sees all
    chunks done. Two that race write the same final figures.
    """
    action = await actions.get(action_id)
    if action is None or action.status is not BulkActionStatus.PROCESSING:
        return
    if action.chunks_total is None:
        return  # still planning: its last chunk is not known yet
    counters = (await chunks.sums_of([action_id]))[action_id]
    if counters.chunks_done < action.chunks_total:
        return
    if await controls.request_of(action_id) is ControlRequest.CANCEL:
        final = BulkActionStatus.CANCELLED
    elif counters.failed:
        final = BulkActionStatus.COMPLETED_WITH_ERRORS
    else:
        final = BulkActionStatus.COMPLETED
    if keeps_before_images(action):
        # Before it ends: an action seen ended can be restored for the whole window.
        await before_images.keep_until_restore_closes(action_id)
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
