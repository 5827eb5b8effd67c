"""Sliding-window limits in Redis: an exact bound on every rolling window, not an average.

A limited key is a log of charges: a sorted set whose scores are the times (Redis's clock, in
ms) from which charges count, and whose members are "<cost>:<token>". A charge at time T counts
in every window that contains T. Booking puts a new charge at the earliest time, not before the
latest booking, at which the costs in the window ending there plus the new cost stay within the
limit; later charges never land before earlier ones, so every window that contains the new one
ends with it or holds nothing later, and the check above covers it.

`reserve` books that time even if it lies ahead (the caller waits until then, its place kept,
so waiting work uses the whole limit as it frees up); `try_acquire` books only if it is now.
Each decision is one Lua script, so concurrent callers on any number of processes see one log.
"""

from dataclasses import dataclass

from redis.asyncio import Redis

from app.infra.redis import get_redis

# KEYS[1]: the log. ARGV: limit, window_ms, cost, member, "reserve" | "try".
# Returns {booked (1/0, -1 when cost > limit), wait_ms, start (ms, Redis clock)}.
BOOK = """
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local member = ARGV[4]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local held = redis.call('ZSCORE', KEYS[1], member)
if held then
  return {1, math.max(0, tonumber(held) - now), tonumber(held)}
end
if cost > limit then
  return {-1, 0, now}
end
local entries = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
local used, last = 0, now
for i = 1, #entries, 2 do
  used = used + tonumber(string.match(entries[i], '^(%d+):'))
  local score = tonumber(entries[i + 1])
  if score > last then last = score end
end
local at = last
local i = 1
while used + cost > limit do
  used = used - tonumber(string.match(entries[i], '^(%d+):'))
  local frees = tonumber(entries[i + 1]) + window
  if frees > at then at = frees end
  i = i + 2
end
if ARGV[5] ~= 'reserve' and at > now then
  return {0, at - now, at}
end
redis.call('ZADD', KEYS[1], at, member)
redis.call('PEXPIRE', KEYS[1], at - now + window)
return {1, at - now, at}
"""

# KEYS[1]: the log. ARGV: window_ms. Returns {cost counted now, cost booked ahead}.
USAGE = """
local window = tonumber(ARGV[1])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local entries = redis.call('ZRANGEBYSCORE', KEYS[1], now - window + 1, '+inf', 'WITHSCORES')
local now_used, ahead = 0, 0
for i = 1, #entries, 2 do
  local c = tonumber(string.match(entries[i], '^(%d+):'))
  if tonumber(entries[i + 1]) <= now then now_used = now_used + c else ahead = ahead + c end
end
return {now_used, ahead}
"""

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
    in_window: int  # cost counted in the window ending now
    ahead: int  # cost booked for later


class SlidingWindowLimit:
    """One family of limited keys (per account), all with the same window."""

    def __init__(self, prefix: str, window_ms: int, redis: Redis | None = None) -> None:
        self.prefix = prefix
        self.window_ms = window_ms
        self._redis = redis

    @property
    def redis(self) -> Redis:
        return self._redis or get_redis()

    def key(self, subject: str) -> str:
        return f"{self.prefix}:{subject}"

    async def _book(self, subject: str, limit: int, cost: int, token: str, mode: str) -> Booking:
        member = f"{cost}:{token}"
        script = self.redis.register_script(BOOK)
        booked, wait_ms, starts_at_ms = await script(
            keys=[self.key(subject)], args=[limit, self.window_ms, cost, member, mode]
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

    async def usage(self, subject: str) -> Usage:
        script = self.redis.register_script(USAGE)
        in_window, ahead = await script(keys=[self.key(subject)], args=[self.window_ms])
        return Usage(in_window=int(in_window), ahead=int(ahead))

    async def release(self, subject: str, token_prefix: str) -> int:
        """Gives back bookings that have not started, e.g. of an action paused or cancelled."""
        script = self.redis.register_script(RELEASE)
        return int(await script(keys=[self.key(subject)], args=[token_prefix]))
