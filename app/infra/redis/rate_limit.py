"""Sliding-window limits in Redis: an exact bound on every rolling window, not an average.

A limited key is a log of charges: a sorted set whose scores are the times (Redis's clock, in
ms) from which charges count, and whose members are "<cost>:<token>". A charge at time T counts
in every window that contains T. Booking puts a new charge at the earliest time, not before the
latest booking, at which the costs in the window ending there plus the new cost stay within the
limit; later charges never land before earlier ones, so every window that contains the new one
ends with it or holds nothing later, and the check above covers it.

`reserve` books that time even if it lies ahead (the caller waits until then, its place kept,
so waiting work uses the whole limit as it frees up); `try_acquire` books only if it is now.
A booking is a forecast; work that takes time is charged for real when it starts (`begin`:
only if it fits the window ending then) and counts until it ends (`finish`), so the bound
holds on the times the work is done, however long it takes.
Each decision is one Lua script, so concurrent callers on any number of processes see one log.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from app.infra.redis.client import get_redis

# Shared opening of the scripts over a subject's bookings (KEYS[1]), writes in progress
# (KEYS[2], scored by start) and writes done (KEYS[3], scored by end): the time, charges no
# window counts any more dropped, and writes older than ARGV[1] ms (their worker died) taken
# as done now.
OPEN = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
local function cost_of(member) return tonumber(string.match(member, '^(%d+):')) end
local function total(members)
  local sum = 0
  for _, m in ipairs(members) do sum = sum + cost_of(m) end
  return sum
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - window)
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[1]))) do
  redis.call('ZREM', KEYS[2], m)
  redis.call('ZADD', KEYS[3], now, m)
end
"""

# ARGV: writes_last_ms, window_ms, limit, cost, member, "reserve" | "try".
# Returns {booked (1/0, -1 when cost > limit), wait_ms, start (ms, Redis clock)}.
# Bookings, writes done and writes in progress (as if ending now) all count.
BOOK = (
    OPEN
    + """
local limit = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local member = ARGV[5]
if redis.call('ZSCORE', KEYS[2], member) or redis.call('ZSCORE', KEYS[3], member) then
  return {1, 0, now}
end
local held = redis.call('ZSCORE', KEYS[1], member)
if held then
  return {1, math.max(0, tonumber(held) - now), tonumber(held)}
end
if cost > limit then
  return {-1, 0, now}
end
local entries = {}
for _, key in ipairs({KEYS[1], KEYS[3]}) do
  local flat = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
  for i = 1, #flat, 2 do
    entries[#entries + 1] = {cost_of(flat[i]), tonumber(flat[i + 1])}
  end
end
for _, m in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  entries[#entries + 1] = {cost_of(m), now}
end
table.sort(entries, function(a, b) return a[2] < b[2] end)
local used, last = 0, now
for _, entry in ipairs(entries) do
  used = used + entry[1]
  if entry[2] > last then last = entry[2] end
end
local at = last
local i = 1
while used + cost > limit do
  used = used - entries[i][1]
  local frees = entries[i][2] + window
  if frees > at then at = frees end
  i = i + 1
end
if ARGV[6] ~= 'reserve' and at > now then
  return {0, at - now, at}
end
redis.call('ZADD', KEYS[1], at, member)
redis.call('PEXPIRE', KEYS[1], at - now + window)
return {1, at - now, at}
"""
)

# ARGV: writes_last_ms, window_ms, limit, cost, member. Starts a write now if its cost fits
# with the writes done in the window ending now and those in progress; its booking is
# replaced. A write already done (its worker died before telling) is not charged again.
# Returns {1, start}, or {0, now} when it does not fit.
BEGIN = (
    OPEN
    + """
local limit = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local member = ARGV[5]
redis.call('ZREM', KEYS[1], member)
if redis.call('ZSCORE', KEYS[3], member) then
  return {1, now}
end
redis.call('ZREM', KEYS[2], member)
local used = total(redis.call('ZRANGE', KEYS[3], 0, -1))
  + total(redis.call('ZRANGE', KEYS[2], 0, -1))
if used + cost > limit then
  return {0, now}
end
redis.call('ZADD', KEYS[2], now, member)
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[1]) + window)
return {1, now}
"""
)

# ARGV: writes_last_ms, window_ms, member. The write has ended: from now on it counts as done
# at this time, in every window that contains it.
FINISH = (
    OPEN
    + """
if redis.call('ZREM', KEYS[2], ARGV[3]) == 1 then
  redis.call('ZADD', KEYS[3], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[3], window)
end
return now
"""
)

# ARGV: writes_last_ms, window_ms. Returns {cost written or being written in the window
# ending now, cost booked and not written yet}.
USAGE = (
    OPEN
    + """
local written = total(redis.call('ZRANGE', KEYS[3], 0, -1))
  + total(redis.call('ZRANGE', KEYS[2], 0, -1))
return {written, total(redis.call('ZRANGE', KEYS[1], 0, -1))}
"""
)

