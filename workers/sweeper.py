"""Runs the sweeper (app.engine.sweeping) in each worker process, every few seconds.

Every process runs the loop, for there is no master process to trust; the sweep lease lets
one of them sweep per interval.
"""

import dramatiq

from app.engine.sweeping import sweep
from app.infra.settings import get_settings
from workers.periodic import Periodic
from workers.runtime import run


class Sweeper(Periodic):
    name = "sweeper"

    def interval(self) -> float:
        return get_settings().sweep_interval_seconds

    def tick(self, broker: dramatiq.Broker) -> None:
        if woken := run(sweep()):
            # Which ones: a wake-up is the sign that an action's messages were lost.
            named = ", ".join(str(action_id) for action_id in woken)
            self.logger.info("sweeper woke %d action(s): %s", len(woken), named)
