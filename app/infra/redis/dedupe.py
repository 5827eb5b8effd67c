"""Which rows repeat the key of an earlier row: first occurrence wins, across the whole input.

The seen keys live in Redis, so the workers' memory stays bounded at any input size, and so
does Redis's: a key is kept as a 12-byte digest (blake2b) spread over `BUCKETS` small hashes
per action, which Redis stores as compact listpacks (about 21 bytes per key: 21 MB for a
1,000,000-row action, against 80 MB for the keys themselves in one hash). The digest's first
bits name the bucket, the other 10 bytes are the field, and its value is the row that had the
key first, so a repeated planning run finds its own earlier entries (same row number) and
does not take them for repeats. Two keys share a digest with odds of about 1 in 10^16 for a
million keys. Each chunk's keys are checked in one script call (dedupe_first_occurrences.lua).
"""

import hashlib
from collections.abc import Sequence

from app.infra.redis import keys
from app.infra.redis.client import get_redis, script

TTL_SECONDS = 7 * 24 * 3600
# 2^14 buckets: a 1,000,000-row action puts about 61 keys in each (at most about 100), under
# Redis's default `hash-max-listpack-entries` of 128, beyond which a hash takes 5x the memory.
BUCKET_BITS = 14
BUCKETS = 1 << BUCKET_BITS
DIGEST_BYTES = 12
# Bucket keys deleted per UNLINK when an action's planning is over.
FORGET_BATCH = 1024


def bucket_and_field(key: str) -> tuple[int, bytes]:
    """Where a key is kept: its bucket's number and its field there."""
    digest = hashlib.blake2b(key.encode(), digest_size=DIGEST_BYTES).digest()
    return int.from_bytes(digest[:2]) >> (16 - BUCKET_BITS), digest[2:]


async def first_occurrences(action_id: str, keyed: Sequence[tuple[int, str]]) -> set[int]:
    """Of (row, key) pairs in input order, the rows whose key no earlier row had."""
    firsts: dict[str, int] = {}
    for row, key in keyed:
        firsts.setdefault(key, row)
    if not firsts:
        return set()
    buckets: list[int] = []
    args: list[bytes | int] = []
    rows = list(firsts.values())
    for key, row in firsts.items():
        bucket, field = bucket_and_field(key)
        buckets.append(bucket)
        args += (field, row)
    prefix = keys.seen_keys_prefix(action_id)
    names = {bucket: f"{prefix}{bucket:x}" for bucket in set(buckets)}  # keys.seen_keys
    found = await script("dedupe_first_occurrences")(
        keys=[names[bucket] for bucket in buckets], args=[*args, TTL_SECONDS]
    )
    return {rows[int(position) - 1] for position in found}


async def forget(action_id: str) -> None:
    """Drops the action's seen keys (its planning is over)."""
    redis = get_redis()
    names = [keys.seen_keys(action_id, bucket) for bucket in range(BUCKETS)]
    async with redis.pipeline(transaction=False) as pipe:
        for start in range(0, BUCKETS, FORGET_BATCH):
            pipe.unlink(*names[start : start + FORGET_BATCH])
        await pipe.execute()
