"""A drip's pace as people write it: hours with one digit or two, and a window that runs to
the end of the day as "24:00"; anything else is refused naming the field."""

from datetime import time

import pytest

from app.domain.drip.pace import Window, check_pace
from app.domain.errors import BadUserInput


def window_of(start: str, end: str) -> Window | None:
    return check_pace(10, 60, None, (start, end), None, 1000).window


def test_hours_of_one_digit_and_the_end_of_the_day_are_read() -> None:
    assert window_of("9:00", "17:30") == Window(time(9), time(17, 30))
    assert window_of("09:00", "24:00") == Window(time(9), time(0))  # to midnight
    assert window_of(" 22:00 ", "6:00") == Window(time(22), time(6))


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("24:00", "06:00", "from"),
        ("25:00", "26:00", "from"),
        ("9", "17:00", "from"),
        ("09:00", "17:60", "to"),
        ("09:00", "24:01", "to"),
        ("009:00", "17:00", "from"),
    ],
)
def test_other_times_are_refused_naming_the_field(start: str, end: str, field: str) -> None:
    with pytest.raises(BadUserInput, match=f"drip.window.{field}: .* is not a time of day"):
        window_of(start, end)
