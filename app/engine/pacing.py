"""Admitting a chunk under its account's rate limit, before it runs, and charging its rows
when it writes them.

Each chunk books its row count against the account's sliding-window limit. With room, it
runs now; without, it is booked at the exact time it will fit and waits until then, its place
kept (see app.infra.redis.rate_limit). When its writes start, its rows are charged for real (and
count until the writes end), so the limit holds on the times rows are written. A chunk
larger than the limit can never fit, so it is split into parts that each fit. Chunks of a
paused action are dropped (resume queues them again), and those of a cancelled action or of a
dry run run uncharged, as they write no entity. A drip action's chunk is given its batch
first (app.engine.dripping), and only then books the limit.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum

from app.domain.models import Chunk, ControlRequest
from app.engine.deferral import ComeBackLater
from app.engine.dripping import Held, Placed, gate
from app.engine.splitting import chunk_size_for, split
from app.infra import metrics
from app.infra.mongo import chunks, controls
from app.infra.mongo.accounts.limits import limit_for
from app.infra.redis import liveness, waiting
from app.infra.redis.account_limits import entity_limit
from app.infra.settings import get_settings


class Verdict(Enum):
    RUN = "run"
    WAIT = "wait"
    DROP = "drop"


@dataclass(frozen=True)
class Admission:
    """The verdict, and what admission read to reach it: processing the chunk right after
    uses the same chunk and owner's request rather than reading them again."""

    verdict: Verdict
    wait_ms: int = 0
    chunk: Chunk | None = None
    request: ControlRequest | None = None


class WriteMustWait(ComeBackLater):
    """The chunk's rows do not fit the limit at the moment of writing: it is booked again and
    comes back when they fit (its decisions are kept, so it is cheap to start again)."""

    def __init__(self, wait_ms: int) -> None:
        super().__init__(wait_ms, "the chunk's rows wait for the rate limit")


async def admit(chunk_id: str) -> Admission:
    chunk = await chunks.get(chunk_id)
    if chunk is None or chunk.done or chunk.parts is not None:
        # Nothing to charge: processing finds nothing to do, or queues the parts.
        return Admission(Verdict.RUN)
    request = await controls.request_of(chunk.action_id)
    action_id = str(chunk.action_id)
    run = Admission(Verdict.RUN, chunk=chunk, request=request)
    if request is ControlRequest.CANCEL or chunk.dry_run:
        return run  # it writes nothing: nothing to charge
    if request is ControlRequest.PAUSE:
        await waiting.let_go(action_id, chunk.id)
        return Admission(Verdict.DROP)
    limit = await limit_for(chunk.account_id)
    if chunk.size > limit:
        await split(chunk, chunk_size_for(limit))
        await waiting.let_go(action_id, chunk.id)
        return Admission(Verdict.DROP)
    # A drip action's chunk first waits for its batch, holding no place under the limit.
    placed = await gate(chunk)
    if isinstance(placed, Held):
        return Admission(Verdict.WAIT, wait_ms=placed.wait_ms)
    if not isinstance(placed, Placed):
        return Admission(Verdict.DROP)  # split into parts that fit a batch, queued
    chunk = placed.chunk
    run = Admission(Verdict.RUN, chunk=chunk, request=request)
    # The chunk's id is its booking's token: a repeated delivery, a retry or the delayed
    # message itself finds the booking, so a chunk is charged once. It starts with the action
    # id, so that a pause or cancel can release the action's bookings.
    booked = await entity_limit().reserve(chunk.account_id, limit, chunk.size, chunk.id)
    if booked.wait_ms <= 0:
        await waiting.let_go(action_id, chunk.id)
        return run
    if (now := await stopped_while_booking(chunk)) is not None:
        # Cancelled: it runs uncharged now; paused: resuming queues it again.
        return (
            Admission(Verdict.RUN, chunk=chunk, request=now)
            if now is ControlRequest.CANCEL
            else Admission(Verdict.DROP)
        )
    await hold(chunk, booked.starts_at_ms, booked.wait_ms)
    metrics.RATE_LIMIT_WAITS.inc()
    metrics.RATE_LIMIT_WAIT_SECONDS.observe(booked.wait_ms / 1000)
    return Admission(Verdict.WAIT, wait_ms=booked.wait_ms)


async def hold(chunk: Chunk, starts_at_ms: int, wait_ms: int) -> None:
    action_id = str(chunk.action_id)
    await waiting.hold(action_id, chunk.id, chunk.size, starts_at_ms, wait_ms)
    # Waiting is a sign of life: the sweeper must not take the action for stalled.
    await liveness.touch(action_id, wait_ms / 1000 + get_settings().stall_seconds)


async def begin_write(chunk: Chunk) -> datetime:
    """Charges the chunk's rows as its writes start, if they fit the window ending now with
    every row written or being written; returns that time. Otherwise books the chunk again
    and raises WriteMustWait. Admission booked a time for it, but a chunk can start late
    (a busy queue, a slow database), and rows count when they are written."""
    limit = await limit_for(chunk.account_id)
    began = await entity_limit().begin(chunk.account_id, limit, chunk.size, chunk.id)
    if began is not None:
        return datetime.fromtimestamp(began / 1000, UTC)
    booked = await entity_limit().reserve(chunk.account_id, limit, chunk.size, chunk.id)
    if booked.too_large:
        raise WriteMustWait(0)  # the limit was lowered: admission splits the chunk
    if await stopped_while_booking(chunk) is not None:
        raise WriteMustWait(0)  # admission sees the pause or cancel and acts on it
    await hold(chunk, booked.starts_at_ms, booked.wait_ms)
    raise WriteMustWait(booked.wait_ms)


async def stopped_while_booking(chunk: Chunk) -> ControlRequest | None:
    """The owner's pause or cancel, if one is in force now that the chunk has booked ahead;
    then the action's bookings, this one too, are given back. Asked after booking: a pause
    written before the booking is seen here, and one written after it is followed by the
    planner's release, which finds the booking; either way none stays behind."""
    request = await controls.request_of(chunk.action_id)
    if request is ControlRequest.RUN:
        return None
    await release(chunk.account_id, str(chunk.action_id))
    return request


async def end_write(chunk: Chunk) -> datetime:
    """The chunk's writes have ended (or failed): its rows count at this time from now on,
    which is returned."""
    ended = await entity_limit().finish(chunk.account_id, chunk.size, chunk.id)
    return datetime.fromtimestamp(ended / 1000, UTC)


async def release(account_id: str, action_id: str) -> None:
    """Gives back the bookings of an action's waiting chunks (paused or cancelled)."""
    await entity_limit().release(account_id, f"{action_id}:")
    await waiting.forget(action_id)
