"""The sliding-window limit's Lua scripts, against the real Redis, with short windows."""

import asyncio
import random
import uuid
from typing import cast

from app.infra.redis.rate_limit import CallLimit, SlidingWindowLimit

# Long enough that no booking of a test expires while it runs, even on a slow machine.
WINDOW_MS = 10_000


def limiter(window_ms: int = WINDOW_MS) -> SlidingWindowLimit:
    return SlidingWindowLimit(f"test-rate-{uuid.uuid4().hex[:8]}", window_ms)


async def bookings(limit: SlidingWindowLimit, subject: str) -> list[tuple[float, int]]:
    """(start ms, cost) of every booking, oldest first."""
    # The client decodes responses: members are str.
    members = cast(
        list[tuple[str, float]],
        await limit.redis.zrange(limit.key(subject), 0, -1, withscores=True),
    )
    return [(score, int(member.split(":")[0])) for member, score in members]


def heaviest_window(booked: list[tuple[float, int]]) -> int:
    """The most cost any window of WINDOW_MS holds (windows ending at each booking)."""
    return heaviest_window_of(booked, WINDOW_MS)


def heaviest_window_of(booked: list[tuple[float, int]], window_ms: int) -> int:
    return max(
        (
            sum(cost for start, cost in booked if end - window_ms < start <= end)
            for end, _ in booked
        ),
        default=0,
    )


async def test_reservations_never_overfill_a_window_and_leave_no_idle_time() -> None:
    limit, rng = limiter(), random.Random(7)
    costs = [rng.randint(1, 10) for _ in range(60)]
    for n, cost in enumerate(costs):
        booking = await limit.reserve("acct", 10, cost, f"chunk-{n}")
        assert booking.booked

    booked = await bookings(limit, "acct")
    assert len(booked) == len(costs)
    assert heaviest_window(booked) <= 10
    # Packed: each booking starts at once or exactly when an earlier one frees its room.
    starts = {start for start, _ in booked}
    first = min(starts)
    for start, _ in booked:
        assert start < first + 50 or any(start == other + WINDOW_MS for other in starts)


async def test_concurrent_reservations_see_one_log() -> None:
    limit = limiter()
    await asyncio.gather(*(limit.reserve("acct", 20, 3, f"c{n}") for n in range(40)))
    booked = await bookings(limit, "acct")
    assert len(booked) == 40
    assert heaviest_window(booked) <= 20


async def kept_and_counted(limit: SlidingWindowLimit, subject: str) -> tuple[list[int], list[int]]:
    """The cost each log holds as the scripts keep it, and as its members add up. A log that
    expired holds 0 to the scripts whatever its kept sum says (rate_limit_open.lua): a loaded
    machine may let one expire between two steps here."""
    kept = cast(dict[str, str], await limit.redis.hgetall(limit.sums_key(subject)))
    logs = [limit.key(subject), limit.writing_key(subject), limit.written_key(subject)]
    counted, read = [], []
    for i, key in enumerate(logs, start=1):
        members = cast(list[str], await limit.redis.zrange(key, 0, -1))
        counted.append(sum(int(member.split(":")[0]) for member in members))
        read.append(int(kept.get(str(i), 0)) if members else 0)
    return read, counted


async def test_the_kept_sums_follow_every_change_of_the_logs() -> None:
    """Bookings, writes begun, ended, refused, repeated and released, at random: after each,
    the sums the scripts keep are what the logs hold, and no window of bookings holds more
    than the limit."""
    limit = SlidingWindowLimit(f"test-sums-{uuid.uuid4().hex[:8]}", 1500, writes_last_ms=60_000)
    rng = random.Random(5)
    booked: dict[str, int] = {}  # token: cost, as a chunk is booked and begun with its size
    started: list[str] = []
    for n in range(120):
        step = rng.random()
        if step < 0.4 or not booked:
            token, cost = f"chunk-{n}", rng.randint(1, 12)
            if (await limit.reserve("acct", 30, cost, token)).booked:
                booked[token] = cost
        elif step < 0.65:
            token = rng.choice(list(booked))
            if await limit.begin("acct", 30, booked[token], token) is not None:
                started.append(token)
        elif step < 0.85 and started:
            token = started.pop(rng.randrange(len(started)))
            await limit.finish("acct", booked[token], token)
        elif step < 0.9:
            await limit.release("acct", f"chunk-{rng.randint(0, n)}")
        else:
            await asyncio.sleep(0.3)  # some charges leave the window
        kept, counted = await kept_and_counted(limit, "acct")
        assert kept == counted, (n, kept, counted)
    assert heaviest_window_of(await bookings(limit, "acct"), 1500) <= 30


