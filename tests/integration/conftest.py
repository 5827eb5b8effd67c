"""Fixtures over real services: the API and Dramatiq workers run as subprocesses against the
Redis and MongoDB-wire server that scripts/test started (REDIS_URL, MONGODB_URL)."""

import atexit
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

RUN_ID = uuid.uuid4().hex[:8]
ROOT = Path(__file__).resolve().parents[2]

if not os.environ.get("MONGODB_URL") or not os.environ.get("REDIS_URL"):
    raise pytest.UsageError("Run the tests with scripts/test: it starts Redis and FerretDB.")

# Every process of this run shares these; the database and queue names keep runs apart.
os.environ.update(
    {
        "MONGODB_DB": f"test_{RUN_ID}",
        "QUEUE_NAMESPACE": f"test-{RUN_ID}",
        "JWT_SECRET": "test-secret-0123456789abcdef0123456789",
        "CHUNK_SIZE": "500",
        "CHUNK_MAX_RETRIES": "2",
        "CHUNK_MIN_BACKOFF_MS": "100",
        "CHUNK_MAX_BACKOFF_MS": "400",
        "MAX_UPLOAD_BYTES": str(12 * 1024 * 1024),
        "MAX_UPLOAD_ROWS": "150000",
        # Lifted for the suite; the pacing tests give their accounts small limits.
        "RATE_LIMIT_PER_MINUTE": "100000000",
        "RATE_LIMIT_CACHE_SECONDS": "0.5",
        "SWEEP_INTERVAL_SECONDS": "1",
        # FerretDB v1 counts 100,000 entities by reading them all: on a loaded 2-core machine
        # that can outlast the production bound (tests/unit/usecases/test_bounds.py shows
        # what a stopped query answers).
        "QUERY_MAX_TIME_MS": "300000",
        # The webhook tests' receiver listens on loopback; its retries come quickly.
        "WEBHOOK_ALLOW_HOSTS": "127.0.0.1",
        "WEBHOOK_MIN_BACKOFF_MS": "100",
        "WEBHOOK_MAX_BACKOFF_MS": "400",
        # Every process of the run writes its metrics here; a scrape of the API adds them up.
        "PROMETHEUS_MULTIPROC_DIR": str(ROOT / ".run" / f"metrics-{RUN_ID}"),
    }
)
os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)
# The metrics files are this run's alone: they go when its process ends.
atexit.register(shutil.rmtree, os.environ["PROMETHEUS_MULTIPROC_DIR"], True)

from app.infra.auth import issue_token  # noqa: E402
from app.infra.mongo import db  # noqa: E402
from tests.integration import commands  # noqa: E402, F401  (listens before any client connects)  (settings read the environment above)
from tests.integration.graphql_client import GraphQLClient  # noqa: E402
from tests.support.processes import free_port, kill, stop, wait_ready  # noqa: E402


def prune_test_logs(folder: Path, days: float = 1) -> None:
    """Test logs are read right after a run; those of runs over `days` old go."""
    for log in folder.glob("*.log"):
        try:
            if time.time() - log.stat().st_mtime > days * 86_400:
                log.unlink()
        except FileNotFoundError:  # another process of this run got there first
            pass


TEST_LOGS = ROOT / ".run" / "test-logs"
prune_test_logs(TEST_LOGS)


def log_file(name: str) -> Path:
    """Where a process this run starts logs: .run/test-logs/<run>-<name>.log."""
    TEST_LOGS.mkdir(parents=True, exist_ok=True)
    return TEST_LOGS / f"{RUN_ID}-{name}.log"


def start(
    args: list[str], log_name: str, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Starts `python -m <args>` in its own process group, logging to .run/test-logs."""
    log = open(log_file(log_name), "wb")  # noqa: SIM115
    return subprocess.Popen(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
        start_new_session=True,
    )


class Workers:
    """The Dramatiq worker processes of the run; tests may kill and restart them."""

    def __init__(self, name: str = "workers", **env: str) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.name = name
        # The workers read an account's limit afresh for each chunk: a limit a test sets is in
        # force at once, with nothing to wait for (RATE_LIMIT_CACHE_SECONDS bounds it else).
        self.env = {"RATE_LIMIT_CACHE_SECONDS": "0", **env}

    def start(self) -> None:
        self.starts += 1
        args = ["dramatiq", "workers", "--processes", "2", "--threads", "4"]
        args += ["--worker-shutdown-timeout", "8000"]
        self.process = start(args, self.log_name(), self.env)

    def log_name(self) -> str:
        """The log of the processes started last (`log_file`)."""
        return f"{self.name}-{self.starts}"

    def kill(self) -> None:
        """Dies at once, like a lost machine: no graceful shutdown, messages held are lost
        to this process."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
            self.process = None


@pytest.fixture(scope="session")
def workers() -> Iterator[Workers]:
    pool = Workers()
    pool.start()
    yield pool
    pool.stop()


def start_api(log_name: str, **env: str) -> tuple[str, subprocess.Popen[bytes]]:
    """The API, as API_PROCESSES processes sharing its port (uvicorn's workers; one unless
    `env` says), as scripts/dev and the image run it."""
    processes = env.pop("API_PROCESSES", "1")
    port = free_port()
    args = ["uvicorn", "server.asgi:create_app", "--factory", "--port", str(port)]
    args += ["--timeout-graceful-shutdown", "5", "--workers", processes]
    process = start(args, log_name, env)
    url = f"http://127.0.0.1:{port}"
    wait_ready(f"{url}/health/ready", process)
    return url, process


@contextlib.contextmanager
def own_api(name: str, **env: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """An API process of the test's own, killed at its end (also when the test fails)."""
    url, api = start_api(name, **env)
    try:
        yield url, api
    finally:
        kill(api, api.pid)
        api.wait()


@pytest.fixture(scope="session")
def api_url(workers: Workers) -> Iterator[str]:
    url, process = start_api("api")
    yield url
    stop(process)


@pytest.fixture(scope="session")
async def database() -> AsyncIterator[None]:
    """This process's own connection, for setting up and checking what the platform stored."""
    database = await db.connect()
    yield
    if not os.environ.get("KEEP_TEST_DB"):
        await database.client.drop_database(database.name)
    await db.close()


def new_account() -> str:
    return f"acct-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def account() -> str:
    return new_account()


@pytest.fixture
async def gql(api_url: str, account: str, database: None) -> AsyncIterator[GraphQLClient]:
    async with GraphQLClient(api_url, issue_token(account)) as client:
        yield client


@pytest.fixture
async def other_gql(api_url: str, database: None) -> AsyncIterator[GraphQLClient]:
    async with GraphQLClient(api_url, issue_token(new_account())) as client:
        yield client


@pytest.fixture
async def admin_gql(api_url: str, database: None) -> AsyncIterator[GraphQLClient]:
    async with GraphQLClient(api_url, issue_token("ops", role="admin")) as client:
        yield client
