"""After a chunk's writes: log its outcomes, mark it done, move its chain on, and end the
action when its last chunk is done.

Each step is safe to repeat: logs are unique per (action, row) and the first one stays; only
the delivery that marks a chunk done moves its chain on; the last chunk to finish sees every
chunk done and moves the action to its final status (app.engine.lifecycle).

The chains: at most `chunks_in_flight` chunks of an action are queued at a time.

Chunk `seq` is queued when it is among the first N of its action or when chunk `seq - N` is
done: N chains, each queueing its next chunk as it finishes. No shared counter is needed (so
nothing for FerretDB to lose), another account's work waits behind at most N chunks per
running action, and an action's rate-limited chunks are few, so waiting costs little.

Planning checks the predecessors after writing chunks (a batch of them: one read); a
finishing chunk checks its successor after marking itself done; one of the two always sees the
other, and often both do: the first to take the chunk's send mark (Redis, SET NX) sends it.
A chunk sent twice would be harmless (processing is idempotent) but costly: two deliveries at
once both do all its work. The delivery that marks a chunk done queues its successor, and so
does a later delivery that finds it done (the one that marked it may have died before it
could), which a dead worker's returning messages are. Restarting the chains (`send_ready`)
sends regardless.
"""

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from beanie import PydanticObjectId

from app.domain.actions import Outcome, decisions_kept_for_restore
from app.domain.clock import utcnow
from app.domain.models import BulkActionStatus, Chunk, ControlRequest
from app.domain.models.action_log import block_documents, logged_row
from app.domain.rows import Row
from app.engine.lifecycle import transition
from app.engine.splitting import parts_done
from app.infra import metrics
from app.infra.mongo import actions, before_images, chunks, controls, logs
from app.infra.redis import keys, lease, mirrors, tasks, waiting
from app.infra.redis.events import publish_change
from app.infra.redis.mirrors import Tally
from app.infra.redis.tasks import send_chunk
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
        ended = await after_done(chunk, just_marked=True)
        await publish_change(chunk.action_id, chunk.account_id)
        if ended is not None and ended.maybe_complete:
            await finish_if_complete(chunk.action_id, ended.chunks_total)
        return  # otherwise another chain goes on: the action cannot be complete yet
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
        block_documents(
            chunk.action_id, chunk.account_id, chunk.seq, at, rows, at + kept, chunk.batch
        )
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


async def after_done(chunk: Chunk, *, just_marked: bool = False) -> Tally | None:
    """Moves the work on once a chunk is done (`just_marked`: by this delivery): its chain,
    or its split parent. None while its action cannot be complete (it queued its chain's
    next chunk, or its parent has parts to do); else the tally of the action's chains that
    ended, this one with them (app.infra.redis.mirrors)."""
    if chunk.parent is None:
        if await queue_following(chunk, just_marked=just_marked):
            return None
        return await mirrors.chain_ended(str(chunk.action_id), chunk.seq, in_flight())
    parent = await chunks.get(chunk.parent)
    if parent is None or parent.done or not await parts_done(parent):
        return None
    if await mark_done(parent, []):
        return await after_done(parent)
    return None


async def finish_if_complete(action_id: PydanticObjectId, chunks_total: int | None = None) -> None:
    """Moves a PROCESSING action whose every chunk is done to its final status.

    The chunk that ends the last of its chains calls this after marking itself done (by the
    tally of chain ends), and planning when it ends, so one of them sees all chunks done. Two
    that race write the same final figures. The chunk count, once planning has set it, is
    `chunks_total` or this process's copy (it never changes): the action itself is read only
    when every chunk is done.
    """
    if chunks_total is None:
        planned = await actions.as_planned(action_id, with_chunk_count=True)
        if planned is None or planned.chunks_total is None:
            return  # still planning: its last chunk is not known yet
        chunks_total = planned.chunks_total
    counters = (await chunks.sums_of([action_id]))[action_id]
    if counters.chunks_done < chunks_total:
        return
    action = await actions.get(action_id)  # its status now
    if action is None or action.status is not BulkActionStatus.PROCESSING:
        return
    if await controls.request_of(action_id) is ControlRequest.CANCEL:
        final = BulkActionStatus.CANCELLED
    elif counters.failed:
        final = BulkActionStatus.COMPLETED_WITH_ERRORS
    else:
        final = BulkActionStatus.COMPLETED
    if decisions_kept_for_restore(action):
        # The before-images an earlier version stored for its chunks (run before an upgrade)
        # are kept until the window closes, as its decisions are (app.engine.retention); set
        # before it ends, so that an action seen ended can be restored for the whole window.
        await before_images.keep_until_restore_closes(action_id)
    await transition(
        action_id,
        final,
        only_from=[BulkActionStatus.PROCESSING],
        account_id=action.account_id,
        finished_at=utcnow(),
        succeeded=counters.succeeded,
        failed=counters.failed,
        skipped=counters.skipped,
    )
    await waiting.forget(str(action_id))
    await mirrors.forget_chains(str(action_id))


