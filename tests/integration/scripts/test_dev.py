"""The README's first command: scripts/dev runs the API, the dashboard and a worker that
processes actions (here on the run's own Redis and FerretDB, which it reuses)."""

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from pymongo import MongoClient

from app.infra.auth import issue_token
from client.api import ApiClient
from tests.integration.conftest import ROOT, RUN_ID, log_file
from tests.support.processes import free_port, wait_ready

CREATE = """
mutation($input: CreateBulkActionInput!) { createBulkAction(input: $input) { id } }
"""
STATUS = "query($id: ID!) { bulkAction(id: $id) { status stats { succeeded } } }"
ENTITIES = "{ entities(entityType: CONTACT) { totalCount edges { node { data } } } }"


def dev_env(port: int, name: str) -> dict[str, str]:
    """scripts/dev on the run's services, with its own database and queues: its worker must
    not take the suite's work."""
    return {
        **os.environ,
        "PORT": str(port),
        "WORKER_PROCESSES": "1",
        "WORKER_THREADS": "2",
        "MONGODB_DB": f"{os.environ['MONGODB_DB']}_{name}",
        "QUEUE_NAMESPACE": f"{os.environ['QUEUE_NAMESPACE']}-{name}",
    }


@contextlib.contextmanager
def running_dev(env: dict[str, str], log_name: str, *args: str) -> Iterator[str]:
    """scripts/dev started with `args`, ready; stopped with SIGTERM, as a service manager
    stops it (Ctrl-C's SIGINT takes the same path, but a shell started in the background
    ignores SIGINT, and CI may start this one so). Yields the API's URL."""
    log = log_file(log_name).open("ab")
    dev = subprocess.Popen(
        [str(ROOT / "scripts" / "dev"), *args],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{env['PORT']}"
    try:
        wait_ready(f"{url}/health/ready", dev, seconds=180)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):  # it may have failed to start
            os.killpg(dev.pid, signal.SIGTERM)
        try:
            dev.wait(timeout=30)
        except subprocess.TimeoutExpired:
            kill_all(dev)
            raise


async def test_scripts_dev_serves_the_platform() -> None:
    env = dev_env(free_port(), "dev")
    try:
        with running_dev(env, "scripts-dev") as url:
            async with ApiClient(url, issue_token("dev-smoke")) as api:
                assert (await api.http.get("/dashboard")).status_code == 200
                assert (await api.http.get("/dashboard/app.js")).status_code == 200
                given = {
                    "entityType": "CONTACT",
                    "actionType": "INSERT",
                    "records": [{"email": "d@e.com"}],
                }
                created = (await api.execute(CREATE, input=given))["createBulkAction"]
                events = [
                    e
                    async for e in api.subscribe(
                        "subscription($id: ID!) { bulkActionProgress(id: $id) { status } }",
                        {"id": created["id"]},
                    )
                ]
                assert events[-1]["bulkActionProgress"]["status"] == "COMPLETED"
    finally:
        MongoClient(env["MONGODB_URL"]).drop_database(env["MONGODB_DB"])


async def finished(api: ApiClient, action_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while True:
        action: dict[str, Any] = (await api.execute(STATUS, id=action_id))["bulkAction"]
        if action and action["status"] == "COMPLETED":
            return action
        assert time.monotonic() < deadline, action
        await asyncio.sleep(0.5)


async def test_scripts_dev_keeps_its_data_until_reset() -> None:
    """Stopped (TERM) and started again, scripts/dev still has the action and the entities
    made before (its own services, on DATA_DIR); `--reset` starts empty."""
    # Under .run, as scripts/dev's own: PostgreSQL, run as its user, must reach it.
    data = ROOT / ".run" / f"test-data-{RUN_ID}"
    env = {
        **{k: v for k, v in dev_env(free_port(), "dev_data").items() if not k.endswith("_URL")},
        "DATA_DIR": str(data),
    }
    emails = ["kept1@example.com", "kept2@example.com", "kept3@example.com"]
    given = {
        "entityType": "CONTACT",
        "actionType": "INSERT",
        "records": [{"email": email} for email in emails],
    }
    with running_dev(env, "scripts-dev-data") as url:
        async with ApiClient(url, issue_token("dev-data")) as api:
            action_id = (await api.execute(CREATE, input=given))["createBulkAction"]["id"]
            assert (await finished(api, action_id))["stats"]["succeeded"] == 3

    with running_dev(env, "scripts-dev-data") as url:
        async with ApiClient(url, issue_token("dev-data")) as api:
            assert (await finished(api, action_id))["stats"]["succeeded"] == 3
            found = (await api.execute(ENTITIES))["entities"]
            assert sorted(edge["node"]["data"]["email"] for edge in found["edges"]) == emails

    try:
        with running_dev(env, "scripts-dev-data", "--reset") as url:
            async with ApiClient(url, issue_token("dev-data")) as api:
                assert (await api.execute(ENTITIES))["entities"]["totalCount"] == 0
    finally:
        shutil.rmtree(data, ignore_errors=True)


def kill_all(dev: subprocess.Popen[bytes]) -> None:
    """Kills scripts/dev and its children, each in a session of its own."""
    children = subprocess.run(["pgrep", "-P", str(dev.pid)], capture_output=True, text=True)
    for pid in [int(pid) for pid in children.stdout.split()]:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    os.killpg(dev.pid, signal.SIGKILL)


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


async def test_scripts_dev_killed_hard_takes_the_api_and_workers_along() -> None:
    """kill -9 of scripts/dev: its API and workers, in sessions of their own, still get
    SIGTERM (their parent-death signal) and free the port."""
    port = free_port()
    log = log_file("scripts-dev-killed").open("wb")
    env = dev_env(port, "dev_killed")
    dev = subprocess.Popen(
        [str(ROOT / "scripts" / "dev")], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}/health/live"
    try:
        wait_ready(url, dev, seconds=120)
        children = subprocess.run(["pgrep", "-P", str(dev.pid)], capture_output=True, text=True)
        pids = [int(pid) for pid in children.stdout.split()]
        dev.kill()
        dev.wait()
        deadline = time.monotonic() + 60
        while answers(url) or any(alive(pid) for pid in pids):
            assert time.monotonic() < deadline, "scripts/dev's children outlived it"
            await asyncio.sleep(0.5)
    finally:
        if dev.poll() is None:
            kill_all(dev)
        MongoClient(env["MONGODB_URL"]).drop_database(env["MONGODB_DB"])


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"  # a zombie has ended
