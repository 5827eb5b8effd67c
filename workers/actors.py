"""The actors: planning an action, and processing one chunk of it."""

import logging
from collections.abc import Callable, Coroutine
from functools import partial
from typing import Any

import dramatiq
from dramatiq.middleware import CurrentMessage

from app.engine.deferral import ComeBackLater
from app.engine.planning import fail_planning, plan_action
from app.engine.processing import fail_chunk, process_chunk
from app.engine.webhooks import deliver, give_up
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


def come_back_in(wait_ms: int) -> None:
    """Sends the current message again in `wait_ms`: queued before this delivery is
    acknowledged, so it is never lost, and no retry is spent."""
    message = CurrentMessage.get_current_message()
    assert message is not None
    broker.enqueue(message.copy(), delay=wait_ms or None)


def run_or_give_up(
    work: Coroutine[Any, Any, None], give_up: Callable[[str], Coroutine[Any, Any, None]]
) -> None:
    """Runs the work. Work that cannot be done yet comes back later, spending no retry
    (ComeBackLater); Dramatiq retries an error, and on the last attempt `give_up` records
    the failure (rows logged FAILED, or the action FAILED) so the action still ends."""
    try:
        run(work)
    except ComeBackLater as later:
        come_back_in(later.wait_ms)  # not a failure: the message comes back then
    except Exception as exc:
        if not is_last_attempt(settings.chunk_max_retries):
            raise
        logger.exception("giving up after retries")
        run(give_up(f"{type(exc).__name__}: {exc}"))


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
