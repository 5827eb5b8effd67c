"""A middleware that does one thing every few seconds on a daemon thread of each worker
process, from boot until shutdown; a failed turn is logged and the next one comes anyway."""

import logging
import threading

import dramatiq
from dramatiq.middleware import Middleware


class Periodic(Middleware):
    name = "periodic"

    def __init__(self) -> None:
        self.stopping = threading.Event()
        self.logger = logging.getLogger(type(self).__module__)

    def interval(self) -> float:
        raise NotImplementedError

    def tick(self, broker: dramatiq.Broker) -> None:
        raise NotImplementedError

    def after_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        threading.Thread(target=self.loop, args=(broker,), name=self.name, daemon=True).start()

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self.stopping.set()

    def loop(self, broker: dramatiq.Broker) -> None:
        interval = self.interval()
        while not self.stopping.wait(interval):
            try:
                self.tick(broker)
            except Exception:
                self.logger.exception("%s failed; trying again next interval", self.name)
