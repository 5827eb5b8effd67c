"""The worker side of the broker: the app's RedisBroker plus the middleware workers add.

AsyncIO comes first: the actors and the sweeper run coroutines on its event loop.
"""

from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import AsyncIO, CurrentMessage, Middleware

from app.infra.redis.tasks import get_broker
from workers.fairness import FetchForFreeThreads
from workers.heartbeat import Heartbeat
from workers.log_context import LogContext
from workers.process.event_loop import DaemonAsyncIO
from workers.process.garbage import QuietCollector
from workers.process.priority import LowerPriority
from workers.promptness import PromptReturns
from workers.sweeper import Sweeper


def worker_broker() -> RedisBroker:
    broker = get_broker()
    # Dramatiq's own AsyncIO (its thread no daemon) must not run beside ours.
    broker.middleware[:] = [m for m in broker.middleware if type(m) is not AsyncIO]
    present = {type(middleware) for middleware in broker.middleware}
    wanted: list[Middleware] = [
        DaemonAsyncIO(),
        CurrentMessage(),
        LogContext(),
        FetchForFreeThreads(),
        PromptReturns(),
        Sweeper(),
        Heartbeat(),
        QuietCollector(),
        LowerPriority(),
    ]
    for middleware in wanted:
        if type(middleware) not in present:
            broker.add_middleware(middleware)
    return broker


broker = worker_broker()
