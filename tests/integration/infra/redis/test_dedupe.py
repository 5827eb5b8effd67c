"""De-duplication of keys across an action's input, against the real Redis: first occurrence
wins, a repeated planning run keeps its own rows, and the state stays small."""

import uuid

from app.infra.redis import dedupe
from app.infra.redis.client import get_redis

CHUNK = 1000


def action() -> str:
    return uuid.uuid4().hex[:24]


async def test_the_first_row_of_each_key_wins_across_chunks() -> None:
    action_id = action()
    first = await dedupe.first_occurrences(
        action_id, [(1, "a@x.com"), (2, "b@x.com"), (3, "a@x.com")]
    )
    second = await dedupe.first_occurrences(action_id, [(4, "b@x.com"), (5, "c@x.com")])
    assert (first, second) == ({1, 2}, {5})
    # Another action's keys are its own.
    assert await dedupe.first_occurrences(action(), [(9, "a@x.com")]) == {9}


async def test_a_repeated_planning_run_keeps_the_rows_it_had() -> None:
    action_id = action()
    keyed = [(n, f"user{n % 700}@x.com") for n in range(1, 1001)]
    first = await dedupe.first_occurrences(action_id, keyed)
    assert first == set(range(1, 701))
    assert await dedupe.first_occurrences(action_id, keyed) == first
    assert await dedupe.first_occurrences(action_id, keyed[:10]) == set(range(1, 11))


async def test_a_million_row_action_keeps_under_32_mb_and_forget_frees_it() -> None:
    """Bounded Redis memory (it was one hash field per whole key: 80 MB for a million)."""
    redis, action_id, rows = get_redis(), action(), 1_000_000
    before = int((await redis.info("memory"))["used_memory"])
    for start in range(1, rows + 1, CHUNK):
        keyed = [(n, f"someone.{n}@example.com") for n in range(start, start + CHUNK)]
        assert await dedupe.first_occurrences(action_id, keyed) == {n for n, _ in keyed}
    grown = int((await redis.info("memory"))["used_memory"]) - before
    assert grown < 32 * 1024 * 1024, grown
    await dedupe.forget(action_id)
    assert not [key async for key in redis.scan_iter(f"*{action_id}*", count=10_000)]
