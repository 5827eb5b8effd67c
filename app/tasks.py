"""The Dramatiq broker and the messages the domain sends, by actor name.

The domain names the actors it needs; `workers` defines them. So `app` never imports
`workers`, and the API can enqueue without loading worker code.
"""

from functools import lru_cache

import dramatiq
from dramatiq.brokers.redis import RedisBroker

from app.settings import get_settings

QUEUE = "bulk_actions"
PLAN_ACTION = "plan_bulk_action"
PROCESS_CHUNK = "process_chunk"


@lru_cache
def get_broker() -> RedisBroker:
    settings = get_settings()
    broker = RedisBroker(  # type: ignore[no-untyped-call]
        url=settings.redis_url, namespace=settings.queue_namespace
    )
    dramatiq.set_broker(broker)
    return broker


def send(actor_name: str, *args: str, delay_ms: int | None = None) -> None:
    broker = get_broker()
    message: dramatiq.Message[None] = dramatiq.Message(
        queue_name=QUEUE, actor_name=actor_name, args=args, kwargs={}, options={}
    )
    broker.enqueue(message, delay=delay_ms)
