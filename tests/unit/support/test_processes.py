"""Stopping a process started in a session of its own stops what it started too: a child
that outlives its supervisor (Dramatiq's main process killed, or exiting before a worker
process that ignores the stop) is not left running into the next test or benchmark."""

import subprocess
import sys
import time
from pathlib import Path

from tests.support.processes import stop

SUPERVISOR = """
import signal, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import signal, time; "
    "signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ready', flush=True); time.sleep(600)"],
    stdout=subprocess.PIPE)
child.stdout.readline()
print(child.pid, flush=True)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # exits at once, leaving the child
time.sleep(600)
"""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # killed, not yet reaped by whoever adopted it


def test_a_child_that_outlives_its_supervisor_is_stopped_with_it() -> None:
    supervisor = subprocess.Popen(
        [sys.executable, "-c", SUPERVISOR], stdout=subprocess.PIPE, start_new_session=True
    )
    assert supervisor.stdout is not None
    child = int(supervisor.stdout.readline())
    assert alive(child)

    stop(supervisor)

    deadline = time.monotonic() + 30
    while alive(child):
        assert time.monotonic() < deadline, "the supervisor's child outlived stop()"
        time.sleep(0.05)
