"""Redis, then the database, cut for twenty seconds each while a CSV import runs: the action
ends with exact counts, one log per row and each good row inserted once, as if neither had
gone away (work that finds a service down waits for it without spending its retries,
workers/actors.py). The import has its own API and workers, which reach both services through links
the test cuts (tests/integration/faults.py), on a database and a Redis database of their own
(the suite's processes never see its messages); its account's limit spreads it over a
minute, so that both outages fall in the middle of its chunks."""

import asyncio
import csv
import io
import os
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from pymongo import AsyncMongoClient
from redis.asyncio import Redis

from app.infra.auth import issue_token
from app.infra.settings import get_settings
from tests.integration.conftest import Workers, new_account, start_api
from tests.integration.faults import Link
from tests.integration.graphql_client import GraphQLClient, GraphQLError, upload
from tests.support.contacts_csv import lines, plan
from tests.support.processes import stop

ROWS = 3_000
# Longer than the suite's chunk retries last against a service that is away (three attempts,
# each waiting MONGODB_TIMEOUT_MS for a server, 100-400 ms apart: about 10 s).
OUTAGE_SECONDS = 20
# Its own Redis database: the queues, limits and keys of this test's processes alone.
REDIS_DB = 9


def on_redis_db(url: str, number: int) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{number}"))


@dataclass
class Stack:
    """The API and workers of one test, and the links they reach the services through."""

    gql: GraphQLClient
    db_link: Link
    redis_link: Link


async def forget(database: str) -> None:
    """Drops what an earlier run of the test left (its database, its Redis database)."""
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(os.environ["MONGODB_URL"])
    try:
        await client.drop_database(database)
    finally:
        await client.close()
    redis = Redis.from_url(on_redis_db(os.environ["REDIS_URL"], REDIS_DB))
    try:
        await redis.flushdb()
    finally:
        await redis.aclose()


@pytest.fixture
async def stack() -> AsyncIterator[Stack]:
    database = f"{get_settings().mongodb_db}_outages"
    await forget(database)
    db_link = Link(os.environ["MONGODB_URL"])
    redis_link = Link(on_redis_db(os.environ["REDIS_URL"], REDIS_DB))
    env = {
        "MONGODB_URL": db_link.url,
        "MONGODB_DB": database,
        "REDIS_URL": redis_link.url,
        "CHUNK_SIZE": "100",
        "RATE_LIMIT_PER_MINUTE": str(ROWS),
        # The sweeper never steps in: a chunk's message lost to the outage stalls the test.
        "STALL_SECONDS": "3600",
    }
    workers = Workers("outage-workers", **env)
    workers.start()
    url, api = start_api("outage-api", **env)
    try:
        async with GraphQLClient(url, issue_token(new_account())) as gql:
            yield Stack(gql, db_link, redis_link)
    finally:
        stop(api)
        workers.stop()
        db_link.close()
        redis_link.close()
        await forget(database)


async def eventually(
    ask: Callable[[], Awaitable[dict[str, Any]]], seconds: float = 180
) -> dict[str, Any]:
    """The answer once the API gives one (it answers SERVICE_UNAVAILABLE while a service is
    away, and recovers by itself)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return await ask()
        except (GraphQLError, httpx.HTTPError):
            assert time.monotonic() < deadline, "the API did not recover"
            await asyncio.sleep(0.5)


async def processed_reaches(gql: GraphQLClient, action_id: str, rows: int) -> int:
    deadline = time.monotonic() + 300
    while True:
        stats = (await eventually(lambda: gql.action(action_id)))["stats"]
        if stats["processed"] >= rows:
            return int(stats["processed"])
        assert time.monotonic() < deadline, stats
        await asyncio.sleep(0.2)


async def dead_letters() -> int:
    """Messages the test's workers gave up after their retries (Dramatiq keeps each in its
    queue's `.XQ` set)."""
    redis = Redis.from_url(on_redis_db(os.environ["REDIS_URL"], REDIS_DB))
    try:
        return sum([await redis.zcard(key) async for key in redis.scan_iter("*.XQ")])
    finally:
        await redis.aclose()


async def cut_for_a_while(link: Link) -> None:
    link.cut()
    await asyncio.sleep(OUTAGE_SECONDS)
    link.restore()


@pytest.mark.slow(2)
async def test_redis_then_the_database_away_mid_action_loses_and_doubles_nothing(
    stack: Stack,
) -> None:
    gql = stack.gql
    content = "".join(lines(ROWS, duplicates=0.02, bad=0.01)).encode()
    _, expected = plan(ROWS, duplicates=0.02, bad=0.01)
    uploaded = (await upload(gql, content)).json()
    action = await gql.create(
        entityType="CONTACT", actionType="INSERT", uploadId=uploaded["uploadId"]
    )

    at_cut = await processed_reaches(gql, action["id"], ROWS // 5)
    await cut_for_a_while(stack.redis_link)
    back = await processed_reaches(gql, action["id"], at_cut + 1)
    at_second_cut = await processed_reaches(gql, action["id"], back + 200)
    await cut_for_a_while(stack.db_link)
    print(f"Redis cut at {at_cut} rows processed, the database at {at_second_cut}, of {ROWS}")
    assert at_second_cut < ROWS - 200  # both outages fell in the middle of the action

    deadline = time.monotonic() + 300
    while (done := await eventually(lambda: gql.action(action["id"])))["status"] in (
        "QUEUED",
        "PROCESSING",
    ):
        assert time.monotonic() < deadline, done["stats"]
        await asyncio.sleep(0.5)
    # The promise: one outcome a row, and the counts are what the database holds.
    exported = (await gql.http.get(f"/bulk-actions/{action['id']}/logs.csv")).text
    logged = list(csv.DictReader(io.StringIO(exported)))
    rows = Counter(int(log["row"]) for log in logged)
    assert sorted(rows) == list(range(1, ROWS + 1))
    assert set(rows.values()) == {1}
    stats = done["stats"]
    count = await gql.data("{ entities(entityType: CONTACT, first: 1) { totalCount } }")
    assert count["entities"]["totalCount"] == stats["succeeded"]
    # And no row paid for the outages: the work waited for the services to come back, and
    # no message spent its retries and was given up (Dramatiq's dead letters).
    assert await dead_letters() == 0
    failed = Counter(log["reason"] for log in logged if log["status"] == "FAILED")
    assert failed == {"INVALID": expected.bad}
    assert (done["status"], stats["total"], stats["succeeded"], stats["skipped"]) == (
        "COMPLETED_WITH_ERRORS",
        ROWS,
        expected.good,
        expected.duplicates,
    )
