"""Running the domain's coroutines from Dramatiq's worker threads."""

import threading
import uuid
from collections.abc import Coroutine, Mapping
from typing import Any, TypeVar

from dramatiq import Message
from dramatiq.asyncio import get_event_loop_thread
from dramatiq.middleware import CurrentMessage

from app.infra import log_lines
from app.infra.mongo import db
from app.infra.redis import tasks

R = TypeVar("R")


async def with_db(
    coro: Coroutine[Any, Any, R], ids: Mapping[str, str], delivery: tasks.Delivery | None = None
) -> R:
    tasks.delivery.set(delivery)  # in this coroutine's own context
    with log_lines.about(**ids):
        await db.connect()
        return await coro


def run(coro: Coroutine[Any, Any, R]) -> R:
    """Runs a coroutine on the worker process's one event loop, where the DB client lives,
    its log lines about what this thread's message is about, knowing which delivery of which
    message it is."""
    loop_thread = get_event_loop_thread()
    if loop_thread is None:
        raise RuntimeError("The AsyncIO middleware is not installed on the broker.")
    delivery = delivery_of(CurrentMessage.get_current_message())
    result: R = loop_thread.run_coroutine(with_db(coro, log_lines.log_ids.get(), delivery))
    return result


# The delivery each worker thread is at, and its message (a new one for each delivery).
deliveries = threading.local()


def delivery_of(message: Message[Any] | None) -> tasks.Delivery | None:
    """The current delivery of `message`: the same for every coroutine its work runs (the
    work, then giving up), another for the message's next delivery."""
    if message is None:
        return None
    if getattr(deliveries, "message", None) is not message:
        deliveries.message = message
        deliveries.current = tasks.Delivery(message.message_id, uuid.uuid4().hex)
    current: tasks.Delivery = deliveries.current
    return current


def is_last_attempt(max_retries: int) -> bool:
    message = CurrentMessage.get_current_message()
    retries = message.options.get("retries", 0) if message is not None else 0
    return bool(retries >= max_retries)
