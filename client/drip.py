"""The CLI's drip options, read into the API's DripInput: `--drip 500/10m` (rows per batch /
interval in s, m, h or d), `--days MON-FRI` (ranges and commas: `MON,WED,FRI-SUN`),
`--window 09:00-17:00` and `--tz Europe/Berlin`. The API checks the values; this only reads
the notation, so a typo fails here, before any file is sent."""

import re
from typing import Any

WEEK = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
PACE = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*([smhd]?)\s*$", re.IGNORECASE)
WINDOW = re.compile(r"^\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*$")


class DripNotation(ValueError):
    """An option that is not in the notation its help gives."""


def read_days(text: str) -> list[str]:
    days: list[str] = []
    for part in text.upper().replace(" ", "").split(","):
        first, _, last = part.partition("-")
        if first not in WEEK or (last and last not in WEEK):
            raise DripNotation(f"--days: {part!r} is not a day or a range like MON-FRI")
        start, end = WEEK.index(first), WEEK.index(last or first)
        span = range(start, end + 1) if start <= end else [*range(start, 7), *range(0, end + 1)]
        days += [WEEK[number] for number in span if WEEK[number] not in days]
    return sorted(days, key=WEEK.index)


def drip_input(
    pace: str, days: str | None = None, window: str | None = None, tz: str | None = None
) -> dict[str, Any]:
    """The DripInput these options say."""
    found = PACE.match(pace)
    if found is None:
        raise DripNotation(f"--drip: {pace!r} is not ROWS/INTERVAL, like 500/10m")
    given: dict[str, Any] = {
        "batchSize": int(found.group(1)),
        "everySeconds": int(found.group(2)) * UNITS[(found.group(3) or "s").lower()],
    }
    if days:
        given["days"] = read_days(days)
    if window:
        hours = WINDOW.match(window)
        if hours is None:
            raise DripNotation(f"--window: {window!r} is not FROM-TO, like 09:00-17:00")
        given["window"] = {"from": hours.group(1).zfill(5), "to": hours.group(2).zfill(5)}
    if tz:
        given["timeZone"] = tz
    return given
