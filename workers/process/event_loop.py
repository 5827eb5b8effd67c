"""Dramatiq's AsyncIO middleware, with its event loop thread a daemon running uvloop.

A worker process told to stop a second time while it stops (systemd and Docker signal every
process of the group, and Dramatiq's main process forwards the signal too) exits at once
without stopping its threads; Dramatiq's own event loop thread is the one thread that is no
daemon, so the process then waited on it for ever. As a daemon it ends with the process;
whatever chunk it was running is redelivered, as after any crash.

The loop is uvloop's, as uvicorn's is in the API: a chunk's work is many short database
round trips (on FerretDB an UPDATE sends a command per 8 rows), each a turn of the loop, and
uvloop's turns cost less CPU than asyncio's own selector loop's (docs/benchmarks.md).
"""

import logging

import dramatiq
import uvloop
from dramatiq.asyncio import EventLoopThread, set_event_loop_thread
from dramatiq.middleware import AsyncIO


class UvloopThread(EventLoopThread):
    """Dramatiq's event loop thread, its loop made by uvloop."""

    def __init__(self, logger: logging.Logger) -> None:
        super().__init__(logger)
        self.loop.close()  # never run: Dramatiq made it in __init__
        self.loop = uvloop.new_event_loop()


class DaemonAsyncIO(AsyncIO):
    def before_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        thread = UvloopThread(self.logger)
        thread.daemon = True
        thread.start(timeout=1.0)
        set_event_loop_thread(thread)
