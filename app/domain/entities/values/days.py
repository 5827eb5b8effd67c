"""Calendar days written with slashes, which say their order only where the file says it.

`12/3/2026` is the 3rd of December in the US and the 12th of March in Britain: a day with
slashes is read only as the action's `dateOrder` says (DAY_FIRST, MONTH_FIRST), or when
its year comes first (`2026/12/03`, which no locale writes otherwise).
"""

import re
from datetime import date

from app.domain.entities.values.text_checks import shown

SLASHED = re.compile(r"^\s*(\d{1,4})/(\d{1,2})/(\d{1,4})\s*$")
YEAR_FIRST = re.compile(r"^\s*(\d{4})/(\d{1,2})/(\d{1,2})\s*$")


def year_first(text: str) -> date | None:
    """The day `2026/12/03` writes, year first (None: not such a day)."""
    found = YEAR_FIRST.match(text)
    if found is None:
        return None
    year, month, day = map(int, found.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def slashed_day(text: str, day_first: bool) -> str | None:
    """The day a text with slashes writes, in the order given (day or month first, the year
    last), as YYYY-MM-DD; None when the text has no slashes. ValueError, saying why for a
    person, when it has but is no such day."""
    found = SLASHED.match(text)
    if found is None:
        return None
    if (day := year_first(text)) is not None:
        return day.isoformat()
    first, second, year = found.groups()
    order = "DAY_FIRST" if day_first else "MONTH_FIRST"
    if len(year) != 4:
        raise ValueError(f"{shown(text)} is not a date: write its year with four digits")
    try:
        day_, month = (first, second) if day_first else (second, first)
        return date(int(year), int(month), int(day_)).isoformat()
    except ValueError:
        raise ValueError(
            f"{shown(text)} is not a date with the {order.lower().replace('_', ' ')} "
            f"(dateOrder {order})"
        ) from None
