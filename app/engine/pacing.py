"""Admitting a chunk under its account's rate limit, before it runs.

Each chunk is charged its row count against the account's sliding-window limit. With room, it
runs now; without, it is booked at the exact time it will fit and waits until then, its place
kept (see app.infra.rate_limit). A chunk larger than the limit can never fit, so it is split into
parts that each fit. Chunks of a paused action are dropped (resume queues them again), and
those of a cancelled action run uncharged, as they only log their rows SKIPPED.
"""

from dataclasses import dataclass
from enum import Enum

from app.domain.models import Chunk, ControlRequest, request_of
from app.engine.splitting import split
from app.infra import liveness, waiting
from app.infra.account_limits import entity_limit, limit_for
from app.infra.settings import get_settings


class Verdict(Enum):
    RUN = "run"
    WAIT = "wait"
    DROP = "drop"


@dataclass(frozen=True)
class Admission:
    verdict: Verdict
    wait_ms: int = 0
    # When the chunk's rows were charged (epoch ms, Redis's clock): its start, as the limit
    # counts it. None when the chunk runs uncharged.
    charged_at_ms: int | None = None


async def admit(chunk_id: str) -> Admission:
    chunk = await Chunk.get(chunk_id)
    if chunk is None or chunk.done or chunk.parts is not None:
        # Nothing to charge: processing finds nothing to do, or queues the parts.
        return Admission(Verdict.RUN)
    request = await request_of(chunk.action_id)
    action_id = str(chunk.action_id)
    if request is ControlRequest.CANCEL:
        return Admission(Verdict.RUN)
    if request is ControlRequest.PAUSE:
        await waiting.let_go(action_id, chunk.id)
        return Admission(Verdict.DROP)
    limit = await limit_for(chunk.account_id)
    if chunk.size > limit:
        await split(chunk, limit)
        await waiting.let_go(action_id, chunk.id)
        return Admission(Verdict.DROP)
    # The chunk's id is its booking's token: a repeated delivery, a retry or the delayed
    # message itself finds the booking, so a chunk is charged once. It starts with the action
    # id, so that a pause or cancel can release the action's bookings.
    booked = await entity_limit().reserve(chunk.account_id, limit, chunk.size, chunk.id)
    if booked.wait_ms <= 0:
        await waiting.let_go(action_id, chunk.id)
        return Admission(Verdict.RUN, charged_at_ms=booked.starts_at_ms)
    await waiting.hold(action_id, chunk.id, chunk.size, booked.starts_at_ms, booked.wait_ms)
    # Waiting is a sign of life: the sweeper must not take the action for stalled.
    await liveness.touch(action_id, booked.wait_ms / 1000 + get_settings().stall_seconds)
    return Admission(Verdict.WAIT, wait_ms=booked.wait_ms)


async def release(account_id: str, action_id: str) -> None:
    """Gives back the bookings of an action's waiting chunks (paused or cancelled)."""
    await entity_limit().release(account_id, f"{action_id}:")
    await waiting.forget(action_id)
