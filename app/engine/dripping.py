"""Drip mode in the engine: each chunk of a drip action runs in one of its batches.

Admission (app.engine.pacing) asks here before it books the account's limit, so a chunk that
waits for its batch holds no place under the limit and nothing of the account's other work.
One chunk of an action at a time is given its batch, under a short lease: it reads the
action's last batch from MongoDB and joins it, starts the next one (one insert, so a batch
starts once), or waits until the next may start (app.domain.drip.batches). MongoDB keeps the
batches, so a worker or Redis that restarts forgets nothing: a chunk sent again finds its
batch, or the time its batch may start. A wait longer than the message horizon comes back to
look again at the horizon: no worker holds a message for days.
"""

from dataclasses import dataclass
from datetime import timedelta

from app.domain.clock import stored_now
from app.domain.drip import Pace
from app.domain.drip.batches import Join, Start, Wait, place
from app.domain.models import Chunk
from app.engine.splitting import split
from app.infra.mongo import chunks, drips
from app.infra.redis import keys, lease, liveness
from app.infra.redis.tasks import MESSAGE_HORIZON
from app.infra.settings import get_settings

# Giving a chunk its batch takes a few reads and writes; a holder that died frees it by then.
GATE_MS = 10_000
# A chunk that finds another being placed looks again after this.
GATE_BUSY_MS = 50


@dataclass(frozen=True)
class Placed:
    """The chunk runs now, in the batch it carries (or with no drip in force)."""

    chunk: Chunk


@dataclass(frozen=True)
class Held:
    """The chunk waits: its batch may start in `wait_ms`."""

    wait_ms: int


@dataclass(frozen=True)
class Split:
    """The chunk is larger than a batch now: it was split into parts, queued on their own."""


Gate = Placed | Held | Split


async def gate(chunk: Chunk) -> Gate:
    """Where the chunk of a drip action stands: placed in a batch, held, or split."""
    if not chunk.dripped or chunk.batch is not None:
        return Placed(chunk)
    pace = await drips.pace_of(chunk.action_id)
    if pace is None:
        return Placed(chunk)  # the drip was taken away: the account limit only
    if chunk.size > pace.batch_size:
        await split(chunk, pace.batch_size)
        return Split()
    name = keys.drip_gate(str(chunk.action_id))
    if not await lease.take(name, GATE_MS):
        return Held(GATE_BUSY_MS)
    try:
        return await place_chunk(chunk, pace)
    finally:
        await lease.give_back(name)


async def place_chunk(chunk: Chunk, pace: Pace) -> Gate:
    """Gives the chunk its batch, under the gate's lease."""
    fresh = await chunks.get(chunk.id)
    if fresh is None or fresh.batch is not None:
        return Placed(fresh or chunk)  # placed by a delivery just before this one
    last = await drips.last_batch(chunk.action_id)
    if last is not None and chunk.id in last.chunks:
        number = last.number  # a delivery placed it and died before it could say so
    else:
        now = stored_now()
        placement = place(pace, last, chunk.size, now, now)
        if isinstance(placement, Wait):
            wait = min(placement.until - now, MESSAGE_HORIZON)
            # Waiting is a sign of life: the sweeper must not take the action for stalled.
            stall = get_settings().stall_seconds
            await liveness.touch(str(chunk.action_id), wait.total_seconds() + stall)
            return Held(max(1, int(wait / timedelta(milliseconds=1))))
        if isinstance(placement, Join):
            if not await drips.join_batch(chunk.action_id, placement.batch, chunk.id, chunk.size):
                return Held(GATE_BUSY_MS)
            number = placement.batch.number
        else:
            assert isinstance(placement, Start)
            started = await drips.start_batch(
                chunk.action_id, last, now, chunk.id, chunk.size, pace.batch_size, placement.due_at
            )
            if not started:
                return Held(GATE_BUSY_MS)
            number = placement.number
    await chunks.set_batch(chunk.id, number)
    return Placed(chunk.model_copy(update={"batch": number}))
