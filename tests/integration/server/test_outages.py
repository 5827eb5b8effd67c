"""When the database or Redis goes down, the API answers at once with SERVICE_UNAVAILABLE
(503 and Retry-After on REST), recovers by itself when it is back, and every process stops
within seconds on SIGTERM whatever is down."""

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import Iterator

import httpx
import pytest
from redis.asyncio import Redis

from app.infra.auth import issue_token
from app.infra.redis import keys
from tests.integration.conftest import start, start_api
from tests.integration.faults import Link
from tests.integration.graphql_client import GraphQLClient
from tests.support.polling import until
from tests.support.processes import stop

LIST = "{ bulkActions(first: 5) { totalCount } }"
# The driver's own server-selection wait is 30 s; the platform's is MONGODB_TIMEOUT_MS (3 s).
ANSWER_WITHIN = 25


@pytest.fixture
def db_link() -> Iterator[Link]:
    link = Link(os.environ["MONGODB_URL"])
    yield link
    link.close()


@pytest.fixture
def redis_link() -> Iterator[Link]:
    link = Link(os.environ["REDIS_URL"])
    yield link
    link.close()


async def not_ready(url: str) -> bool:
    async with httpx.AsyncClient(timeout=ANSWER_WITHIN) as http:
        return (await http.get(f"{url}/health/ready")).status_code != 200


async def recovers(client: GraphQLClient) -> None:
    deadline = time.monotonic() + 120
    while True:
        body = await client.execute(LIST)
        if "errors" not in body:
            return
        assert time.monotonic() < deadline, body
        await asyncio.sleep(1)


async def down_answer(client: GraphQLClient) -> dict[str, object]:
    started = time.monotonic()
    body = await client.execute(LIST)
    assert time.monotonic() - started < ANSWER_WITHIN
    error = body["errors"][0]
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE", body
    assert error["extensions"]["retryAfter"] >= 1
    upload = await client.http.post("/uploads", content=b"email\na@example.com\n")
    assert upload.status_code == 503, upload.text
    assert upload.headers["Retry-After"]
    assert upload.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
    return body


@pytest.mark.parametrize("service", ["MONGODB_URL", "REDIS_URL"])
async def test_a_service_down_then_back(database: None, account: str, service: str) -> None:
    link = Link(os.environ[service])
    url, api = start_api(f"api-{service.lower()}-down", **{service: link.url})
    try:
        async with GraphQLClient(url, issue_token(account)) as client:
            await recovers(client)
            link.cut()
            await down_answer(client)
            link.restore()
            await recovers(client)
    finally:
        stop(api)
        link.close()


def stop_time(process: subprocess.Popen[bytes]) -> float:
    """Seconds until the process ends after SIGTERM to its whole group, as systemd and
    Docker send it (a Dramatiq worker process then gets it twice: once forwarded)."""
    started = time.monotonic()
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return float("inf")
    return time.monotonic() - started


async def test_api_and_workers_stop_on_term_with_everything_down(
    database: None, db_link: Link, redis_link: Link
) -> None:
    links = {"MONGODB_URL": db_link.url, "REDIS_URL": redis_link.url}
    namespace = {"QUEUE_NAMESPACE": f"{os.environ['QUEUE_NAMESPACE']}-stop"}
    api_url, api = start_api("api-stop", **links)
    workers = start(
        [
            "dramatiq",
            "workers",
            "--processes",
            "1",
            "--threads",
            "2",
            "--worker-shutdown-timeout",
            "8000",
        ],
        "workers-stop",
        {**links, **namespace},
    )
    # Booted and connected (start_api waited for the API): the workers' heartbeat is there.
    redis = Redis.from_url(os.environ["REDIS_URL"])

    async def beating() -> int:
        return int(await redis.zcard(keys.worker_heartbeats(namespace["QUEUE_NAMESPACE"])))

    await until(beating, "the workers' first heartbeat")
    await redis.aclose()
    db_link.cut()
    redis_link.cut()
    await until(lambda: not_ready(api_url), "the API to see its services down")
    # Within 10 s each (8 s for running chunks, 5 s for open connections), with room for a
    # loaded machine; before, both waited for their dependencies and had to be killed.
    assert stop_time(api) < 20
    assert stop_time(workers) < 20
