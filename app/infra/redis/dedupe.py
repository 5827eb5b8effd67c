"""Which rows repeat the key of an earlier valid row: across the whole input, the first valid
row with a key holds it, and the rows after it with that key are repeats.

The seen keys live in Redis, so the workers' memory stays bounded at any input size, and so
does Redis's: a key is kept as a 12-byte digest (blake2b) spread over `BUCKETS` small hashes
per action, which Redis stores as compact listpacks (about 21 bytes per key: 21 MB for a
1,000,000-row action, against 80 MB for the keys themselves in one hash). The digest's first
bits name the bucket, the other 10 bytes are the field, and its value is the row that holds
the key, so a repeated planning run finds its own earlier entries (same row number) and
does not take them for repeats. Two keys share a digest with odds of about 1 in 10^16 for a
million keys. Each chunk's keys are claimed in one script call (dedupe_claim.lua), which notes
each bucket it makes (`keys.seen_buckets`): when planning is over, only those are unlinked, a
few for an action of a few rows rather than every name an action could use. A bucket no
claim noted (made by a version before the note, for a planning that ran across an upgrade) is
left to its time to live.

A key goes to the first row that has it, valid or not: planning reads a CSV row's key alone,
and checks the whole row only when another row repeats its key. A holder found invalid then
gives the key to the row that repeats it, so each key ends held by its first valid row.
"""

import hashlib
import struct
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence

from app.infra.redis import keys
from app.infra.redis.client import get_redis, script

TTL_SECONDS = 7 * 24 * 3600
# 2^14 buckets: a 1,000,000-row action puts about 61 keys in each (at most about 100), under
# Redis's default `hash-max-listpack-entries` of 128, beyond which a hash takes 5x the memory.
BUCKET_BITS = 14
BUCKETS = 1 << BUCKET_BITS
DIGEST_BYTES = 12
# Buckets unlinked by one script call when an action's planning is over.
FORGET_BATCH = 1024


def digest(key: str) -> bytes:
    """A key as it is kept: its first bits name its bucket, the rest is its field there."""
    return hashlib.blake2b(key.encode(), digest_size=DIGEST_BYTES).digest()


def bucket_and_field(key: str) -> tuple[int, bytes]:
    """Where a key is kept: its bucket's number and its field there."""
    kept = digest(key)
    return int.from_bytes(kept[:2]) >> (16 - BUCKET_BITS), kept[2:]


# Whether a row (read already) is valid: asked of a row that holds a key a later row repeats.
Validity = Callable[[int], Awaitable[bool]]


async def always_valid(row: int) -> bool:
    return True


async def repeats(
    action_id: str,
    keyed: Sequence[tuple[int, str]],
    valid: Validity = always_valid,
) -> set[int]:
    """Of (row, key) pairs in input order, the rows whose key an earlier valid row has.
    `valid(row)` is asked only of a row that holds a key a later row repeats."""
    firsts: dict[str, int] = {}
    for row, key in keyed:
        firsts.setdefault(key, row)
    if not firsts:
        return set()
    holders = await claim(action_id, firsts)
    held: dict[str, int] = {}  # each key's holder, as this chunk leaves it
    moves: dict[str, int] = {}
    repeated: set[int] = set()
    for row, key in keyed:
        holder = held.get(key) or holders.get(key, row)
        if holder == row:
            held[key] = row
        elif holder > row or await valid(holder):
            # A holder after the row: an earlier run of planning moved the key past this
            # row, as it only does from a row it found invalid (as the row is now).
            held[key] = holder
            repeated.add(row)
        else:
            held[key] = moves[key] = row
    if moves:
        await move(action_id, moves)
    return repeated


def bucket_names(action_id: str, buckets: Iterable[int]) -> dict[int, str]:
    prefix = keys.seen_keys_prefix(action_id)
    return {bucket: f"{prefix}{bucket:x}" for bucket in set(buckets)}  # keys.seen_keys


async def claim(action_id: str, firsts: Mapping[str, int]) -> dict[str, int]:
    """Gives each key to its row where no row holds it yet; returns the holder of each key
    another row holds. The keys go as one blob of digests and the rows as one of numbers,
    which the script reads as `bucket_and_field` does."""
    given = list(firsts)
    found = await script("dedupe_claim")(
        keys=[keys.seen_buckets(action_id)],
        args=[
            keys.seen_keys_prefix(action_id),
            b"".join(map(digest, given)),
            struct.pack(f"<{len(given)}I", *firsts.values()),
            DIGEST_BYTES,
            1 << (16 - BUCKET_BITS),
            TTL_SECONDS,
        ],
    )
    return {given[int(found[i]) - 1]: int(found[i + 1]) for i in range(0, len(found), 2)}


async def move(action_id: str, holders: Mapping[str, int]) -> None:
    """Gives keys to new holders (their holders were found invalid)."""
    places = {key: bucket_and_field(key) for key in holders}
    names = bucket_names(action_id, (bucket for bucket, _ in places.values()))
    async with get_redis().pipeline(transaction=False) as pipe:
        for key, (bucket, field) in places.items():
            pipe.hset(names[bucket], field, holders[key])
        await pipe.execute()


async def forget(action_id: str) -> None:
    """Drops the action's seen keys (its planning is over): the buckets it made, unlinked
    `FORGET_BATCH` at a time by a script, until none is left."""
    forget_slice = script("dedupe_forget")
    made, prefix = keys.seen_buckets(action_id), keys.seen_keys_prefix(action_id)
    while await forget_slice(keys=[made], args=[prefix, FORGET_BATCH]):
        pass
