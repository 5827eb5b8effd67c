"""Promptness: a message that comes back at its time is taken at about that time.

Dramatiq's idle consumers poll Redis with a backoff up to the worker timeout (1 s by default),
and a delayed message goes through two of them (the delay queue's, when its time comes; the
queue's, when it is due), so it could start up to two seconds late: a drip batch due every
5 s would start 6 or 7 s apart. `WORKER_POLL_MS` bounds that backoff instead.
"""

import dramatiq
from dramatiq.middleware import Middleware

from app.infra.settings import get_settings


class PromptReturns(Middleware):
    def before_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        # Read when the worker starts its consumers and threads, right after this hook.
        worker.worker_timeout = get_settings().worker_poll_ms
