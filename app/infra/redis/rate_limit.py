"""Sliding-window limits in Redis: an exact bound on every rolling window, not an average.

A limited key is a log of charges: a sorted set whose scores are the times (Redis's clock, in
ms) from which charges count, and whose members are "<cost>:<token>". A charge at time T counts
in every window that contains T. Booking puts a new charge at the earliest time, not before the
latest booking, at which the costs in the window ending there plus the new cost stay within the
limit; later charges never land before earlier ones, so every window that contains the new one
ends with it or holds nothing later, and the check above covers it.

`reserve` books that time even if it lies ahead (the caller waits until then, its place kept,
so waiting work uses the whole limit as it frees up).
A booking is a forecast; work that takes time is charged for real when it starts (`begin`:
only if it fits the window ending then) and counts until it ends (`finish`), so the bound
holds on the times the work is done, however long it takes.
Each decision is one Lua script, so concurrent callers on any number of processes see one log.
The cost each log holds is kept beside it and changed with it (rate_limit_open.lua), so a
booking that fits reads sums, and one that waits walks only the oldest entries that must
leave: a script's cost does not grow with the charges of the window (`bench/limits`: a booking
that walked and sorted the whole log took Redis 5.7 ms at 3,000 charges, 34 µs now).

Calls (API requests) are limited by `CallLimit` (call_limit_take.lua): each costs one and is
taken now or refused, so a check counts the window instead of walking it, at the same bound.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from app.infra.redis.client import get_redis, script

# The scripts (rate_limit_*.lua, beside this module) share an opening over a subject's
# bookings (KEYS[1]), writes in progress (KEYS[2], scored by start) and writes done (KEYS[3],
# scored by end): rate_limit_open.lua.


@dataclass(frozen=True)
class Booking:
    booked: bool
    wait_ms: int  # until the booking starts (booked), or until one would fit (not booked)
    starts_at_ms: int  # that time, epoch ms on Redis's clock
    too_large: bool = False


@dataclass(frozen=True)
class Usage:
    in_window: int  # cost written, or being written, in the window ending now
    ahead: int  # cost booked and not written yet


class WindowLog:
    """A family of per-subject sliding-window logs in Redis (one per account), all with the
    same window."""

    def __init__(self, prefix: str, window_ms: int, redis: Redis | None = None) -> None:
        self.prefix = prefix
        self.window_ms = window_ms
        self._redis = redis

    @property
    def redis(self) -> Redis:
        return self._redis or get_redis()

    def key(self, subject: str) -> str:
        return f"{self.prefix}:{subject}"


class SlidingWindowLimit(WindowLog):
    """One family of limited keys (per account), all with the same window.

    Work whose duration matters (writes that take a while) is charged with `begin` when it
    starts and `finish` when it ends: it counts in every window that overlaps it. A write
    never finished (its worker died) counts as ended `writes_last_ms` after it began.
    """

    def __init__(
        self, prefix: str, window_ms: int, writes_last_ms: int = 0, redis: Redis | None = None
    ) -> None:
        super().__init__(prefix, window_ms, redis)
        self.writes_last_ms = writes_last_ms

    def writing_key(self, subject: str) -> str:
        return f"{self.prefix}/writing:{subject}"

    def written_key(self, subject: str) -> str:
        return f"{self.prefix}/written:{subject}"

    def sums_key(self, subject: str) -> str:
        """The cost each of the subject's three logs holds (rate_limit_open.lua)."""
        return f"{self.prefix}/sums:{subject}"

    async def _run(self, name: str, subject: str, *args: str | int) -> Any:
        return await script(name, self.redis)(
            keys=[
                self.key(subject),
                self.writing_key(subject),
                self.written_key(subject),
                self.sums_key(subject),
            ],
            args=[self.writes_last_ms, self.window_ms, *args],
        )

    async def reserve(self, subject: str, limit: int, cost: int, token: str) -> Booking:
        """Books the earliest time the cost fits. The same token again finds its booking
        (while it counts), so a repeated request is charged once."""
        booked, wait_ms, starts_at_ms = await self._run(
            "rate_limit_book", subject, limit, cost, f"{cost}:{token}"
        )
        return Booking(
            booked=booked == 1,
            wait_ms=int(wait_ms),
            starts_at_ms=int(starts_at_ms),
            too_large=booked == -1,
        )

    async def begin(self, subject: str, limit: int, cost: int, token: str) -> int | None:
        """Starts the token's write now if its cost fits (replacing its booking); returns
        the start (epoch ms, Redis's clock), or None when it does not fit now."""
        began, at = await self._run("rate_limit_begin", subject, limit, cost, f"{cost}:{token}")
        return int(at) if began == 1 else None

    async def finish(self, subject: str, cost: int, token: str) -> int:
        """Ends the token's write: it counts at this time from now on. Returns that time
        (epoch ms, Redis's clock)."""
        return int(await self._run("rate_limit_finish", subject, f"{cost}:{token}"))

    async def usage(self, subject: str) -> Usage:
        in_window, ahead = await self._run("rate_limit_usage", subject)
        return Usage(in_window=int(in_window), ahead=int(ahead))

    async def writing(self, subject: str, token_prefixes: Sequence[str]) -> list[int]:
        """The cost of the writes in progress whose token starts with each prefix (e.g. the
        rows of an action's chunks being written now)."""
        if not token_prefixes:
            return []
        return [
            int(cost) for cost in await self._run("rate_limit_writing", subject, *token_prefixes)
        ]

    async def release(self, subject: str, token_prefix: str) -> int:
        """Gives back bookings that have not started, e.g. of an action paused or cancelled."""
        return int(await self._run("rate_limit_release", subject, token_prefix))


class CallLimit(WindowLog):
    """A sliding-window limit on calls (one family of keys, per account): each call costs one
    and is taken now or refused, never booked ahead. Its log is the calls' times, so a check
    costs Redis a count and a lookup by rank (O(log n)) where `SlidingWindowLimit`'s walk of
    the whole log costs O(n log n): an account at a limit of thousands a minute would make
    every request of its own, taken or refused, cost Redis a millisecond. Exact as
    `SlidingWindowLimit` is: no window ending at or after a call holds more than the limit."""

    async def take(self, subject: str, limit: int, token: str) -> Booking:
        """Takes a call now if it fits (`token`: unique to the call); otherwise says how long
        until one would."""
        taken, wait_ms, at = await script("call_limit_take", self.redis)(
            keys=[self.key(subject)], args=[self.window_ms, limit, token]
        )
        return Booking(booked=taken == 1, wait_ms=int(wait_ms), starts_at_ms=int(at))
