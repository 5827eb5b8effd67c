"""Chunks held back by their account's rate limit, per action, for the stats to show.

A Redis hash per action: chunk id → "<rows>:<start time in ms>". Entries are removed when the
chunk is let through, and the hash expires on its own after the last booked start.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from app.infra.redis import keys
from app.infra.redis.client import get_redis


@dataclass(frozen=True)
class Waiting:
    chunks: int = 0
    rows: int = 0
    next_start_ms: int | None = None  # epoch ms of the earliest booked start


async def hold(action_id: str, chunk_id: str, rows: int, start_ms: int, wait_ms: int) -> None:
    key = keys.waiting(action_id)
    async with get_redis().pipeline(transaction=False) as pipe:
        pipe.hset(key, chunk_id, f"{rows}:{start_ms}")
        pipe.pexpire(key, wait_ms + 60_000)
        await pipe.execute()


async def let_go(action_id: str, chunk_id: str) -> None:
    await get_redis().hdel(keys.waiting(action_id), chunk_id)


async def forget(action_id: str) -> None:
    await get_redis().delete(keys.waiting(action_id))


async def waiting_of_many(action_ids: Sequence[str]) -> list[Waiting]:
    """What each action has waiting, with one round trip to Redis for all of them."""
    if not action_ids:
        return []
    async with get_redis().pipeline(transaction=False) as pipe:
        for action_id in action_ids:
            pipe.hgetall(keys.waiting(action_id))
        found = await pipe.execute()
    return [summed(held) for held in found]


def summed(held: dict[str, str]) -> Waiting:
    if not held:
        return Waiting()
    pairs = [str(value).split(":") for value in held.values()]
    return Waiting(
        chunks=len(pairs),
        rows=sum(int(rows) for rows, _ in pairs),
        next_start_ms=min(int(start) for _, start in pairs),
    )
