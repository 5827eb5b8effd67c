"""Which rows repeat the key of an earlier row: first occurrence wins, across the whole input.

The seen keys live in a Redis hash per action (key → row number), so memory in the workers
stays bounded at any input size. A repeated planning run finds its own earlier entries (same
row number) and does not take them for duplicates.
"""

from collections.abc import Sequence

from app.infra import keys
from app.infra.redis import get_redis

TTL_SECONDS = 7 * 24 * 3600


async def first_occurrences(action_id: str, keyed: Sequence[tuple[int, str]]) -> set[int]:
    """Of (row, key) pairs in input order, the rows whose key no earlier row had."""
    redis = get_redis()
    name = keys.seen_keys(action_id)
    firsts: dict[str, int] = {}
    for row, key in keyed:
        firsts.setdefault(key, row)
    if not firsts:
        return set()
    async with redis.pipeline(transaction=False) as pipe:
        for key, row in firsts.items():
            pipe.hsetnx(name, key, row)
        pipe.expire(name, TTL_SECONDS)
        claimed = (await pipe.execute())[:-1]
    winners = {row for (key, row), new in zip(firsts.items(), claimed, strict=True) if new}
    taken = [key for (key, _), new in zip(firsts.items(), claimed, strict=True) if not new]
    if taken:
        # Keys set before: ours again if an earlier run of this planning set the same row.
        holders = await redis.hmget(name, taken)
        winners |= {
            firsts[key]
            for key, holder in zip(taken, holders, strict=True)
            if holder == str(firsts[key])
        }
    return winners


async def forget(action_id: str) -> None:
    await get_redis().delete(keys.seen_keys(action_id))
