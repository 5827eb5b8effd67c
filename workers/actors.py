"""The actors: planning an action, and processing one chunk of it."""

import logging
from typing import Any

import dramatiq

from app import tasks
from app.services.planning import fail_planning, plan_action
from app.services.processing import fail_chunk, process_chunk
from app.settings import get_settings
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


@dramatiq.actor(
    actor_name=tasks.PLAN_ACTION, queue_name=tasks.QUEUE, broker=broker, **retry_options
)
def plan_bulk_action(action_id: str) -> None:
    try:
        run(plan_action(action_id))
    except Exception as exc:
        if not is_last_attempt(settings.chunk_max_retries):
            raise
        logger.exception("planning of %s failed for good", action_id)
        run(fail_planning(action_id, f"{type(exc).__name__}: {exc}"))


@dramatiq.actor(
    actor_name=tasks.PROCESS_CHUNK, queue_name=tasks.QUEUE, broker=broker, **retry_options
)
def process_chunk_actor(chunk_id: str) -> None:
    try:
        run(process_chunk(chunk_id))
    except Exception as exc:
        if not is_last_attempt(settings.chunk_max_retries):
            raise
        # Retries are spent: the chunk's rows are logged FAILED and the action still finishes.
        logger.exception("chunk %s failed for good", chunk_id)
        run(fail_chunk(chunk_id, f"{type(exc).__name__}: {exc}"))
