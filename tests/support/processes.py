"""Starting and waiting for the platform's processes, for benchmarks and tests."""

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    """Waits for `url` to answer 200; fails early if the process exits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} not ready after {seconds}s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Asks the process to stop (its own graceful stop: a supervisor stops what it started),
    then kills it after 15 s. One started in a session of its own (`start_new_session`) is
    killed with every process of its group, and what of the group outlives it goes too: the
    processes a supervisor started (Dramatiq's workers, uvicorn's) are never left running,
    orphaned, into the next test or benchmark."""
    group = process.pid if leads_its_group(process) else None
    with contextlib.suppress(ProcessLookupError):
        process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        kill(process, group)
        process.wait()
    if group is not None:
        kill(process, group)


def leads_its_group(process: subprocess.Popen[bytes]) -> bool:
    try:
        return os.getpgid(process.pid) == process.pid
    except ProcessLookupError:
        return False


def kill(process: subprocess.Popen[bytes], group: int | None) -> None:
    with contextlib.suppress(ProcessLookupError):
        if group is None:
            process.kill()
        else:
            os.killpg(group, signal.SIGKILL)


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM) so far, in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


def cpu_seconds(pid: int) -> float:
    """The process's user + system CPU time so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """The processes `pid` started (pgrep -P)."""
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(child) for child in out.split()]


def thread_niceness(pid: int) -> dict[int, int]:
    """The nice value of each thread of the process, by thread id (Linux keeps one per
    thread); threads that ended while read are left out."""
    found = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        found[int(task.name)] = int(fields[16])  # stat's 19th field: nice
    return found
