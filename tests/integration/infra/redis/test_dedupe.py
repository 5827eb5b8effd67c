"""De-duplication of keys across an action's input, against the real Redis: the first valid
row of each key wins, a repeated planning run keeps its own rows, and the state stays small."""

import uuid
from collections.abc import Collection

from app.infra.redis import dedupe, keys
from app.infra.redis.client import get_redis

CHUNK = 1000


def action() -> str:
    return uuid.uuid4().hex[:24]


def valid_except(invalid: Collection[int], asked: list[int]) -> dedupe.Validity:
    async def valid(row: int) -> bool:
        asked.append(row)
        return row not in invalid

    return valid


async def test_the_first_row_of_each_key_wins_across_chunks() -> None:
    action_id = action()
    first = await dedupe.repeats(action_id, [(1, "a@x.com"), (2, "b@x.com"), (3, "a@x.com")])
    second = await dedupe.repeats(action_id, [(4, "b@x.com"), (5, "c@x.com")])
    assert (first, second) == ({3}, {4})
    # Another action's keys are its own.
    assert await dedupe.repeats(action(), [(9, "a@x.com")]) == set()


async def test_a_key_goes_to_its_first_valid_row_and_only_holders_are_checked() -> None:
    """Rows 1 and 2 hold the key and are invalid: row 3 is the first valid one, and the rows
    after it repeat it, in the chunk and in later ones. Only holders are asked about."""
    action_id, asked = action(), list[int]()
    valid = valid_except({1, 2, 6}, asked)
    keyed = [(1, "k"), (2, "k"), (3, "k"), (4, "k"), (5, "other")]
    assert await dedupe.repeats(action_id, keyed[:1], valid) == set()
    assert await dedupe.repeats(action_id, keyed[1:], valid) == {4}
    assert await dedupe.repeats(action_id, [(6, "other"), (7, "k")], valid) == {6, 7}
    assert asked == [1, 2, 3, 5, 3]  # never 4, 6 or 7: they hold no repeated key


async def test_a_repeated_planning_run_keeps_the_rows_it_had() -> None:
    action_id = action()
    keyed = [(n, f"user{n % 700}@x.com") for n in range(1, 1001)]
    first = await dedupe.repeats(action_id, keyed)
    assert first == set(range(701, 1001))
    assert await dedupe.repeats(action_id, keyed) == first
    assert await dedupe.repeats(action_id, keyed[:10]) == set()


async def test_a_repeated_run_after_a_key_moved_keeps_the_same_repeats() -> None:
    """Planning stopped after the key moved from invalid row 2 to row 5; run again from
    the start, every row ends as the first run left it (row 2, which holds no key now, is
    invalid, so its mark does not matter: processing logs it INVALID)."""
    action_id, asked = action(), list[int]()
    valid = valid_except({2}, asked)
    keyed = [(2, "k"), (5, "k"), (8, "k")]
    assert await dedupe.repeats(action_id, keyed, valid) == {8}
    again = await dedupe.repeats(action_id, keyed, valid)
    assert again - {2} == {8}


async def test_the_script_keeps_each_key_where_python_finds_it() -> None:
    """The claim script works out each key's bucket and field from its digest; moving a key
    (Python) must find it in the same place, or a moved key would be claimed afresh."""
    redis, action_id = get_redis(), action()
    keyed = [(n, f"user{n}@example.com") for n in range(1, 301)]
    await dedupe.repeats(action_id, keyed)
    for row, key in keyed:
        bucket, field = dedupe.bucket_and_field(key)
        holder = await redis.hget(keys.seen_keys(action_id, bucket), field)
        assert holder is not None and int(holder) == row
    await dedupe.forget(action_id)


async def test_a_million_row_action_keeps_under_32_mb_and_forget_frees_it() -> None:
    """Bounded Redis memory (it was one hash field per whole key: 80 MB for a million)."""
    redis, action_id, rows = get_redis(), action(), 1_000_000
    before = int((await redis.info("memory"))["used_memory"])
    for start in range(1, rows + 1, CHUNK):
        keyed = [(n, f"someone.{n}@example.com") for n in range(start, start + CHUNK)]
        assert await dedupe.repeats(action_id, keyed) == set()
    grown = int((await redis.info("memory"))["used_memory"]) - before
    assert grown < 32 * 1024 * 1024, grown
    await dedupe.forget(action_id)
    assert not [key async for key in redis.scan_iter(f"*{action_id}*", count=10_000)]


async def test_forgetting_an_action_of_a_few_rows_unlinks_only_the_buckets_it_made() -> None:
    """A three-row action made three buckets: forgetting it unlinks those three, not every
    bucket name an action could use (16,384 unlinks for each small action, in Redis)."""
    redis, action_id = get_redis(), action()
    keyed = [(n, f"few{n}@example.com") for n in range(1, 4)]
    await dedupe.repeats(action_id, keyed)
    made = {f"{dedupe.bucket_and_field(key)[0]:x}" for _, key in keyed}
    assert set(await redis.smembers(keys.seen_buckets(action_id))) == made
    # Each bucket and the note of them expire if planning never ends (a safety net).
    for name in [
        keys.seen_buckets(action_id),
        *(dedupe.bucket_names(action_id, (int(b, 16) for b in made)).values()),
    ]:
        assert 0 < await redis.ttl(name) <= dedupe.TTL_SECONDS
    await dedupe.forget(action_id)
    assert not [key async for key in redis.scan_iter(f"*{action_id}*", count=10_000)]


async def test_a_claim_of_the_largest_chunk_notes_every_bucket_it_made() -> None:
    """One claim of 10,000 keys (the largest `CHUNK_SIZE`) gives keys to thousands of
    buckets in one script call: each is noted, with its time to live, so forgetting the
    action leaves nothing."""
    redis, action_id = get_redis(), action()
    keyed = [(n, f"large{n}@example.com") for n in range(1, 10_001)]
    assert await dedupe.repeats(action_id, keyed) == set()
    made = {f"{dedupe.bucket_and_field(key)[0]:x}" for _, key in keyed}
    assert len(made) > 1000
    assert set(await redis.smembers(keys.seen_buckets(action_id))) == made
    names = list(dedupe.bucket_names(action_id, (int(b, 16) for b in made)).values())
    async with redis.pipeline(transaction=False) as pipe:
        for name in names:
            pipe.ttl(name)
        assert all(0 < ttl <= dedupe.TTL_SECONDS for ttl in await pipe.execute())
    await dedupe.forget(action_id)
    assert not [key async for key in redis.scan_iter(f"*{action_id}*", count=10_000)]