# ARGV: writes_last_ms, window_ms, token prefixes. Returns, for each prefix, the cost of the
# writes in progress whose token starts so.
WRITING = (
    OPEN
    + """
local writing = redis.call('ZRANGE', KEYS[2], 0, -1)
local sums = {}
for i = 3, #ARGV do
  local prefix = ARGV[i]
  local sum = 0
  for _, member in ipairs(writing) do
    local token = string.match(member, '^%d+:(.*)$')
    if token and string.sub(token, 1, #prefix) == prefix then sum = sum + cost_of(member) end
  end
  sums[#sums + 1] = sum
end
return sums
"""
)

# KEYS[1]: the log. ARGV: token prefix. Drops bookings not started yet whose token starts so.
RELEASE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ahead = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')
local prefix = ARGV[1]
local dropped = 0
for _, member in ipairs(ahead) do
  local token = string.match(member, '^%d+:(.*)$')
  if token and string.sub(token, 1, #prefix) == prefix then
    redis.call('ZREM', KEYS[1], member)
    dropped = dropped + 1
  end
end
return dropped
"""


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


class SlidingWindowLimit:
    """One family of limited keys (per account), all with the same window.

    Work whose duration matters (writes that take a while) is charged with `begin` when it
    starts and `finish` when it ends: it counts in every window that overlaps it. A write
    never finished (its worker died) counts as ended `writes_last_ms` after it began.
    """

    def __init__(
        self, prefix: str, window_ms: int, writes_last_ms: int = 0, redis: Redis | None = None
    ) -> None:
        self.prefix = prefix
        self.window_ms = window_ms
        self.writes_last_ms = writes_last_ms
        self._redis = redis

    @property
    def redis(self) -> Redis:
        return self._redis or get_redis()

    def key(self, subject: str) -> str:
        return f"{self.prefix}:{subject}"

    def writing_key(self, subject: str) -> str:
        return f"{self.prefix}/writing:{subject}"

    def written_key(self, subject: str) -> str:
        return f"{self.prefix}/written:{subject}"

    async def _run(self, source: str, subject: str, *args: str | int) -> Any:
        script = self.redis.register_script(source)
        return await script(
            keys=[self.key(subject), self.writing_key(subject), self.written_key(subject)],
            args=[self.writes_last_ms, self.window_ms, *args],
        )

    async def _book(self, subject: str, limit: int, cost: int, token: str, mode: str) -> Booking:
        booked, wait_ms, starts_at_ms = await self._run(
            BOOK, subject, limit, cost, f"{cost}:{token}", mode
        )
        return Booking(
            booked=booked == 1,
            wait_ms=int(wait_ms),
            starts_at_ms=int(starts_at_ms),
            too_large=booked == -1,
        )

    async def reserve(self, subject: str, limit: int, cost: int, token: str) -> Booking:
        """Books the earliest time the cost fits. The same token again finds its booking
        (while it counts), so a repeated request is charged once."""
        return await self._book(subject, limit, cost, token, "reserve")

    async def try_acquire(self, subject: str, limit: int, cost: int, token: str) -> Booking:
        """Books now if the cost fits now; otherwise says how long until it would."""
        return await self._book(subject, limit, cost, token, "try")

    async def begin(self, subject: str, limit: int, cost: int, token: str) -> int | None:
        """Starts the token's write now if its cost fits (replacing its booking); returns
        the start (epoch ms, Redis's clock), or None when it does not fit now."""
        began, at = await self._run(BEGIN, subject, limit, cost, f"{cost}:{token}")
        return int(at) if began == 1 else None

    async def finish(self, subject: str, cost: int, token: str) -> int:
        """Ends the token's write: it counts at this time from now on. Returns that time
        (epoch ms, Redis's clock)."""
        return int(await self._run(FINISH, subject, f"{cost}:{token}"))

    async def usage(self, subject: str) -> Usage:
        in_window, ahead = await self._run(USAGE, subject)
        return Usage(in_window=int(in_window), ahead=int(ahead))

    async def writing(self, subject: str, token_prefixes: Sequence[str]) -> list[int]:
        """The cost of the writes in progress whose token starts with each prefix (e.g. the
        rows of an action's chunks being written now)."""
        if not token_prefixes:
            return []
        return [int(cost) for cost in await self._run(WRITING, subject, *token_prefixes)]

    async def release(self, subject: str, token_prefix: str) -> int:
        """Gives back bookings that have not started, e.g. of an action paused or cancelled."""
        script = self.redis.register_script(RELEASE)
        return int(await script(keys=[self.key(subject)], args=[token_prefix]))
