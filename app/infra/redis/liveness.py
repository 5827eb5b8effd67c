"""Signs of life of running actions, in Redis keys that expire.

Planning and chunk processing renew their action's key as they go; the sweeper restarts an
action whose key is gone (its worker died, or Redis lost the queued messages). A restart only
re-sends messages whose work is idempotent, so a false alarm costs time, never correctness.
"""

from collections.abc import Sequence

from app.infra.redis import keys
from app.infra.redis.client import get_redis
from app.infra.settings import get_settings


async def touch(action_id: str, seconds: float | None = None) -> None:
    ttl = seconds if seconds is not None else get_settings().stall_seconds
    await get_redis().set(keys.alive(action_id), 1, px=max(1, int(ttl * 1000)))


async def alive(action_ids: Sequence[str]) -> set[str]:
    if not action_ids:
        return set()
    found = await get_redis().mget([keys.alive(action_id) for action_id in action_ids])
    return {action_id for action_id, value in zip(action_ids, found, strict=True) if value}