async def test_a_booking_waits_a_window_past_the_writes_in_progress() -> None:
    """Writes in progress count as ending now at the earliest: a booking they leave no room
    for starts a whole window later."""
    limit = SlidingWindowLimit(f"test-rate-{uuid.uuid4().hex[:8]}", 5000, writes_last_ms=60_000)
    assert await limit.begin("acct", 10, 8, "writing") is not None
    booking = await limit.reserve("acct", 10, 5, "next")
    assert booking.booked and 4900 <= booking.wait_ms <= 5000
    # Never before the latest booking, though 8 + 2 would fit now.
    assert (await limit.reserve("acct", 10, 2, "small")).starts_at_ms >= booking.starts_at_ms


async def test_logs_written_before_the_sums_were_are_counted_once() -> None:
    limit = SlidingWindowLimit(f"test-sums-{uuid.uuid4().hex[:8]}", 60_000, writes_last_ms=60_000)
    await limit.begin("acct", 100, 30, "a")
    await limit.finish("acct", 30, "a")
    await limit.begin("acct", 100, 20, "b")
    await limit.reserve("acct", 100, 40, "c")
    await limit.redis.delete(limit.sums_key("acct"))  # as an older version left them
    usage = await limit.usage("acct")
    assert (usage.in_window, usage.ahead) == (50, 40)
    assert await limit.begin("acct", 100, 51, "d") is None  # 30 + 20 written or writing
    kept, counted = await kept_and_counted(limit, "acct")
    assert kept == counted == [40, 20, 30]


def calls(window_ms: int = WINDOW_MS) -> CallLimit:
    return CallLimit(f"test-calls-{uuid.uuid4().hex[:8]}", window_ms)


async def test_calls_are_taken_up_to_the_limit_then_refused_until_the_oldest_leaves() -> None:
    limit = calls(window_ms=800)
    assert (await limit.take("acct", 2, "a")).booked
    await asyncio.sleep(0.2)
    assert (await limit.take("acct", 2, "b")).booked
    refused = await limit.take("acct", 2, "c")
    assert not refused.booked
    # Room comes back when "a", the oldest, leaves the window: not when "b" does.
    assert 0 < refused.wait_ms <= 600
    assert (await limit.take("acct", 2, "d")).wait_ms <= refused.wait_ms  # refusals are free
    await asyncio.sleep(refused.wait_ms / 1000 + 0.05)
    assert (await limit.take("acct", 2, "c")).booked
    assert not (await limit.take("acct", 2, "e")).booked  # "b" and "c" fill it again


async def test_concurrent_calls_never_overfill_a_window() -> None:
    limit = calls()
    taken = await asyncio.gather(*(limit.take("acct", 20, f"call-{n}") for n in range(50)))
    assert sum(booking.booked for booking in taken) == 20
    assert await limit.redis.zcard(limit.key("acct")) == 20  # only those taken are logged


async def test_calls_at_random_times_fill_every_window_exactly_to_the_limit() -> None:
    """Every window holds at most the limit of calls taken, every refusal came when the
    window ending then held the limit, and its wait ends when the oldest that must leave
    does (times are Redis's, as the script answers them)."""
    limit, window, rng = calls(window_ms=300), 300, random.Random(11)
    taken: list[int] = []
    refused: list[tuple[int, int]] = []  # (when, when one would fit)
    for n in range(80):
        booking = await limit.take("acct", 5, f"call-{n}")
        now = booking.starts_at_ms - booking.wait_ms
        if booking.booked:
            taken.append(now)
        else:
            refused.append((now, booking.starts_at_ms))
        await asyncio.sleep(rng.uniform(0, 0.03))

    def held(end: int) -> list[int]:
        return [at for at in taken if end - window < at <= end]

    assert refused and len(taken) > 10
    assert all(len(held(at)) <= 5 for at in taken)
    for when, fits in refused:
        assert len(held(when)) == 5
        assert fits == sorted(held(when))[0] + window


async def test_a_lower_limit_refuses_calls_until_enough_leave() -> None:
    limit = calls(window_ms=1000)
    for n in range(4):
        assert (await limit.take("acct", 4, f"call-{n}")).booked
    refused = await limit.take("acct", 2, "lowered")
    # Three must leave for one more to fit under 2: the wait runs to the third's leaving.
    third = await limit.redis.zrange(limit.key("acct"), 2, 2, withscores=True)
    assert refused.starts_at_ms == int(third[0][1]) + 1000


async def test_a_subject_calls_do_not_count_for_another() -> None:
    limit = calls()
    assert (await limit.take("one", 1, "a")).booked
    assert (await limit.take("two", 1, "b")).booked
    assert not (await limit.take("one", 1, "c")).booked


