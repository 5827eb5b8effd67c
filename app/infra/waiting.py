"""Chunks held back by their account's rate limit, per action, for the stats to show.

A Redis hash per action: chunk id → "<rows>:<start time in ms>". Entries are removed when the
chunk is let through, and the hash expires on its own after the last booked start.
"""

from dataclasses import dataclass

from app.infra import keys
from app.infra.redis import get_redis


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


async def waiting_of(action_id: str) -> Waiting:
    held = await get_redis().hgetall(keys.waiting(action_id))
    if not held:
        return Waiting()
    pairs = [str(value).split(":") for value in held.values()]
    return Waiting(
        chunks=len(pairs),
        rows=sum(int(rows) for rows, _ in pairs),
        next_start_ms=min(int(start) for _, start in pairs),
    )
