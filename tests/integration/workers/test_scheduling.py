"""A scheduled action starts on time even when the workers die and Redis loses its messages:
MongoDB says what is due, and the sweeper starts it."""

from datetime import UTC, datetime, timedelta

from app.infra.redis.client import get_redis
from app.infra.redis.tasks import QUEUE
from app.infra.settings import get_settings
from tests.integration.conftest import Workers
from tests.integration.graphql_client import GraphQLClient
from tests.integration.pacing_helpers import records
from tests.support.polling import stays, until


async def delayed_message_held() -> bool:
    """Whether a worker holds a delayed message (Dramatiq's acks of the delay queue)."""
    redis = get_redis()
    namespace = get_settings().queue_namespace
    async for key in redis.scan_iter(f"{namespace}:__acks__.*.{QUEUE}.DQ"):
        if await redis.scard(key):
            return True
    return False


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


async def scheduled(gql: GraphQLClient, action_id: str) -> bool:
    return bool((await gql.action(action_id))["status"] == "SCHEDULED")


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
    await until(delayed_message_held, "a worker to take the delayed message and hold it")
    workers.kill()
    try:
        assert await forget_queued_messages() > 0
        # Its time comes and goes with no worker alive: it must still be waiting.
        past_due = max(0.0, (due - datetime.now(UTC)).total_seconds()) + 1
        await stays(lambda: scheduled(gql, created["id"]), "SCHEDULED", past_due)
    finally:
        workers.start()

    done = await gql.wait(created["id"])
    assert done["status"] == "COMPLETED"
    assert done["stats"]["succeeded"] == 50
    late = datetime.fromisoformat(done["startedAt"]) - due
    print(f"scheduled start after a restart: {late.total_seconds():.1f} s after its time")
    assert timedelta(0) <= late < timedelta(seconds=20)
