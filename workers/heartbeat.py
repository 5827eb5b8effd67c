"""A heartbeat for each worker process, so that a busy one is never taken for dead.

Dramatiq's Redis broker marks a process alive whenever it sends a command; one whose threads
are all busy with chunks sends none. The broker now takes a process silent for
`WORKER_DEAD_AFTER_SECONDS` for dead and queues its messages again (app.infra.tasks), so a
killed worker's chunks come back in seconds; this thread keeps live processes from looking
dead, whatever they are doing.
"""

import logging
import threading

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import Middleware

from app.infra.settings import get_settings
from app.infra.tasks import QUEUE

logger = logging.getLogger(__name__)


class Heartbeat(Middleware):
    def __init__(self) -> None:
        self.stopping = threading.Event()

    def after_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        if isinstance(broker, RedisBroker):
            thread = threading.Thread(target=self.beat, args=(broker,), name="heartbeat")
            thread.daemon = True
            thread.start()

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self.stopping.set()

    def beat(self, broker: RedisBroker) -> None:
        interval = get_settings().worker_dead_after_seconds / 5
        while not self.stopping.wait(interval):
            try:
                broker.do_qsize(QUEUE)  # any broker command records the heartbeat
            except Exception:
                logger.warning("heartbeat failed; trying again", exc_info=True)
