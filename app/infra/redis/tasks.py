"""The Dramatiq broker and the messages the platform sends, by actor name.

The application names the actors it needs; `workers` defines them. So `app` never imports
`workers`, and the API can enqueue without loading worker code.

A start within the horizon gets a delayed planner message, which starts it on time. A later
one gets none: the sweeper (app.engine.sweeping) starts due actions from MongoDB, so no
worker holds a message for weeks, and a message lost on the way changes nothing.
"""

import asyncio
from collections.abc import Callable
from contextlib import suppress
from contextvars import ContextVar
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

import dramatiq
import redis
from dramatiq.broker import Consumer
from dramatiq.brokers.redis import MAINTENANCE_SCALE, RedisBroker

from app.domain.clock import utcnow
from app.infra.redis import keys, liveness
from app.infra.redis.client import get_redis
from app.infra.settings import get_settings

QUEUE = "bulk_actions"
PLAN_ACTION = "plan_bulk_action"
PROCESS_CHUNK = "process_chunk"
DELIVER_WEBHOOK = "deliver_webhook"
MESSAGE_HORIZON = timedelta(hours=1)


class Delivery(NamedTuple):
    """A delivery of a message whose work is running: the message's id, which its next
    delivery has too, and an id of this delivery's own."""

    message_id: str
    attempt: str

    @property
    def mark(self) -> str:
        """What a mark this delivery leaves holds."""
        return f"{self.message_id}/{self.attempt}"

    def follows(self, mark: str | None) -> bool:
        """Whether an earlier delivery of this message left the mark."""
        return mark is not None and mark != self.mark and mark.partition("/")[0] == self.message_id


# The delivery whose work is running (the workers set it; None elsewhere).
delivery: ContextVar[Delivery | None] = ContextVar("delivery", default=None)


# Makes a queue's consumer from its name, prefetch and longest wait (ms).
ConsumerFactory = Callable[[str, int, int], Consumer]


class Broker(RedisBroker):
    """Dramatiq's Redis broker, which also rings a doorbell (a pub/sub channel) for each
    message it queues, so that idle workers take it at once instead of at their next look
    (workers.promptness sets `consumer_factory` to consumers that wait for the ring)."""

    consumer_factory: ConsumerFactory | None = None

    def consume(self, queue_name: str, prefetch: int = 1, timeout: int = 5000) -> Consumer:
        if self.consumer_factory is None:
            return super().consume(queue_name, prefetch, timeout)
        return self.consumer_factory(queue_name, prefetch, timeout)

    def enqueue(
        self, message: dramatiq.Message[Any], *, delay: int | None = None
    ) -> dramatiq.Message[Any]:
        queued = super().enqueue(message, delay=delay)
        # Queued all the same if the ring fails: a consumer finds it at its next look
        # (WORKER_POLL_MS), and the caller must not queue it again.
        with suppress(redis.RedisError):
            self.client.publish(keys.doorbell(), queued.queue_name)
        return queued


@lru_cache
def get_broker() -> Broker:
    settings = get_settings()
    broker = Broker(  # type: ignore[no-untyped-call]
        url=settings.redis_url,
        namespace=settings.queue_namespace,
        # A killed worker's messages come back after this, not Dramatiq's default minute...
        heartbeat_timeout=settings.worker_dead_after_seconds * 1000,
        # ...and at the next broker command, not on one command in a thousand: the check is
        # one ZRANGEBYSCORE over the few live workers.
        maintenance_chance=MAINTENANCE_SCALE,
    )
    dramatiq.set_broker(broker)
    return broker


def send(actor_name: str, *args: str, delay_ms: int | None = None) -> None:
    broker = get_broker()
    message: dramatiq.Message[None] = dramatiq.Message(
        queue_name=QUEUE, actor_name=actor_name, args=args, kwargs={}, options={}
    )
    broker.enqueue(message, delay=delay_ms)


async def queue_depth() -> dict[str, int]:
    """Messages in the work queue not taken by a worker yet, ready and delayed (Dramatiq's
    Redis lists; a worker holds a delayed message it took until it is due)."""
    redis = get_redis()
    ready = await redis.llen(keys.queue(QUEUE))
    delayed = await redis.llen(keys.delayed_queue(QUEUE))
    return {"ready": int(ready), "delayed": int(delayed)}


async def send_webhook_delivery(delivery_id: str) -> None:
    await asyncio.to_thread(send, DELIVER_WEBHOOK, delivery_id)


async def send_chunk(chunk_id: str) -> None:
    await asyncio.to_thread(send, PROCESS_CHUNK, chunk_id)


async def send_planner(action_id: str, start: datetime | None = None) -> None:
    """Queues the planner now, or for `start` when that is within the horizon."""
    wait = (start - utcnow()) if start is not None else timedelta(0)
    if wait > MESSAGE_HORIZON:
        return
    if wait <= timedelta(0):
        await liveness.touch(action_id)  # the sweeper waits while the message is on its way
    delay_ms = max(0, int(wait.total_seconds() * 1000)) or None
    await asyncio.to_thread(send, PLAN_ACTION, action_id, delay_ms=delay_ms)
