"""GET /metrics, scraped during a 10,000-row action and read with prometheus_client's own
parser: the workers' row counters add up to the action's totals, the chunk histogram has its
buckets, and the API's and scrape-time figures are there.

The counters add up every process of a platform, so these tests run on a platform of their
own (its database, queues and metrics directory): an action another test left running would
count its rows into the figures."""

import os
import uuid
from collections.abc import AsyncIterator, Iterable, Iterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample
from pymongo import MongoClient

from app.infra.auth import issue_token
from tests.integration.conftest import ROOT, Workers, start_api
from tests.integration.graphql_client import GraphQLClient
from tests.support.polling import until
from tests.support.processes import stop

ROWS = 10_000


@pytest.fixture(scope="module")
def api_url() -> Iterator[str]:
    """A platform of its own: its API and workers, database, queues and metrics."""
    name = f"metrics_{uuid.uuid4().hex[:8]}"
    metrics = ROOT / ".run" / name
    metrics.mkdir(parents=True)
    env = {
        "MONGODB_DB": f"test_{name}",
        "QUEUE_NAMESPACE": name,
        "PROMETHEUS_MULTIPROC_DIR": str(metrics),
    }
    workers = Workers(f"workers-{name}", **env)
    workers.start()
    url, api = start_api(f"api-{name}", **env)
    yield url
    stop(api)
    workers.stop()
    client: MongoClient[dict[str, object]]
    with MongoClient(os.environ["MONGODB_URL"]) as client:
        client.drop_database(env["MONGODB_DB"])
    for file in metrics.iterdir():
        file.unlink()
    metrics.rmdir()


@pytest.fixture
async def gql(api_url: str, account: str) -> AsyncIterator[GraphQLClient]:
    async with GraphQLClient(api_url, issue_token(account)) as client:
        yield client


async def scrape(api_url: str) -> list[Sample]:
    async with httpx.AsyncClient(base_url=api_url) as client:
        answer = await client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    return [s for family in text_string_to_metric_families(answer.text) for s in family.samples]


def value(samples: Iterable[Sample], name: str, **labels: str) -> float:
    return sum(
        s.value
        for s in samples
        if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
    )


def rows_by_outcome(samples: list[Sample]) -> dict[str, float]:
    return {
        outcome: value(samples, "bulk_rows_processed_total", outcome=outcome)
        for outcome in ("SUCCESS", "FAILED", "SKIPPED")
    }


async def test_metrics_during_an_action_add_up_to_its_totals(
    gql: GraphQLClient, api_url: str
) -> None:
    before = rows_by_outcome(await scrape(api_url))
    records = [{"email": f"m{n}@example.com"} for n in range(ROWS - 10)]
    records += [{"email": "m1@example.com"}] * 10  # repeats: SKIPPED
    created = await gql.create(entityType="CONTACT", actionType="INSERT", records=records)

    during = await scrape(api_url)
    names = {s.name for s in during}
    computed = {
        "bulk_actions_active",
        "bulk_rate_limit_waiting",
        "bulk_queue_messages",
        "bulk_live_subscribers",
    }
    assert computed <= names

    done = await gql.wait(created["id"])

    async def every_chunk_timed() -> list[Sample] | None:
        """The scrape once each chunk's time is counted: a worker counts it after recording
        the chunk, so the last one may come just after the action shows its end."""
        found = await scrape(api_url)
        return found if value(found, "bulk_chunk_duration_seconds_count") >= ROWS / 500 else None

    after = await until(every_chunk_timed, "every chunk's duration to be counted")
    stats = done["stats"]
    grown = {k: v - before[k] for k, v in rows_by_outcome(after).items()}
    assert grown == {
        "SUCCESS": stats["succeeded"],
        "FAILED": stats["failed"],
        "SKIPPED": stats["skipped"],
    }
    assert sum(grown.values()) == ROWS
    # Counted by the worker processes, added up by the API's scrape.
    buckets = [s for s in after if s.name == "bulk_chunk_duration_seconds_bucket"]
    assert {s.labels["le"] for s in buckets} >= {"0.5", "1.0", "+Inf"}
    assert value(after, "bulk_actions_ended_total", status="COMPLETED") >= 1
    assert (
        value(
            after,
            "bulk_api_request_duration_seconds_count",
            operation="mutation createBulkAction",
        )
        >= 1
    )


async def test_a_drip_action_waiting_for_its_next_batch_is_counted(
    gql: GraphQLClient, api_url: str
) -> None:
    records = [{"email": f"gauge{n}@example.com"} for n in range(20)]
    created = await gql.create(
        entityType="CONTACT",
        actionType="INSERT",
        records=records,
        drip={"batchSize": 10, "everySeconds": 3600},
    )

    async def first_batch_done() -> bool:
        return bool((await gql.action(created["id"]))["stats"]["processed"] == 10)

    await until(first_batch_done, "the first batch to be written")
    # Other tests' drip actions may wait too: at least this one does.
    assert value(await scrape(api_url), "bulk_drip_actions_waiting") >= 1
    await gql.data("mutation($id: ID!) { cancelBulkAction(id: $id) { id } }", id=created["id"])
    await gql.wait(created["id"])