def in_flight() -> int:
    return get_settings().chunks_in_flight


# How long a chunk's send mark stays: far longer than planning and a finishing chunk take
# to see each other, short enough that a sender that died between the mark and the send
# holds nothing up for long.
SEND_MARK_MS = 60_000


async def send_once(chunk_id: str) -> None:
    """Sends the chunk unless planning or its predecessor sent it already. The mark names the
    delivery whose work took it: Redis may go away between the mark and the send, and the
    same message, delivered again, finds its earlier delivery's mark and sends (any other
    message, or the same delivery asking twice, finds it sent)."""
    mark, sender = keys.chunk_sent(chunk_id), tasks.delivery.get()
    if await lease.take(mark, SEND_MARK_MS, holder=sender and sender.mark):
        await send_chunk(chunk_id)
    elif sender is not None and sender.follows(held := await lease.holder_of(mark)):
        assert held is not None
        if await lease.take_over(mark, held, sender.mark, SEND_MARK_MS):
            await send_chunk(chunk_id)


async def after_planned(written: Sequence[Chunk]) -> None:
    """Queues the newly written chunks (of one action) that their chains have reached: one
    read of the chunks before them in their chains."""
    n = in_flight()
    before = {c.id: Chunk.id_for(c.action_id, c.seq - n) for c in written if c.seq >= n}
    done = await chunks.done_among(written[0].action_id, list(before.values())) if before else set()
    for chunk in written:
        if chunk.id not in before or before[chunk.id] in done:
            await send_once(chunk.id)


async def queue_following(chunk: Chunk, *, just_marked: bool = False) -> bool:
    """Queues the next chunk of this chunk's chain, if planning has written it; True when
    it did (that chunk is not done).

    A chunk `just_marked` done by this delivery sends its chain's next one unread when
    planning's hint says it is written: no delivery of that one has run yet (a chain's next
    chunk is sent only once the chunk before it is done), so it is not done either. It reads
    none when the chunk count, this process's copy or Redis's, says there is none, nor when
    the hint says planning has not written it yet: planning writes a batch, then the hint,
    then reads which of the batch's predecessors are done (`after_planned`), so either this
    chunk, marked done before it read the hint, finds the hint, or planning finds it done
    and sends the next one itself (and sends what its chains reached when it ends). Only
    without any hint (Redis lost it) is the next chunk read."""
    seq = chunk.seq + in_flight()
    planned = await actions.as_planned(chunk.action_id)
    if planned is not None and planned.chunks_total is not None and seq >= planned.chunks_total:
        return False  # the last chunk of its chain: there is none to read
    following_id = Chunk.id_for(chunk.action_id, seq)
    if just_marked:
        progress = await mirrors.planning_progress(str(chunk.action_id))
        if progress.chunks_total is not None and seq >= progress.chunks_total:
            return False  # planning ended since this process read the action
        if progress.through >= seq:
            await send_once(following_id)
            return True
        if progress.through >= 0:
            return False  # not written yet: planning sends it when it writes it
    following = await chunks.get(following_id)
    if following is None or following.done:
        return False
    await send_once(following.id)
    return True


async def send_ready(action_id: PydanticObjectId, *, again: bool = True) -> int:
    """Queues every chunk its chain has reached but that is not done: restarts the chains
    after a pause, a lost message or a dead worker (`again`: also those sent before; without
    it, only those not sent lately). Returns how many it sent."""
    done = await chunks.chains_of(action_id)
    n = in_flight()
    ready = [seq for seq, is_done in done.items() if not is_done and (seq < n or done.get(seq - n))]
    for seq in sorted(ready):
        if again:
            await send_chunk(Chunk.id_for(action_id, seq))
        else:
            await send_once(Chunk.id_for(action_id, seq))
    return len(ready)
