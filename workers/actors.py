"""The actors: planning an action, and processing one chunk of it."""

import logging
import threading
import time
from collections.abc import Callable, Coroutine, Mapping
from functools import partial
from typing import Any

import dramatiq
from dramatiq.middleware import CurrentMessage

from app.engine.deferral import ComeBackLater
from app.engine.planning import fail_planning, plan_action
from app.engine.processing import fail_chunk, process_chunk
from app.engine.webhooks import deliver, give_up
from app.infra.outages import REDIS_DOWN, as_outage
from app.infra.redis import tasks
from app.infra.settings import get_settings
from workers.broker import broker
from workers.runtime import is_last_attempt, run

logger = logging.getLogger(__name__)
settings = get_settings()
retry_options: dict[str, Any] = {
    "max_retries": settings.chunk_max_retries,
    "min_backoff": settings.chunk_min_backoff_ms,
    "max_backoff": settings.chunk_max_backoff_ms,
    "time_limit": settings.chunk_time_limit_ms,
}


# How soon work that found a service down comes back to look again.
OUTAGE_COMEBACK_MS = 5_000
# The message option that says since when (ms since the epoch) its work finds a service down.
OUTAGE_SINCE = "outage_since"


def come_back_in(wait_ms: int, outage_since: int | None = None) -> None:
    """Sends the current message again in `wait_ms`: queued before this delivery is
    acknowledged, so it is never lost, and no retry is spent. It carries `outage_since`
    while the outage lasts, and drops it once the work got past it."""
    message = CurrentMessage.get_current_message()
    assert message is not None
    again = message.copy()
    again.options.pop(OUTAGE_SINCE, None)
    if outage_since is not None:
        again.options[OUTAGE_SINCE] = outage_since
    send_again(again, wait_ms)


def send_again(message: dramatiq.Message[Any], wait_ms: int) -> None:
    """Queues the message; while Redis is away, tries again every few seconds (for up to
    OUTAGE_PATIENCE_SECONDS, and until the worker stops). This delivery is acknowledged
    after, so its next one is queued before it is let go: a Redis restart loses no chunk's
    message in hand, and its chain goes on as soon as Redis is back."""
    deadline = time.monotonic() + settings.outage_patience_seconds
    while True:
        try:
            broker.enqueue(message, delay=wait_ms or None)
            return
        except REDIS_DOWN:
            stopping = not getattr(threading.current_thread(), "running", True)
            if stopping or time.monotonic() >= deadline:
                raise
            time.sleep(OUTAGE_COMEBACK_MS / 1000)


def outage_began(options: Mapping[str, Any], now_ms: int, patience_ms: int) -> int | None:
    """When the message's work first found a service down (now, if it just did), while
    it may still wait for it to come back; None once it waited `patience_ms`."""
    since = int(options.get(OUTAGE_SINCE, now_ms))
    return since if now_ms - since < patience_ms else None


def run_or_give_up(
    work: Coroutine[Any, Any, None], give_up: Callable[[str], Coroutine[Any, Any, None]]
) -> None:
    """Runs the work. Work that cannot be done yet comes back later, spending no retry
    (ComeBackLater), and so does work that found the database or Redis down, for up to
    OUTAGE_PATIENCE_SECONDS; Dramatiq retries any other error, and on the last attempt
    `give_up` records the failure (rows logged FAILED, or the action FAILED) so the action
    still ends."""
    try:
        run(work)
    except ComeBackLater as later:
        come_back_in(later.wait_ms)  # not a failure: the message comes back then
    except Exception as exc:
        if as_outage(exc) is not None and (since := waits_for_outage()) is not None:
            # Not the work's fault: it comes back until the service does.
            logger.warning("a service is down (%s: %s); trying again", type(exc).__name__, exc)
            come_back_in(OUTAGE_COMEBACK_MS, outage_since=since)
            return
        if not is_last_attempt(settings.chunk_max_retries):
            raise
        logger.exception("giving up after retries")
        run(give_up(f"{type(exc).__name__}: {exc}"))


def waits_for_outage() -> int | None:
    message = CurrentMessage.get_current_message()
    options = message.options if message is not None else {}
    patience_ms = settings.outage_patience_seconds * 1000
    return outage_began(options, int(time.time() * 1000), patience_ms)


@dramatiq.actor(
    actor_name=tasks.PLAN_ACTION, queue_name=tasks.QUEUE, broker=broker, **retry_options
)
def plan_bulk_action(action_id: str) -> None:
    run_or_give_up(plan_action(action_id), partial(fail_planning, action_id))


@dramatiq.actor(
    actor_name=tasks.PROCESS_CHUNK, queue_name=tasks.QUEUE, broker=broker, **retry_options
)
def process_chunk_actor(chunk_id: str) -> None:
    run_or_give_up(process_chunk(chunk_id), partial(fail_chunk, chunk_id))


@dramatiq.actor(
    actor_name=tasks.DELIVER_WEBHOOK, queue_name=tasks.QUEUE, broker=broker, **retry_options
)
def deliver_webhook(delivery_id: str) -> None:
    run_or_give_up(deliver(delivery_id), partial(give_up, delivery_id))
