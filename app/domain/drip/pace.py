"""What a user sets for a drip action, checked: each refusal names the field."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from app.domain.errors import BadUserInput

MAX_BATCH = 10_000
MAX_EVERY = timedelta(days=7)
WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")  # datetime.weekday() order
# A time of day, "9:00" or "09:00" to "23:59"; a window may close at "24:00", the day's end.
CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
END_OF_DAY = "24:00"


@dataclass(frozen=True)
class Window:
    """A daily window in wall-clock time; `end` before `start` spans midnight (and belongs
    to the day it opens)."""

    start: time
    end: time

    @property
    def spans_midnight(self) -> bool:
        return self.end < self.start


@dataclass(frozen=True)
class Pace:
    batch_size: int
    every: timedelta
    days: frozenset[int] = frozenset(range(7))  # weekday numbers, Monday 0
    window: Window | None = None
    time_zone: str = "UTC"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def paced_by_calendar(self) -> bool:
        return self.window is not None or len(self.days) < 7


def clock_time(value: Any, where: str, closing: bool = False) -> time:
    """A time of day as written; a window's closing time may be the day's end, midnight."""
    if closing and isinstance(value, str) and value.strip() == END_OF_DAY:
        return time(0)
    if not isinstance(value, str) or not (found := CLOCK.match(value.strip())):
        latest = END_OF_DAY if closing else "23:59"
        raise BadUserInput(
            f"{where}: {str(value)[:40]!r} is not a time of day (HH:MM, 00:00-{latest})."
        )
    return time(int(found.group(1)), int(found.group(2)))


def check_zone(name: Any) -> str:
    if name is None:
        return "UTC"
    if not isinstance(name, str) or name not in available_timezones():
        raise BadUserInput(
            f"drip.timeZone: {str(name)[:60]!r} is not an IANA time zone (e.g. Europe/Berlin)."
        )
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadUserInput(f"drip.timeZone: {name!r} cannot be read.") from None
    return name


def check_pace(
    batch_size: Any,
    every_seconds: Any,
    days: Sequence[str] | None,
    window: tuple[Any, Any] | None,
    time_zone: Any,
    per_minute_limit: int,
) -> Pace:
    """The pace as given, or BAD_USER_INPUT naming the field at fault."""
    if not isinstance(batch_size, int) or not 1 <= batch_size <= MAX_BATCH:
        raise BadUserInput(f"drip.batchSize: between 1 and {MAX_BATCH:,}, not {batch_size}.")
    if batch_size > per_minute_limit:
        raise BadUserInput(
            f"drip.batchSize: {batch_size:,} is above the account's limit of "
            f"{per_minute_limit:,} entities per minute."
        )
    most = int(MAX_EVERY.total_seconds())
    if not isinstance(every_seconds, int) or not 1 <= every_seconds <= most:
        raise BadUserInput(
            f"drip.everySeconds: between 1 and {most:,} (7 days), not {every_seconds}."
        )
    chosen = frozenset(range(7))
    if days is not None:
        if not days:
            raise BadUserInput("drip.days: give at least one day, or leave it out for every day.")
        chosen = frozenset(WEEKDAYS.index(day) for day in days if day in WEEKDAYS)
        if unknown := [day for day in days if day not in WEEKDAYS]:
            raise BadUserInput(f"drip.days: unknown {unknown[:3]}; days are {', '.join(WEEKDAYS)}.")
    opens = None
    if window is not None:
        start = clock_time(window[0], "drip.window.from")
        end = clock_time(window[1], "drip.window.to", closing=True)
        if start == end:
            raise BadUserInput("drip.window: `from` and `to` are equal: the window has no length.")
        opens = Window(start, end)
    return Pace(batch_size, timedelta(seconds=every_seconds), chosen, opens, check_zone(time_zone))
