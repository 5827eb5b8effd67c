"""Fairness between actions: a worker process takes a message only for a thread that is free.

Dramatiq prefetches twice its thread count by default, so a process busy with one action's
chunks can hold another account's new message in its local queue behind them while other
processes sit idle. Prefetching no more than the threads leaves waiting messages in Redis,
where the next free thread of any process takes them; with each action's chunks in flight
bounded (app.engine.completion), a small action never waits behind a big one's backlog.
"""

import dramatiq
from dramatiq.middleware import Middleware


class FetchForFreeThreads(Middleware):
    def before_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        # Read when the worker starts its consumers, right after this hook.
        worker.queue_prefetch = worker.worker_threads
