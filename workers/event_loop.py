"""Dramatiq's AsyncIO middleware, with its event loop thread a daemon.

A worker process told to stop a second time while it stops (systemd and Docker signal every
process of the group, and Dramatiq's main process forwards the signal too) exits at once
without stopping its threads; Dramatiq's own event loop thread is the one thread that is no
daemon, so the process then waited on it for ever. As a daemon it ends with the process;
whatever chunk it was running is redelivered, as after any crash.
"""

import dramatiq
from dramatiq.asyncio import EventLoopThread, set_event_loop_thread
from dramatiq.middleware import AsyncIO


class DaemonAsyncIO(AsyncIO):
    def before_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        thread = EventLoopThread(self.logger)
        thread.daemon = True
        thread.start(timeout=1.0)
        set_event_loop_thread(thread)
