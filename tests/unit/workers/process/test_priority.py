"""A worker process lowers every thread it has to WORKER_NICENESS, and the threads it makes
later follow (workers.process.priority); a priority already lower stays; its session's share
is lowered too when its parent leads that session, and only then; every worker gets it.

Run in child processes of sessions of their own: a nice value once raised cannot be lowered
back without privilege."""

import subprocess
import sys
import textwrap
from typing import Any, cast

import pytest

from workers.broker import broker
from workers.process import priority
from workers.process.priority import LowerPriority

LOWERED = """
    import os, threading, time
    from workers.process.priority import autogroup_niceness, lower_priority
    from tests.support.processes import thread_niceness

    running = threading.Event(); stop = threading.Event()
    def wait() -> None:
        running.set(); stop.wait()
    before = threading.Thread(target=wait); before.start(); running.wait()
    lower_priority({wanted})
    seen = []
    after = threading.Thread(target=lambda: seen.append(os.getpriority(os.PRIO_PROCESS, 0)))
    after.start(); after.join()
    print(sorted(set(thread_niceness(os.getpid()).values())), seen, autogroup_niceness())
    stop.set(); before.join()
"""


def run(wanted: int, nice_first: int = 0) -> str:
    code = textwrap.dedent(LOWERED.format(wanted=wanted))
    if nice_first:
        code = f"import os; os.nice({nice_first})\n{code}"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        start_new_session=True,  # it leads its session: its parent does not
    )
    return done.stdout.strip()


def test_every_thread_running_and_made_after_is_lowered_not_a_session_it_does_not_own() -> None:
    assert run(10) == "[10] [10] 0"


def test_a_priority_already_lower_is_kept() -> None:
    assert run(5, nice_first=12) == "[12] [12] 0"


SUPERVISOR = """
import subprocess, sys
from workers.process.priority import autogroup_niceness
worker = "from workers.process.priority import lower_priority; lower_priority(10)"
subprocess.run([sys.executable, "-c", worker], check=True)
print(autogroup_niceness())
"""


def test_a_worker_whose_parent_leads_its_session_lowers_the_sessions_share() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SUPERVISOR],
        capture_output=True,
        text=True,
        check=True,
        start_new_session=True,  # as scripts/dev starts Dramatiq's main process
    )
    assert done.stdout.strip() == "10"


def test_the_workers_broker_has_it() -> None:
    assert LowerPriority in {type(middleware) for middleware in broker.middleware}


def test_a_worker_that_may_not_lower_its_priority_still_boots(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def refuse(niceness: int) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(priority, "lower_priority", refuse)
    priority.LowerPriority().after_process_boot(cast(Any, broker))
    assert "could not lower the worker's priority to nice 10" in caplog.text
