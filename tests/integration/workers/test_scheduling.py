"""A scheduled action starts on time even when the workers die and Redis loses its messages:
MongoDB says what is due, and the sweeper starts it."""

import asyncio
from datetime import UTC, datetime, timedelta

from app.infra.redis.client import get_redis
from app.infra.settings import get_settings
from tests.integration.conftest import Workers
from tests.integration.graphql_client import GraphQLClient
from tests.integration.pacing_helpers import records


async def forget_queued_messages() -> int:
    """Deletes Dramatiq's keys of this run (queues, delay queues, acks), as a Redis restart
    without persistence would."""
    redis = get_redis()
    namespace = get_settings().queue_namespace
    keys = [key async for key in redis.scan_iter(f"{namespace}:bulk_actions*")]
    keys += [key async for key in redis.scan_iter(f"{namespace}:__*")]
    if keys:
        await redis.delete(*keys)
    return len(keys)


async def test_scheduled_action_starts_after_worker_death_and_lost_messages(
    gql: GraphQLClient, workers: Workers
) -> None:
    due = datetime.now(UTC) + timedelta(seconds=4)
    created = await gql.create(
        entityType="CONTACT",
        actionType="INSERT",
        records=records(50, "sched"),
        scheduledAt=due.isoformat(),
    )
    assert created["status"] == "SCHEDULED"
    await asyncio.sleep(0.5)  # a worker takes the delayed message and holds it
    workers.kill()
    try:
        assert await forget_queued_messages() > 0
        await asyncio.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()) + 1)
        assert (await gql.action(created["id"]))["status"] == "SCHEDULED"
    finally:
        workers.start()

    done = await gql.wait(created["id"])
    assert done["status"] == "COMPLETED"
    assert done["stats"]["succeeded"] == 50
    late = datetime.fromisoformat(done["startedAt"]) - due
    print(f"scheduled start after a restart: {late.total_seconds():.1f} s after its time")
    assert timedelta(0) <= late < timedelta(seconds=20)
