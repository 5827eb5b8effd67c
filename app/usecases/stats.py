"""Figures about an action's progress, derived from its counters and its account's limit."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from app.domain.clock import utcnow
from app.domain.models import TERMINAL_STATUSES, BulkAction
from app.domain.models.ids import saved_id
from app.domain.progress import Counters, counters_of_many
from app.infra.account_limits import limit_for
from app.infra.waiting import Waiting, waiting_of_many


@dataclass(frozen=True)
class ActionStats:
    total: int
    processed: int
    succeeded: int
    failed: int
    skipped: int
    progress: float
    chunks_total: int
    chunks_done: int
    elapsed_seconds: float | None
    rate_per_second: float | None
    eta_seconds: float | None
    # Held back by the account's rate limit: chunks and rows booked for a later start.
    waiting_chunks: int
    waiting_rows: int
    next_start_at: datetime | None
    rate_limit_per_minute: int


def eta(remaining: int, rate: float | None, per_minute: int) -> float | None:
    """The later of: at the rate so far, and at the account's limit (which caps any rate)."""
    if remaining <= 0:
        return 0.0
    at_limit = remaining / (per_minute / 60)
    if rate is None or rate <= 0:
        return at_limit
    return max(remaining / rate, at_limit)


async def stats_of_many(actions: Sequence[BulkAction]) -> list[ActionStats]:
    """Each action's figures, read together: one chunk query and one Redis round trip for
    all of them, however many there are (a page of a list, say)."""
    counters = await counters_of_many(actions)
    running = [
        str(saved_id(action)) for action in actions if action.status not in TERMINAL_STATUSES
    ]
    held = dict(zip(running, await waiting_of_many(running), strict=True))
    limits = {account: await limit_for(account) for account in {a.account_id for a in actions}}
    return [
        figures(action, count, held.get(str(action.id), Waiting()), limits[action.account_id])
        for action, count in zip(actions, counters, strict=True)
    ]


async def stats_of(action: BulkAction) -> ActionStats:
    return (await stats_of_many([action]))[0]


def figures(action: BulkAction, counters: Counters, held: Waiting, per_minute: int) -> ActionStats:
    ended = action.status in TERMINAL_STATUSES
    # Until planning has read the whole input: the rows the input was known to hold when
    # the action was made, or (a filter's) the rows planned so far.
    counted = action.total is not None or action.expected_total is not None
    if action.total is not None:
        total = action.total
    else:
        total = max(counters.planned, action.expected_total or 0)
    processed = counters.processed
    elapsed = rate = remaining_time = None
    if action.started_at is not None:
        end = action.finished_at or utcnow()
        elapsed = max((end - action.started_at).total_seconds(), 0.0)
        if elapsed > 0:
            rate = processed / elapsed
        if not ended and counted:
            remaining_time = eta(total - processed, rate, per_minute)
    return ActionStats(
        total=total,
        processed=processed,
        succeeded=counters.succeeded,
        failed=counters.failed,
        skipped=counters.skipped,
        progress=processed / total if total else (1.0 if action.finished_at else 0.0),
        chunks_total=action.chunks_total or 0,
        chunks_done=counters.chunks_done,
        elapsed_seconds=elapsed,
        rate_per_second=rate,
        eta_seconds=remaining_time,
        waiting_chunks=held.chunks,
        waiting_rows=held.rows,
        next_start_at=None
        if held.next_start_ms is None
        else datetime.fromtimestamp(held.next_start_ms / 1000, UTC),
        rate_limit_per_minute=per_minute,
    )
