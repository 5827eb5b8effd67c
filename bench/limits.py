"""Limits benchmark: what one call of each rate-limit script costs Redis, by the number of
charges the window already holds, against a trivial script's call on the same server.

For each log size it fills a fresh account's log (chunks booked, written and ended, as
pacing leaves them; API requests taken), then times, from Redis's own command statistics,
a chunk's three calls (book, begin, end) and a request's check, each as the server's µs
per call and as a ratio to `return 1` run as a script in the same run (the floor: what any
script call costs). The timed calls add their own charges (up to 200) to those the log held.
Run it through bench/limits, which starts the services.
"""

import argparse
import asyncio
import os
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import redis as sync_redis
from redis.asyncio import Redis

from app.infra.redis import account_limits
from app.infra.redis.rate_limit import SlidingWindowLimit
from bench.cost import commit

FLOOR_SCRIPT = "return 1"
LIMIT = 10**9  # every charge fits: the bench times the bookkeeping, not waits
CALLS = 200


def per_call(server: sync_redis.Redis) -> float:
    """The server's µs per EVALSHA since its statistics were reset."""
    stats: dict[str, Any] = server.info("commandstats")
    return float(stats.get("cmdstat_evalsha", {}).get("usec_per_call", 0.0))


async def timed(server: sync_redis.Redis, call: Callable[[int], Awaitable[Any]]) -> float:
    server.config_resetstat()
    for n in range(CALLS):
        await call(n)
    return per_call(server)


async def run(sizes: list[int]) -> None:
    url = os.environ["REDIS_URL"]
    client, server = Redis.from_url(url, decode_responses=True), sync_redis.Redis.from_url(url)
    floor_script = client.register_script(FLOOR_SCRIPT)
    floor = await timed(server, lambda n: floor_script())
    print(f"commit: {commit()}")
    print(f"floor: a script that returns 1, {floor:.1f} µs of Redis a call")
    print("charges in the window | chunk: book, begin, end (µs, x floor) | request check")
    for size in sizes:
        costs = await measured(client, server, size)
        print(
            f"{size:>21,} | " + " | ".join(f"{cost:,.0f} ({cost / floor:.1f}x)" for cost in costs)
        )
    await client.aclose()


async def measured(client: Redis, server: sync_redis.Redis, size: int) -> list[float]:
    """A chunk's booking, begin and end, and a request's check, on logs of `size` charges."""
    chunks = SlidingWindowLimit(f"bench-limits-{uuid.uuid4().hex[:8]}", 61_000, 600_000, client)
    for n in range(size):
        await chunks.reserve("acct", LIMIT, 1000, f"old-{n}")
        await chunks.begin("acct", LIMIT, 1000, f"old-{n}")
        await chunks.finish("acct", 1000, f"old-{n}")
    book = await timed(server, lambda n: chunks.reserve("acct", LIMIT, 1000, f"new-{n}"))
    begin = await timed(server, lambda n: chunks.begin("acct", LIMIT, 1000, f"new-{n}"))
    end = await timed(server, lambda n: chunks.finish("acct", 1000, f"new-{n}"))
    requests, subject = account_limits.request_limit(), f"bench-{uuid.uuid4().hex[:8]}"
    for n in range(size):
        await check(requests, subject, f"old-{n}")
    request = await timed(server, lambda n: check(requests, subject, f"new-{n}"))
    return [book, begin, end, request]


async def check(requests: Any, subject: str, token: str) -> None:
    """An API request's check of its account's limit, as the API makes it."""
    if hasattr(requests, "take"):
        await requests.take(subject, LIMIT, token)
    else:  # before CallLimit: the general script's "try" booking
        await requests.try_acquire(subject, LIMIT, 1, token)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sizes", nargs="*", type=int, default=[10, 100, 1000, 3000])
    asyncio.run(run(parser.parse_args().sizes))


if __name__ == "__main__":
    main()
