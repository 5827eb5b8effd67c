"""Figures about an action's progress, derived from its counters and its account's limit."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from beanie import PydanticObjectId

from app.domain.clock import utcnow
from app.domain.drip import Pace, next_start
from app.domain.drip.batches import Batch, next_due
from app.domain.drip.forecast import forecast
from app.domain.models import TERMINAL_STATUSES, BulkAction, BulkActionStatus
from app.domain.models.ids import saved_id
from app.domain.progress import Counters
from app.infra.mongo import drips
from app.infra.mongo.accounts.limits import limit_for
from app.infra.mongo.chunks import progress_of
from app.infra.redis.account_limits import entity_limit
from app.infra.redis.waiting import Waiting, waiting_of_many
from app.usecases.control import statuses_of


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
    # Rows of chunks whose writes are under way: what still lands after a pause or cancel.
    finishing_rows: int = 0
    # A drip action's pace in force (None: the account limit only), when its next batch may
    # start (None when none waits), how many batches started; a dry run's, how long the real
    # run would take under that pace.
    drip: Pace | None = None
    next_batch_at: datetime | None = None
    batches_started: int = 0
    estimated_seconds: float | None = None


@dataclass(frozen=True)
class DripState:
    pace: Pace
    last: Batch | None


def eta(remaining: int, rate: float | None, per_minute: int) -> float | None:
    """The later of: at the rate so far, and at the account's limit (which caps any rate)."""
    if remaining <= 0:
        return 0.0
    at_limit = remaining / (per_minute / 60)
    if rate is None or rate <= 0:
        return at_limit
    return max(remaining / rate, at_limit)


def time_left(
    shown: BulkActionStatus, remaining: int, finishing: int, rate: float | None, per_minute: int
) -> float | None:
    """While it runs, the ETA of its remaining rows. Paused, none: nothing new starts until
    it is resumed. Cancelling, only the rows being written count (already charged to the
    limit); the others are skipped, which takes no time worth showing."""
    if shown is BulkActionStatus.PAUSED:
        return None
    if shown is BulkActionStatus.CANCELLING:
        if finishing <= 0:
            return 0.0
        return finishing / rate if rate else None
    return eta(remaining, rate, per_minute)


async def stats_of_many(
    actions: Sequence[BulkAction], shown: Sequence[BulkActionStatus] | None = None
) -> list[ActionStats]:
    """Each action's figures, read together: one chunk query, one Redis round trip for what
    waits and one script call per account for what is being written, however many actions
    there are (a page of a list, say). `shown`: their statuses as shown, if already read."""
    counters = await progress_of(actions)
    statuses = list(shown) if shown is not None else await statuses_of(actions)
    running = [action for action in actions if action.status not in TERMINAL_STATUSES]
    running_ids = [str(saved_id(action)) for action in running]
    held = dict(zip(running_ids, await waiting_of_many(running_ids), strict=True))
    finishing = await rows_being_written(running)
    limits = {account: await limit_for(account) for account in {a.account_id for a in actions}}
    dripping = await drip_states(actions)
    return [
        figures(
            action,
            count,
            held.get(str(action.id), Waiting()),
            limits[action.account_id],
            shown=status,
            finishing=finishing.get(str(action.id), 0),
            drip=dripping.get(saved_id(action)),
        )
        for action, status, count in zip(actions, statuses, counters, strict=True)
    ]


async def drip_states(actions: Sequence[BulkAction]) -> dict[PydanticObjectId, DripState]:
    """The pace in force of each drip action (one query), and the last batch of those still
    running (one query each): an ended one shows the pace it ended under."""
    dripped = [action for action in actions if action.dripped]
    if not dripped:
        return {}
    paces = await drips.paces_of([saved_id(action) for action in dripped])
    running = [
        saved_id(action)
        for action in dripped
        if saved_id(action) in paces
        and not action.dry_run
        and action.status not in TERMINAL_STATUSES
    ]
    lasts = await drips.last_batches(running)
    return {action_id: DripState(pace, lasts.get(action_id)) for action_id, pace in paces.items()}


async def rows_being_written(actions: Sequence[BulkAction]) -> dict[str, int]:
    """Rows of each action's chunks whose writes are under way (charged to the account's
    limit from their start, by chunk id), with one script call per account."""
    by_account: dict[str, list[str]] = {}
    for action in actions:
        by_account.setdefault(action.account_id, []).append(str(saved_id(action)))
    found: dict[str, int] = {}
    for account_id, action_ids in by_account.items():
        prefixes = [f"{action_id}:" for action_id in action_ids]
        rows = await entity_limit().writing(account_id, prefixes)
        found.update(zip(action_ids, rows, strict=True))
    return found


async def stats_of(action: BulkAction, shown: BulkActionStatus | None = None) -> ActionStats:
    return (await stats_of_many([action], None if shown is None else [shown]))[0]


def figures(
    action: BulkAction,
    counters: Counters,
    held: Waiting,
    per_minute: int,
    shown: BulkActionStatus | None = None,
    finishing: int = 0,
    drip: DripState | None = None,
) -> ActionStats:
    """The figures; `shown` is the status its owner sees (PAUSED, CANCELLING), by default
    the stored one, `finishing` the rows being written now, `drip` its pace and last batch."""
    shown = shown or action.status
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
            remaining_time = time_left(shown, total - processed, finishing, rate, per_minute)
    paced = drip_figures(action, shown, total if counted else None, per_minute, drip)
    if paced.seconds_left is not None:
        remaining_time = paced.seconds_left
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
        finishing_rows=finishing,
        drip=None if drip is None else drip.pace,
        next_batch_at=paced.next_batch_at,
        batches_started=0 if drip is None or drip.last is None else drip.last.number,
        estimated_seconds=paced.estimated_seconds,
    )


@dataclass(frozen=True)
class DripFigures:
    next_batch_at: datetime | None = None
    seconds_left: float | None = None  # the ETA under the pace, replacing the plain one
    estimated_seconds: float | None = None  # a dry run's


def drip_figures(
    action: BulkAction,
    shown: BulkActionStatus,
    total: int | None,
    per_minute: int,
    drip: DripState | None,
) -> DripFigures:
    """What the pace says of the action's future: a dry run's estimate of the real run, or
    a running action's next batch and time left (none while paused or cancelling)."""
    if drip is None:
        return DripFigures()
    now = utcnow()
    batch_seconds = drip.pace.batch_size / (per_minute / 60)
    if action.dry_run:
        if total is None:
            return DripFigures()
        return DripFigures(
            estimated_seconds=forecast(drip.pace, None, total, now, batch_seconds).seconds_left
        )
    if action.status in TERMINAL_STATUSES or shown in (
        BulkActionStatus.PAUSED,
        BulkActionStatus.CANCELLING,
    ):
        return DripFigures()
    if total is None:
        # A filter's matches are not counted yet: the next batch's time is known all the same.
        due = next_due(drip.pace, drip.last, action.scheduled_at or now)
        return DripFigures(next_start(drip.pace, max(due, now)))
    placed = 0 if drip.last is None else drip.last.placed
    ahead = forecast(drip.pace, drip.last, total - placed, now, batch_seconds, action.scheduled_at)
    return DripFigures(ahead.next_batch_at, ahead.seconds_left)
