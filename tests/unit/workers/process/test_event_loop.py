"""The workers' event loop: Dramatiq's thread, running uvloop's loop."""

import logging

import uvloop

from workers.process.event_loop import UvloopThread


def test_the_event_loop_thread_runs_uvloops_loop_and_runs_coroutines_on_it() -> None:
    thread = UvloopThread(logging.getLogger("test"))
    thread.daemon = True
    thread.start(timeout=5.0)
    try:
        assert isinstance(thread.loop, uvloop.Loop)

        async def answer() -> int:
            return 42

        assert thread.run_coroutine(answer()) == 42
    finally:
        thread.stop()  # type: ignore[no-untyped-call]  # Dramatiq leaves it untyped
