"""Runs the sweeper (app.engine.sweeping) in each worker process, every few seconds.

Every process runs the loop, for there is no master process to trust; the sweep lease lets
one of them sweep per interval.
"""

import logging
import threading

import dramatiq
from dramatiq.middleware import Middleware

from app.engine.sweeping import sweep
from app.infra.settings import get_settings
from workers.runtime import run

logger = logging.getLogger(__name__)


class Sweeper(Middleware):
    def __init__(self) -> None:
        self.stopping = threading.Event()

    def after_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        threading.Thread(target=self.loop, name="sweeper", daemon=True).start()

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self.stopping.set()

    def loop(self) -> None:
        interval = get_settings().sweep_interval_seconds
        while not self.stopping.wait(interval):
            try:
                if woken := run(sweep()):
                    logger.info("sweeper woke %d action(s)", woken)
            except Exception:
                logger.exception("sweep failed; trying again next interval")
