"""Running the domain's coroutines from Dramatiq's worker threads."""

from collections.abc import Coroutine, Mapping
from typing import Any, TypeVar

from dramatiq.asyncio import get_event_loop_thread
from dramatiq.middleware import CurrentMessage

from app.infra import log_lines
from app.infra.mongo import db

R = TypeVar("R")


async def with_db(coro: Coroutine[Any, Any, R], ids: Mapping[str, str]) -> R:
    with log_lines.about(**ids):
        await db.connect()
        return await coro


def run(coro: Coroutine[Any, Any, R]) -> R:
    """Runs a coroutine on the worker process's one event loop, where the DB client lives,
    its log lines about what this thread's message is about."""
    loop_thread = get_event_loop_thread()
    if loop_thread is None:
        raise RuntimeError("The AsyncIO middleware is not installed on the broker.")
    result: R = loop_thread.run_coroutine(with_db(coro, log_lines.log_ids.get()))
    return result


def is_last_attempt(max_retries: int) -> bool:
    message = CurrentMessage.get_current_message()
    retries = message.options.get("retries", 0) if message is not None else 0
    return bool(retries >= max_retries)
