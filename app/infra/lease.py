"""Short leases in Redis: one holder at a time for work that should not run twice at once.

A lease expires on its own, so a holder that dies frees it after `stall_seconds`; holders
renew it as they make progress. Used for planning (a repeated planner message waits for the
one at work) and for the sweeper (one sweep per interval across all worker processes).
"""

import uuid

from app.infra.redis import get_redis
from app.infra.settings import get_settings

# Only the holder may renew or give back: compare the token, then act, in one step.
RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
GIVE_BACK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

# This process's token: a lease taken here is renewed and given back from here.
TOKEN = uuid.uuid4().hex


def default_ms() -> int:
    return get_settings().stall_seconds * 1000


async def take(name: str, ms: int | None = None) -> bool:
    return bool(await get_redis().set(name, TOKEN, nx=True, px=ms or default_ms()))


async def renew(name: str, ms: int | None = None) -> None:
    await get_redis().eval(RENEW, 1, name, TOKEN, ms or default_ms())


async def give_back(name: str) -> None:
    await get_redis().eval(GIVE_BACK, 1, name, TOKEN)
