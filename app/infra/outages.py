"""Which exceptions mean "a service is down", so every entry point answers them alike: a
coded SERVICE_UNAVAILABLE with Retry-After, never a bare 500 or a hang; and how a request
that holds its client rides out a database restart instead (`riding_out`, `ridden_out`)."""

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import aclosing
from typing import TypeVar

from pymongo.errors import ConnectionFailure, ServerSelectionTimeoutError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from app.domain.errors import ServiceUnavailable

DATABASE_DOWN = (ConnectionFailure, ServerSelectionTimeoutError)
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)


def as_outage(error: BaseException) -> ServiceUnavailable | None:
    """The outage this error stands for, or None when it is not one."""
    if isinstance(error, ServiceUnavailable):
        return error
    if isinstance(error, DATABASE_DOWN):
        return ServiceUnavailable("The database")
    if isinstance(error, REDIS_DOWN):
        return ServiceUnavailable("Redis (queue and live state)")
    return None


T = TypeVar("T")
log = logging.getLogger(__name__)

# How long a request waits before it tries a database that was down again.
RETRY_SECONDS = 1.0


class Patience:
    """How long a request that holds its client waits for a database that went down: for
    `seconds` from the first failure after its last success, never past `deadline`
    (time.monotonic)."""

    def __init__(self, seconds: float, deadline: float = float("inf")) -> None:
        self.seconds, self.deadline = seconds, deadline
        self.failed_at: float | None = None

    def spent(self) -> bool:
        """Whether a failure now ends the wait (the next try would come too late)."""
        now = time.monotonic()
        self.failed_at = now if self.failed_at is None else self.failed_at
        return now + RETRY_SECONDS > min(self.deadline, self.failed_at + self.seconds)


async def riding_out(write: Callable[[], Awaitable[T]], deadline: float, patience: float) -> T:
    """Runs the (idempotent) write, again while the database is down (`Patience`); then the
    outage's error propagates. Returns what the write did."""
    waiting = Patience(patience, deadline)
    while True:
        try:
            return await write()
        except DATABASE_DOWN:
            if waiting.spent():
                raise
        await asyncio.sleep(RETRY_SECONDS)


async def ridden_out(
    opened_after: Callable[[int], AsyncGenerator[T, None]],
    place_of: Callable[[T], int],
    patience: float,
) -> AsyncGenerator[T, None]:
    """The items of a stream read in order, opened again after the last one given
    (`opened_after(place_of(item))`, 0 at first) while the database is down: for `patience`
    seconds from a failure after which nothing came; then the outage's error propagates."""
    after, waiting = 0, Patience(patience)
    while True:
        try:
            async with aclosing(opened_after(after)) as items:
                async for item in items:
                    after, waiting.failed_at = place_of(item), None
                    yield item
            return
        except DATABASE_DOWN:
            if waiting.spent():
                raise
            log.warning("the database is down: a stream waits to go on after %s", after)
        await asyncio.sleep(RETRY_SECONDS)
