"""Waiting on state, never on the clock alone: `until` polls for what a test waits for, and
`stays` polls that nothing changes for as long as a test must watch."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

EVERY = 0.1


async def until(
    check: Callable[[], Awaitable[T | None]],
    what: str,
    timeout: float = 120.0,
    every: float = EVERY,
) -> T:
    """The first truthy answer of `check`, polled every `every` s; fails naming `what` after
    `timeout` s (generous: a loaded 2-core machine must pass)."""
    deadline = time.monotonic() + timeout
    while True:
        if answer := await check():
            return answer
        assert time.monotonic() < deadline, f"gave up after {timeout} s waiting for {what}"
        await asyncio.sleep(every)


async def stays(
    check: Callable[[], Awaitable[bool]], what: str, seconds: float, every: float = EVERY
) -> None:
    """Fails as soon as `check` stops holding within `seconds` s (checked all along)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert await check(), f"{what} stopped holding"
        await asyncio.sleep(every)
    assert await check(), f"{what} stopped holding"
