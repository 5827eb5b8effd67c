"""The worker processes' CPU priority, below the API's where they share a machine.

A chunk is batch work: its action takes a little longer when the API wants the CPU, while a
person waiting on a page of logs notices every slow request. Where the API, the workers and
the database share cores (one host, `scripts/dev`), the workers lower their own priority
(`WORKER_NICENESS`, Unix's nice) and take what the API leaves; on a machine of their own there
is nothing to yield to and nothing changes. Between containers, the orchestrator's CPU weights
do this instead (docs/operations.md).

Linux shares the CPU between sessions first (autogroups: each session started by `setsid`,
as `scripts/dev` starts the workers and the API, or each terminal), then by nice value within
one. So a worker lowers its threads, and, when its session is its supervisor's own (Dramatiq's
main process leads it: nothing else runs in it), the session's share as well.
"""

import logging
import os
from contextlib import suppress
from pathlib import Path

import dramatiq
from dramatiq.middleware import Middleware

from app.infra.settings import get_settings

logger = logging.getLogger(__name__)

# Linux keeps a nice value per thread, and a new thread takes its maker's: every thread the
# process has already is lowered, and the ones it makes later follow.
TASKS = Path("/proc/self/task")


def lower_priority(niceness: int) -> None:
    """Every thread of this process at `niceness` at least (never raised: that needs root),
    and its session's share when the session is its parent's own."""
    if not TASKS.is_dir():
        os.nice(max(0, niceness - os.nice(0)))
        return
    for task in TASKS.iterdir():
        thread = int(task.name)
        with suppress(ProcessLookupError):  # a thread that has ended since
            if os.getpriority(os.PRIO_PROCESS, thread) < niceness:
                os.setpriority(os.PRIO_PROCESS, thread, niceness)
    session = autogroup_niceness() if os.getsid(0) == os.getppid() else None
    if session is not None and session < niceness:
        autogroup_of("self").write_text(str(niceness))


def autogroup_of(pid: int | str) -> Path:
    """A process's autogroup (its session's share of the CPU), where the kernel has them:
    reads "/autogroup-<n> nice <value>", is written a nice value to change it."""
    return Path(f"/proc/{pid}/autogroup")


def autogroup_niceness(pid: int | str = "self") -> int | None:
    """The nice value of the process's autogroup; None where the kernel keeps none."""
    path = autogroup_of(pid)
    return int(path.read_text().rsplit("nice", 1)[1]) if path.is_file() else None


class LowerPriority(Middleware):
    def after_process_boot(self, broker: dramatiq.Broker) -> None:
        niceness = get_settings().worker_niceness
        try:
            lower_priority(niceness)
        except OSError as exc:  # a sandbox that forbids it: the work runs all the same
            logger.warning("could not lower the worker's priority to nice %d: %s", niceness, exc)
