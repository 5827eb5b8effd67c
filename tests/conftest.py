"""Fixtures over real services: the API and Dramatiq workers run as subprocesses against the
Redis and MongoDB-wire server that scripts/test started (REDIS_URL, MONGODB_URL)."""

import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

RUN_ID = uuid.uuid4().hex[:8]
ROOT = Path(__file__).resolve().parent.parent

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
    }
)

from app import db  # noqa: E402  (settings read the environment above)
from app.auth import issue_token  # noqa: E402
from bench.processes import free_port, stop, wait_ready  # noqa: E402
from tests.graphql_client import GraphQLClient  # noqa: E402


def start(args: list[str], log_name: str) -> subprocess.Popen[bytes]:
    log_dir = ROOT / ".run" / "test-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log = open(log_dir / f"{RUN_ID}-{log_name}.log", "wb")  # noqa: SIM115
    return subprocess.Popen(
        [sys.executable, "-m", *args], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
    )


@pytest.fixture(scope="session")
def workers() -> Iterator[subprocess.Popen[bytes]]:
    process = start(["dramatiq", "workers", "--processes", "2", "--threads", "4"], "workers")
    yield process
    stop(process)


@pytest.fixture(scope="session")
def api_url(workers: subprocess.Popen[bytes]) -> Iterator[str]:
    port = free_port()
    process = start(
        ["uvicorn", "graphql_schema.asgi:create_app", "--factory", "--port", str(port)], "api"
    )
    url = f"http://127.0.0.1:{port}"
    wait_ready(f"{url}/health/ready", process)
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
