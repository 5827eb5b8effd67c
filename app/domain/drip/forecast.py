"""What a drip action's schedule says about its future: when its next batch may start and
how long its rows still take (pure functions, like the timetable they read)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil

from app.domain.drip.batches import Batch, next_due
from app.domain.drip.pace import Pace
from app.domain.drip.timetable import batches_until_done, next_start


@dataclass(frozen=True)
class Forecast:
    next_batch_at: datetime | None  # None: every row has its batch
    seconds_left: float


def room_in(pace: Pace, last: Batch | None, now: datetime) -> int:
    """Rows the last batch can still take: while its interval runs, up to its size."""
    if last is None or now >= last.started_at + pace.every:
        return 0
    return max(last.size - last.rows, 0)


def forecast(
    pace: Pace,
    last: Batch | None,
    rows: int,
    now: datetime,
    batch_seconds: float,
    not_before: datetime | None = None,
) -> Forecast:
    """The schedule of `rows` rows not given a batch yet, after `last`: when the next batch
    may start and when the last row is written (`batch_seconds`: how long one batch takes to
    write). `not_before`: the first batch's earliest start (a scheduled action's time). Each
    batch to come is expected as late after its due time as the last one was."""
    unplaced = rows - room_in(pace, last, now)
    if unplaced <= 0:
        return Forecast(None, batch_seconds if rows > 0 else 0.0)
    first = next_start(pace, max(next_due(pace, last, not_before or now), now))
    batches = ceil(unplaced / pace.batch_size)
    late = timedelta(0) if last is None else last.lateness
    last_start = batches_until_done(pace, batches, first) + late * batches
    return Forecast(first, (last_start - now) / timedelta(seconds=1) + batch_seconds)
