"""Short leases in Redis: one holder at a time for work that should not run twice at once.

A lease expires on its own. One taken with `take` lasts its time (the sweeper's: one sweep
per interval across all worker processes). One taken with `keep` (planning's) lasts as long
as its process lives: the process's heartbeat renews it (`renew_kept`), so it frees within
`WORKER_DEAD_AFTER_SECONDS` of the holder's death, however long the work takes.
"""

import uuid

from app.infra.redis.client import get_redis, script
from app.infra.settings import get_settings

# This process's token: a lease taken here is renewed and given back from here.
TOKEN = uuid.uuid4().hex
# Leases this process keeps while it lives.
KEPT: set[str] = set()


def default_ms() -> int:
    return get_settings().stall_seconds * 1000


async def take(name: str, ms: int | None = None, holder: str | None = None) -> bool:
    """Takes the lease for this process, or for `holder` (whose later self `holder_of` tells)."""
    return bool(await get_redis().set(name, holder or TOKEN, nx=True, px=ms or default_ms()))


async def take_over(name: str, holder: str, by: str, ms: int) -> bool:
    """Passes the lease from `holder` to `by` for `ms`, if `holder` still holds it."""
    return bool(await script("lease_take_over")(keys=[name], args=[holder, by, ms]))


async def holder_of(name: str) -> str | None:
    """Who holds the lease (a process's token, or the holder named at `take`), if anyone."""
    found = await get_redis().get(name)
    return found.decode() if isinstance(found, bytes) else found


async def renew(name: str, ms: int | None = None) -> None:
    # Only the holder may renew or give back: the token compared, then acted on, in one step.
    await script("lease_renew")(keys=[name], args=[TOKEN, ms or default_ms()])


async def give_back(name: str) -> None:
    KEPT.discard(name)
    await script("lease_give_back")(keys=[name], args=[TOKEN])


def kept_ms() -> int:
    return get_settings().worker_dead_after_seconds * 1000


async def keep(name: str) -> bool:
    """Takes the lease for as long as this process lives (or until given back)."""
    if not await take(name, kept_ms()):
        return False
    KEPT.add(name)
    return True


async def renew_kept() -> None:
    for name in list(KEPT):
        await renew(name, kept_ms())


async def remaining_ms(name: str) -> int:
    """How long until the lease frees by itself (0 if it is free)."""
    return max(0, int(await get_redis().pttl(name)))
