"""When a drip batch may start: pure functions of the pace and the time.

A batch starts no earlier than the previous batch's start plus `every`, and only at an
instant inside an allowed day's window, in the pace's time zone. Windows keep their
wall-clock hours on the days clocks change (a 09:00-17:00 window is 8 hours of local time,
whatever UTC offset the day has; a wall-clock time that does not exist that day, in the hour
clocks skip, is read as the same time after the change). A window spanning midnight belongs to
the day it opens: its days say whether it opens that evening.
"""

from datetime import UTC, date, datetime, time, timedelta

from app.domain.drip.pace import Pace

# How far ahead an opening is looked for: past a week every day set has one.
LOOKAHEAD_DAYS = 8


def local(day: date, at: time, pace: Pace) -> datetime:
    """The instant of a wall-clock time on a day in the pace's zone, in UTC."""
    wall = datetime.combine(day, at, tzinfo=pace.zone)
    # A nonexistent wall time (clocks skip over it) round-trips to a real one after the gap.
    return wall.astimezone(UTC).astimezone(pace.zone).astimezone(UTC)


def openings(pace: Pace, day: date) -> tuple[datetime, datetime] | None:
    """The window the day opens, as UTC instants [start, end), or None if it opens none."""
    if day.weekday() not in pace.days:
        return None
    if pace.window is None:
        return local(day, time(0), pace), local(day + timedelta(days=1), time(0), pace)
    start = local(day, pace.window.start, pace)
    end_day = day + timedelta(days=1) if pace.window.spans_midnight else day
    return start, local(end_day, pace.window.end, pace)


def next_opening(pace: Pace, after: datetime) -> tuple[datetime, datetime]:
    """The window in force at `after`, or the next one to open: (its start or `after`, its
    end)."""
    today = after.astimezone(pace.zone).date()
    for offset in range(-1, LOOKAHEAD_DAYS):  # yesterday's window may span into today
        window = openings(pace, today + timedelta(days=offset))
        if window is None:
            continue
        start, end = window
        if end > after:
            return max(start, after), end
    raise AssertionError("every pace has an opening within a week")  # days is never empty


def next_start(pace: Pace, earliest: datetime) -> datetime:
    """The first instant at or after `earliest` when a batch may start."""
    if not pace.paced_by_calendar:
        return earliest
    return next_opening(pace, earliest)[0]


def batches_until_done(pace: Pace, batches: int, first: datetime) -> datetime:
    """When the last of `batches` batches starts, the first at `first` or later: counted a
    window at a time (how many starts fit in it), so a month of batches costs a month of
    steps, not one per batch."""
    if batches <= 0:
        return first
    at = next_start(pace, first)
    left = batches - 1
    if not pace.paced_by_calendar:
        return at + pace.every * left
    while left > 0:
        _, end = next_opening(pace, at)
        # Starts that fit in this window after `at`: at + every, at + 2 every, … < end.
        fit = max(int((end - at - timedelta(microseconds=1)) / pace.every), 0)
        if fit >= left:
            return at + pace.every * left
        left -= fit
        at = next_start(pace, max(at + pace.every * (fit + 1), end))
        left -= 1
    return at
