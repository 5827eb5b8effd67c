"""The API as several processes sharing one port (API_PROCESSES, as docker-compose runs it):
requests on new connections land on either process, and each answers as one API would —
an action made through one is followed live through another to its end, and /metrics counts
every process's open subscriptions, whichever process answers the scrape."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.infra.auth import issue_token
from client.api import ApiClient
from tests.integration.conftest import Workers, start_api
from tests.integration.graphql_client import GraphQLClient
from tests.integration.pacing_helpers import records
from tests.integration.server.test_metrics import scrape, value
from tests.support.polling import until
from tests.support.processes import children, stop

PROCESSES = 2
PROGRESS = "subscription($id: ID!) { bulkActionProgress(id: $id) { status stats { processed } } }"


def command_line(pid: int) -> bytes:
    return Path(f"/proc/{pid}/cmdline").read_bytes()


@pytest.fixture(scope="module")
def api_url(workers: Workers) -> Iterator[str]:
    url, supervisor = start_api("api-processes", API_PROCESSES=str(PROCESSES))
    started = children(supervisor.pid)
    # Besides the API's processes, multiprocessing's resource tracker.
    serving = [pid for pid in started if b"resource_tracker" not in command_line(pid)]
    assert len(serving) == PROCESSES, started
    yield url
    stop(supervisor)


async def collect(events: AsyncIterator[dict[str, Any]]) -> list[dict[str, Any]]:
    return [event["bulkActionProgress"] async for event in events]


@pytest.fixture
async def client(api_url: str, account: str, database: None) -> AsyncIterator[ApiClient]:
    async with ApiClient(api_url, issue_token(account)) as api:
        yield api


async def test_an_action_is_followed_live_to_its_end_through_either_process(
    api_url: str, account: str, client: ApiClient
) -> None:
    async with GraphQLClient(api_url, issue_token(account)) as gql:
        created = await gql.create(
            entityType="CONTACT", actionType="INSERT", records=records(1500, "procs")
        )
        followed = client.subscribe(PROGRESS, {"id": created["id"]})
        events = await asyncio.wait_for(collect(followed), 120)
        assert events[-1] == {"status": "COMPLETED", "stats": {"processed": 1500}}
        assert (await gql.wait(created["id"]))["stats"]["succeeded"] == 1500


async def test_every_scrape_counts_the_subscriptions_open_on_every_process(
    api_url: str, account: str, client: ApiClient
) -> None:
    async with GraphQLClient(api_url, issue_token(account)) as gql:
        created = await gql.create(
            entityType="CONTACT",
            actionType="INSERT",
            records=records(20, "held"),
            drip={"batchSize": 10, "everySeconds": 3600},  # stays running: the feed stays open
        )
        events = client.subscribe(PROGRESS, {"id": created["id"]})
        await asyncio.wait_for(anext(events), 60)  # open on one of the processes

        async def counted() -> bool:
            return value(await scrape(api_url), "bulk_live_subscribers") >= 1

        await until(counted, "the open subscription to be counted")
        # Each scrape on a new connection: the kernel spreads them over the processes.
        for _ in range(20):
            assert value(await scrape(api_url), "bulk_live_subscribers") >= 1
        await events.aclose()
        await gql.data("mutation($id: ID!) { cancelBulkAction(id: $id) { id } }", id=created["id"])
        await gql.wait(created["id"])
