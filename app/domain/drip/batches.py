"""Which batch a chunk of a drip action runs in, or until when it waits: a pure function of
the pace, the action's last batch and the time.

A batch is `batch_size` rows made of whole chunks. A chunk joins the last batch while that
batch has room for it, its interval has not run out and the window is open; otherwise it
starts the next batch once `next_due` has come, or waits until then.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.domain.drip.pace import Pace
from app.domain.drip.timetable import next_start


@dataclass(frozen=True)
class Batch:
    """A batch as stored: its number (1, 2, …), when it started, the rows given to it so
    far, the batch size in force when it started (an edit changes the next batch), the rows
    given to it and every batch before (`placed`), its chunks, and when it was due (it starts
    a little later: the chunk's message comes back, a worker takes it)."""

    number: int
    started_at: datetime
    rows: int
    size: int
    placed: int
    chunks: tuple[str, ...] = ()
    due_at: datetime | None = None

    @property
    def lateness(self) -> timedelta:
        """How long after its due time it started."""
        if self.due_at is None:
            return timedelta(0)
        return max(self.started_at - self.due_at, timedelta(0))


@dataclass(frozen=True)
class Join:
    batch: Batch


@dataclass(frozen=True)
class Start:
    number: int
    due_at: datetime


@dataclass(frozen=True)
class Wait:
    until: datetime


Placement = Join | Start | Wait


def next_due(pace: Pace, last: Batch | None, not_before: datetime) -> datetime:
    """When the batch after `last` may start (the first: not before `not_before`)."""
    earliest = not_before if last is None else last.started_at + pace.every
    return next_start(pace, earliest)


def place(
    pace: Pace, last: Batch | None, rows: int, now: datetime, not_before: datetime
) -> Placement:
    """Where a chunk of `rows` rows that comes to run at `now` goes."""
    open_now = next_start(pace, now) <= now
    if (
        last is not None
        and open_now
        and last.rows + rows <= last.size
        and now < last.started_at + pace.every
    ):
        return Join(last)
    start = next_start(pace, max(next_due(pace, last, not_before), now))
    if start <= now:
        return Start(1 if last is None else last.number + 1, next_due(pace, last, not_before))
    return Wait(start)
