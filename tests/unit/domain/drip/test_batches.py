"""Which batch a chunk runs in, or until when it waits (app.domain.drip.batches), and what the
schedule says of an action's future (app.domain.drip.forecast)."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.domain.drip import Pace, Window
from app.domain.drip.batches import Batch, Join, Start, Wait, place
from app.domain.drip.forecast import forecast

NOON = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)  # a Wednesday
EVERY_5S = Pace(100, timedelta(seconds=5))
OFFICE = Pace(
    500, timedelta(minutes=10), frozenset(range(5)), Window(time(9), time(17)), "Europe/Berlin"
)


def batch(number: int, started: datetime, rows: int = 100, size: int = 100) -> Batch:
    return Batch(number, started, rows, size, placed=number * rows, chunks=(f"c{number}",))


def test_the_first_chunk_starts_batch_one_at_once() -> None:
    assert place(EVERY_5S, None, 100, NOON, NOON) == Start(1, NOON)


def test_a_chunk_joins_the_last_batch_while_it_has_room_and_time() -> None:
    half = batch(3, NOON, rows=50)
    assert place(EVERY_5S, half, 50, NOON + timedelta(seconds=1), NOON) == Join(half)
    # Too many rows for the room left, or the batch's interval over: the next batch, in time.
    assert place(EVERY_5S, half, 60, NOON + timedelta(seconds=1), NOON) == Wait(
        NOON + timedelta(seconds=5)
    )
    assert place(EVERY_5S, half, 50, NOON + timedelta(seconds=5), NOON) == Start(
        4, NOON + timedelta(seconds=5)
    )


def test_the_next_batch_waits_for_the_interval_from_the_last_start() -> None:
    full = batch(2, NOON)
    assert place(EVERY_5S, full, 100, NOON + timedelta(seconds=4.9), NOON) == Wait(
        NOON + timedelta(seconds=5)
    )
    due = NOON + timedelta(seconds=5)
    assert place(EVERY_5S, full, 100, due, NOON) == Start(3, due)
    # A late chunk starts its batch when it comes; the batch says when it was due.
    assert place(EVERY_5S, full, 100, NOON + timedelta(hours=1), NOON) == Start(3, due)


def test_no_batch_starts_outside_the_window_and_the_next_opening_resumes() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    friday_late = datetime(2026, 12, 4, 16, 55, tzinfo=berlin).astimezone(UTC)
    last = batch(7, friday_late, rows=500, size=500)
    # Due at 17:05, after the window closed: Monday 09:00 in Berlin.
    monday = datetime(2026, 12, 7, 9, 0, tzinfo=berlin).astimezone(UTC)
    assert place(OFFICE, last, 500, friday_late + timedelta(minutes=10), friday_late) == Wait(
        monday
    )
    # A chunk of the running batch does not join it once the window has closed.
    room = batch(7, friday_late, rows=100, size=500)
    after_close = datetime(2026, 12, 4, 17, 1, tzinfo=berlin).astimezone(UTC)
    assert place(OFFICE, room, 100, after_close, friday_late) == Wait(monday)
    assert place(OFFICE, last, 500, monday, friday_late) == Start(8, monday)


def test_the_eta_follows_the_schedule_of_working_days() -> None:
    """200,000 rows, 500 every 10 minutes, weekdays 09:00-17:00 in Berlin: 400 batches, 48 a
    day, so the last starts on the 9th working day, 8.3 working days after the first."""
    berlin = ZoneInfo("Europe/Berlin")
    monday = datetime(2026, 12, 7, 9, 0, tzinfo=berlin).astimezone(UTC)
    ahead = forecast(OFFICE, None, 200_000, monday, batch_seconds=30)
    last_start = datetime(2026, 12, 17, 11, 30, tzinfo=berlin).astimezone(UTC)  # a Thursday
    assert ahead.next_batch_at == monday
    assert ahead.seconds_left == (last_start - monday).total_seconds() + 30


def test_the_forecast_counts_the_room_left_in_the_running_batch() -> None:
    running = batch(2, NOON, rows=60)
    soon = NOON + timedelta(seconds=1)
    assert forecast(EVERY_5S, running, 40, soon, 0.5).next_batch_at is None  # fits batch 2
    ahead = forecast(EVERY_5S, running, 240, soon, 0.5)  # 40 join it, 200 in 2 more batches
    assert ahead.next_batch_at == NOON + timedelta(seconds=5)
    assert ahead.seconds_left == 4 + 5 + 0.5
    assert forecast(EVERY_5S, running, 0, soon, 0.5).seconds_left == 0


def test_batches_to_come_are_expected_as_late_as_the_last_one_was() -> None:
    """A batch starts a little after its due time (its chunk's message comes back, a worker
    takes it): the forecast expects each one to come as late as the last."""
    late = Batch(2, NOON + timedelta(seconds=0.5), 100, 100, 200, ("c2",), NOON)
    soon = NOON + timedelta(seconds=1)
    ahead = forecast(EVERY_5S, late, 300, soon, 0)
    # Batches 3, 4, 5 due 5 s apart from batch 2's start, each half a second late.
    assert ahead.seconds_left == 4.5 + 5 + 5 + 3 * 0.5
