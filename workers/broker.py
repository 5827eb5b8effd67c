"""The worker side of the broker: the app's RedisBroker plus the middleware actors rely on."""

from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import AsyncIO, CurrentMessage

from app.tasks import get_broker


def worker_broker() -> RedisBroker:
    broker = get_broker()
    present = {type(middleware) for middleware in broker.middleware}
    for middleware in (AsyncIO(), CurrentMessage()):
        if type(middleware) not in present:
            broker.add_middleware(middleware)
    return broker


broker = worker_broker()
