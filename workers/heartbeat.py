"""A heartbeat for each worker process, so that a busy one is never taken for dead.

Dramatiq's Redis broker marks a process alive whenever it sends a command; one whose threads
are all busy with chunks sends none. The broker now takes a process silent for
`WORKER_DEAD_AFTER_SECONDS` for dead and queues its messages again (app.infra.redis.tasks), so a
killed worker's chunks come back in seconds; this thread keeps live processes from looking
dead, whatever they are doing.
"""

import dramatiq
from dramatiq.brokers.redis import RedisBroker

from app.infra.redis import lease
from app.infra.redis.tasks import QUEUE
from app.infra.settings import get_settings
from workers.periodic import Periodic
from workers.runtime import run


class Heartbeat(Periodic):
    name = "heartbeat"

    def interval(self) -> float:
        return get_settings().worker_dead_after_seconds / 5

    def tick(self, broker: dramatiq.Broker) -> None:
        if isinstance(broker, RedisBroker):
            broker.do_qsize(QUEUE)  # any broker command records the heartbeat
        run(lease.renew_kept())  # and the leases this process keeps live as long as it does