async def test_a_booking_is_found_again_by_its_token_and_not_charged_twice() -> None:
    limit = limiter()
    first = await limit.reserve("acct", 5, 5, "same")
    again = await limit.reserve("acct", 5, 5, "same")
    assert again.booked and again.wait_ms <= first.wait_ms
    assert len(await bookings(limit, "acct")) == 1


async def test_a_cost_above_the_limit_is_refused_as_too_large() -> None:
    booking = await limiter().reserve("acct", 5, 6, "big")
    assert booking.too_large and not booking.booked


async def test_release_gives_back_only_future_bookings_of_the_prefix() -> None:
    limit = limiter()
    await limit.reserve("acct", 4, 4, "action-a:0")  # starts now
    await limit.reserve("acct", 4, 4, "action-a:1")  # booked ahead
    await limit.reserve("acct", 4, 4, "action-b:0")  # booked ahead
    assert await limit.release("acct", "action-a:") == 1
    members = cast(list[str], await limit.redis.zrange(limit.key("acct"), 0, -1))
    assert sorted(member.split(":", 1)[1] for member in members) == ["action-a:0", "action-b:0"]
    usage = await limit.usage("acct")
    assert (usage.in_window, usage.ahead) == (0, 8)  # booked, none of it written yet


async def test_a_write_counts_from_its_start_until_a_window_after_it_ends() -> None:
    limit = SlidingWindowLimit(f"test-rate-{uuid.uuid4().hex[:8]}", 1000, writes_last_ms=60_000)
    assert await limit.begin("acct", 10, 6, "a") is not None
    assert await limit.begin("acct", 10, 4, "b") is not None
    assert await limit.begin("acct", 10, 1, "c") is None  # full while they write
    await asyncio.sleep(1.2)  # longer than the window: still writing, still counted
    assert await limit.begin("acct", 10, 1, "c") is None
    await limit.finish("acct", 6, "a")
    assert await limit.begin("acct", 10, 1, "c") is None  # ended just now: in this window
    await asyncio.sleep(1.2)
    assert await limit.begin("acct", 10, 6, "c") is not None  # a's window has passed
    assert (await limit.usage("acct")).in_window == 10


async def test_a_write_whose_worker_died_counts_as_ended_after_its_longest_time() -> None:
    limit = SlidingWindowLimit(f"test-rate-{uuid.uuid4().hex[:8]}", 500, writes_last_ms=500)
    assert await limit.begin("acct", 10, 10, "dead") is not None
    assert await limit.begin("acct", 10, 1, "next") is None
    await asyncio.sleep(1.2)  # its longest time and then a window have passed
    assert await limit.begin("acct", 10, 10, "next") is not None


async def test_a_write_taken_as_done_expires_with_its_window() -> None:
    """A write past its longest time is moved to the writes done, which then expire a window
    later, as every log and their sums do: none is left in Redis for good."""
    limit = SlidingWindowLimit(f"test-rate-{uuid.uuid4().hex[:8]}", 60_000, writes_last_ms=300)
    assert await limit.begin("acct", 10, 4, "dead") is not None
    await asyncio.sleep(0.5)
    assert (await limit.usage("acct")).in_window == 4  # taken as done now: in the window
    for key in (limit.written_key("acct"), limit.sums_key("acct")):
        assert 0 < await limit.redis.pttl(key) <= 60_300


async def test_a_write_done_once_is_not_charged_again_when_its_chunk_comes_back() -> None:
    limit = SlidingWindowLimit(f"test-rate-{uuid.uuid4().hex[:8]}", 60_000, writes_last_ms=60_000)
    assert await limit.begin("acct", 10, 6, "a") is not None
    await limit.finish("acct", 6, "a")
    # Its worker died before recording the chunk: the redelivery writes the same rows again.
    assert await limit.begin("acct", 10, 6, "a") is not None
    await limit.finish("acct", 6, "a")
    assert (await limit.usage("acct")).in_window == 6


async def test_the_rows_being_written_are_found_by_token_prefix() -> None:
    prefix = f"test-writing-{uuid.uuid4().hex}"
    limit = SlidingWindowLimit(prefix, window_ms=60_000, writes_last_ms=60_000)
    await limit.begin("acct", 1000, 60, "action1:0")
    await limit.begin("acct", 1000, 40, "action1:1")
    await limit.begin("acct", 1000, 30, "action2:0")
    assert await limit.writing("acct", ["action1:", "action2:", "action3:"]) == [100, 30, 0]
    await limit.finish("acct", 60, "action1:0")
    assert await limit.writing("acct", ["action1:"]) == [40]
