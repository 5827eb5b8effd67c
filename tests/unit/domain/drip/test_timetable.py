"""When a drip batch may start: windows in local time across daylight-saving changes,
windows spanning midnight, day sets with gaps, and how long a schedule takes."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.drip import (
    Pace,
    Window,
    batches_until_done,
    check_pace,
    next_opening,
    next_start,
)
from app.domain.errors import BadUserInput

BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")
WORKDAYS = frozenset(range(5))


def pace(
    every: float = 600,
    days: frozenset[int] = frozenset(range(7)),
    window: tuple[str, str] | None = None,
    zone: str = "UTC",
) -> Pace:
    opens = None
    if window is not None:
        opens = Window(time.fromisoformat(window[0]), time.fromisoformat(window[1]))
    return Pace(100, timedelta(seconds=every), days, opens, zone)


def at(zone: ZoneInfo, *parts: int) -> datetime:
    """A wall-clock time in the zone (year, month, day, hour[, minute]), in UTC."""
    year, month, day, hour, *rest = parts
    minute = rest[0] if rest else 0
    return datetime(year, month, day, hour, minute, tzinfo=zone).astimezone(UTC)


def test_without_a_calendar_a_batch_starts_when_asked() -> None:
    now = datetime(2026, 3, 2, 12, tzinfo=UTC)
    assert next_start(pace(), now) == now


@pytest.mark.parametrize(
    ("zone", "day"),
    [
        (BERLIN, (2026, 3, 29)),
        (BERLIN, (2026, 10, 25)),
        (NEW_YORK, (2026, 3, 8)),
        (NEW_YORK, (2026, 11, 1)),
    ],
)
def test_a_window_keeps_its_wall_clock_hours_on_the_day_clocks_change(
    zone: ZoneInfo, day: tuple[int, int, int]
) -> None:
    office = pace(window=("09:00", "17:00"), zone=str(zone))
    before = at(zone, *day, 6)
    assert next_start(office, before) == at(zone, *day, 9)
    assert next_start(office, at(zone, *day, 16, 59)) == at(zone, *day, 16, 59)
    after = next_start(office, at(zone, *day, 17))  # closed: the next day's 09:00 local
    assert after.astimezone(zone).replace(tzinfo=None) == datetime(
        day[0], day[1], day[2], 9
    ) + timedelta(days=1)
    # The day the clocks change is 8 local hours long in the window, whatever its offset.
    opened, closed = next_opening(office, before)
    assert (opened.astimezone(zone).time(), closed.astimezone(zone).time()) == (time(9), time(17))
    assert closed - opened == timedelta(hours=8)


def test_a_window_opening_in_the_hour_clocks_skip_opens_after_the_change() -> None:
    night = pace(window=("02:30", "04:00"), zone="Europe/Berlin")
    # 29 March 2026: Berlin's clocks go from 02:00 to 03:00; 02:30 does not exist.
    opened = next_start(night, at(BERLIN, 2026, 3, 29, 0))
    assert opened.astimezone(BERLIN).replace(tzinfo=None) == datetime(2026, 3, 29, 3, 30)


def test_a_window_spanning_midnight_belongs_to_the_day_it_opens() -> None:
    # Friday and Saturday nights, 22:00 to 02:00.
    nights = pace(days=frozenset({4, 5}), window=("22:00", "02:00"))
    friday = datetime(2026, 3, 6, tzinfo=UTC)  # a Friday
    assert next_start(nights, friday) == datetime(2026, 3, 6, 22, tzinfo=UTC)
    # Saturday 01:00 is inside Friday's window.
    assert next_start(nights, datetime(2026, 3, 7, 1, tzinfo=UTC)) == datetime(
        2026, 3, 7, 1, tzinfo=UTC
    )
    # Sunday 01:00 is inside Saturday's; Monday 01:00 is not inside Sunday's (none).
    sunday = datetime(2026, 3, 8, 1, tzinfo=UTC)
    assert next_start(nights, sunday) == sunday
    assert next_start(nights, datetime(2026, 3, 9, 1, tzinfo=UTC)) == datetime(
        2026, 3, 13, 22, tzinfo=UTC
    )


def test_day_sets_with_gaps_skip_to_the_next_allowed_day() -> None:
    mon_wed_fri = pace(days=frozenset({0, 2, 4}), window=("09:00", "10:00"))
    tuesday = datetime(2026, 3, 3, 12, tzinfo=UTC)
    assert next_start(mon_wed_fri, tuesday) == datetime(2026, 3, 4, 9, tzinfo=UTC)
    friday_late = datetime(2026, 3, 6, 11, tzinfo=UTC)
    assert next_start(mon_wed_fri, friday_late) == datetime(2026, 3, 9, 9, tzinfo=UTC)


def test_two_hundred_thousand_rows_500_every_10_minutes_on_weekday_office_hours() -> None:
    """The issue's figure: 400 batches, 48 a day (09:00 to 16:50, every 10 minutes): eight
    working days of 48, and 16 more on the ninth: about 8.3 working days."""
    office = pace(every=600, days=WORKDAYS, window=("09:00", "17:00"), zone="Europe/Berlin")
    monday = at(BERLIN, 2026, 3, 2, 9)
    last = batches_until_done(office, 400, monday)
    assert last == at(BERLIN, 2026, 3, 12, 11, 30)  # 8 days of 48, then 16 more: Thursday
    working_days = 8 + (16 * 10 * 60) / (8 * 3600)
    assert round(working_days, 1) == 8.3


@given(
    every=st.integers(min_value=1, max_value=7200),
    batches=st.integers(min_value=1, max_value=300),
    start_minute=st.integers(min_value=0, max_value=7 * 24 * 60),
)
def test_counting_a_window_at_a_time_agrees_with_stepping_batch_by_batch(
    every: int, batches: int, start_minute: int
) -> None:
    office = pace(
        every=every,
        days=frozenset({0, 1, 3, 4}),
        window=("22:00", "03:30"),
        zone="America/New_York",
    )
    first = datetime(2026, 10, 26, tzinfo=UTC) + timedelta(
        minutes=start_minute
    )  # over a DST change
    stepped = next_start(office, first)
    for _ in range(batches - 1):
        stepped = next_start(office, stepped + office.every)
    assert batches_until_done(office, batches, first) == stepped


@pytest.mark.parametrize(
    ("given_", "said"),
    [
        (dict(batch_size=0), "drip.batchSize"),
        (dict(batch_size=10_001), "drip.batchSize"),
        (dict(batch_size=700), "above the account's limit"),
        (dict(every_seconds=0), "drip.everySeconds"),
        (dict(every_seconds=7 * 86400 + 1), "drip.everySeconds"),
        (dict(days=[]), "drip.days"),
        (dict(days=["MON", "FUNDAY"]), "drip.days"),
        (dict(window=("09:00", "09:00")), "no length"),
        (dict(window=("9am", "17:00")), "drip.window.from"),
        (dict(window=("09:00", "24:30")), "drip.window.to"),
        (dict(time_zone="Mars/Olympus"), "drip.timeZone"),
    ],
)
def test_a_bad_pace_is_refused_naming_the_field(given_: dict[str, object], said: str) -> None:
    settings: dict[str, object] = dict(
        batch_size=100, every_seconds=60, days=None, window=None, time_zone=None
    )
    with pytest.raises(BadUserInput, match=said):
        check_pace(**{**settings, **given_}, per_minute_limit=600)  # type: ignore[arg-type]
