"""Counts the MongoDB commands and bytes a benchmarked process sends, when BENCH_MONITOR_DIR
is set: Python imports this module at start-up when bench/monitor is on PYTHONPATH, so the
platform's code knows nothing of it. Each process writes its totals to <dir>/<pid>.json
every half second: commands by name and collection, bytes of the commands (their BSON) by
command, and the CPU seconds the monitor itself spent, which the benchmark subtracts.

With BENCH_TRACE set to a file's path, each command is also appended to it as a line: the
time, the process, the command and its collection, and the platform's calls that sent it
(innermost first), to tell where a count comes from."""

import json
import os
import threading
import time
from collections import Counter
from pathlib import Path

DIRECTORY = os.environ.get("BENCH_MONITOR_DIR")
TRACE = os.environ.get("BENCH_TRACE")

if DIRECTORY:
    import bson
    from pymongo import monitoring

    class Totals(monitoring.CommandListener):
        def __init__(self) -> None:
            self.commands: Counter[str] = Counter()
            self.bytes = 0
            self.bytes_by: Counter[str] = Counter()
            self.own_cpu = 0.0
            self.lock = threading.Lock()

        def started(self, event: monitoring.CommandStartedEvent) -> None:
            began = time.thread_time()
            size = len(bson.encode(event.command))
            with self.lock:
                name = event.command_name
                target = event.command.get(name)
                key = f"{name} {target}" if isinstance(target, str) else name
                if TRACE:
                    trace(key)
                self.commands[key] += 1
                self.bytes += size
                self.bytes_by[key] += size
                self.own_cpu += time.thread_time() - began  # the trace's too

        def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
            pass

        def failed(self, event: monitoring.CommandFailedEvent) -> None:
            pass

        def dump(self, directory: str) -> None:
            path = Path(directory) / f"{os.getpid()}.json"
            while True:
                time.sleep(0.5)
                with self.lock:
                    totals = {
                        "commands": dict(self.commands),
                        "bytes": self.bytes,
                        "bytes_by": dict(self.bytes_by),
                        "own_cpu": self.own_cpu,
                    }
                # Whole or not at all: the benchmark reads it at any moment.
                path.with_suffix(".part").write_text(json.dumps(totals))
                os.replace(path.with_suffix(".part"), path)

    def trace(key: str) -> None:
        import traceback

        ours = (f"{os.sep}app{os.sep}", f"{os.sep}workers{os.sep}")
        calls = [
            f"{frame.filename.rsplit(os.sep, 2)[-2]}/{frame.name}"
            for frame in traceback.extract_stack()
            if any(part in frame.filename for part in ours)
        ]
        line = f"{time.time():.3f} {os.getpid()} {key} {' < '.join(reversed(calls[-4:]))}\n"
        with open(str(TRACE), "a") as out:
            out.write(line)

    TOTALS = Totals()
    monitoring.register(TOTALS)

    def start_dumping() -> None:
        threading.Thread(
            target=TOTALS.dump, args=(DIRECTORY,), name="bench-monitor", daemon=True
        ).start()

    def forked() -> None:
        """Dramatiq forks its worker processes: each counts its own, from zero."""
        TOTALS.commands, TOTALS.bytes, TOTALS.own_cpu = Counter(), 0, 0.0
        TOTALS.bytes_by = Counter()
        TOTALS.lock = threading.Lock()
        start_dumping()

    start_dumping()
    os.register_at_fork(after_in_child=forked)
