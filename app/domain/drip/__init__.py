"""Drip mode: an action's own pace — batches of a size, an interval between their starts,
allowed weekdays and a daily window in a time zone (app.domain.drip.pace checks what a user
sets; app.domain.drip.timetable says when a batch may start, as a pure function of the pace
and the time)."""

from app.domain.drip.pace import MAX_BATCH, MAX_EVERY, WEEKDAYS, Pace, Window, check_pace
from app.domain.drip.timetable import batches_until_done, next_opening, next_start

__all__ = [
    "MAX_BATCH",
    "MAX_EVERY",
    "WEEKDAYS",
    "Pace",
    "Window",
    "batches_until_done",
    "check_pace",
    "next_opening",
    "next_start",
]
