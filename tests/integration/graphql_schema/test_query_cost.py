"""The database work of a GraphQL answer does not grow with the number of nodes or subscribers.

Runs the schema in this process, against the real database and Redis, and counts the MongoDB
commands it sends with PyMongo's command monitoring.
"""

import asyncio
from collections.abc import AsyncGenerator
from typing import Any, cast

import pytest
from beanie import PydanticObjectId
from graphql import ExecutionResult

from app.domain.models import ActionControl, BulkAction, BulkActionStatus, Chunk, ControlRequest
from app.domain.models.ids import saved_id
from app.domain.principal import Principal
from app.infra.mongo.accounts import limits
from app.infra.redis import liveness
from app.infra.redis.events import publish_change
from app.infra.settings import get_settings
from app.usecases.reading.live import hub
from graphql_schema.context import Context
from graphql_schema.schema import schema
from tests.integration.commands import COUNTER

LIST = """
query($first: Int) {
  bulkActions(first: $first) {
    totalCount edges { node { id status stats { total processed waitingRows etaSeconds } } }
  }
}
"""
PROGRESS = """
subscription($id: ID!) {
  bulkActionProgress(id: $id) { status action { status stats { processed total } } }
}
"""


def context(account: str) -> Context:
    return Context(request=cast(Any, None), caller=Principal(account_id=account))


async def running_action(account: str, chunks: int = 2) -> BulkAction:
    """A PROCESSING action with done chunks, as the workers would leave it mid-way."""
    action = BulkAction(
        id=PydanticObjectId(),
        account_id=account,
        entity_type="CONTACT",
        action_type="UPDATE",
        status=BulkActionStatus.PROCESSING,
        total=chunks * 10,
        chunks_total=chunks + 1,
    )
    await action.insert()
    await liveness.touch(str(action.id))  # the suite's sweeper leaves it alone
    await Chunk.insert_many(
        [
            Chunk(
                id=Chunk.id_for(saved_id(action), seq),
                action_id=saved_id(action),
                account_id=account,
                seq=seq,
                size=10,
                done=True,
                succeeded=10,
            )
            for seq in range(chunks)
        ]
    )
    return action


async def seed(account: str, count: int) -> None:
    for n in range(count):
        action = await running_action(account)
        if n % 3 == 0:
            await ActionControl(
                id=saved_id(action),
                account_id=account,
                request=ControlRequest.PAUSE,
            ).insert()


@pytest.fixture(autouse=True)
def limits_cached_for_the_test(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite caches an account's limit for 0.5 s; a page of 100 nodes on a loaded machine
    can take longer, and a cache running out mid-count adds a find that is not the page's."""
    monkeypatch.setattr(get_settings(), "rate_limit_cache_seconds", 120.0)


async def fresh_limit(account: str) -> None:
    """Reads the account's limit into this process's cache now, so that no count below
    depends on whether the cache ran out while a slow machine set the test up."""
    limits.forget(account)
    await limits.limit_for(account)


async def list_commands(account: str, first: int) -> list[str]:
    await fresh_limit(account)
    with COUNTER.counting() as commands:
        result = await schema.execute(
            LIST, variable_values={"first": first}, context_value=context(account)
        )
    assert result.errors is None, result.errors
    assert result.data is not None
    edges = result.data["bulkActions"]["edges"]
    assert len(edges) == first
    assert {edge["node"]["status"] for edge in edges} == {"PAUSED", "PROCESSING"}
    assert all(edge["node"]["stats"]["processed"] == 20 for edge in edges)
    return [name for name, _ in commands]


async def test_a_list_of_100_actions_costs_what_a_list_of_5_does(
    database: None, account: str
) -> None:
    await seed(account, 100)
    few = await list_commands(account, 5)
    many = await list_commands(account, 100)
    assert len(many) == len(few), (few, many)
    assert len(many) <= 6, many  # count, page, control requests, chunk sums (+ cursor ends)


async def subscribers(
    account: str, action: BulkAction, count: int
) -> list[AsyncGenerator[Any, None]]:
    """`count` subscriptions to the action, each past its first (snapshot) event."""
    streams = []
    for _ in range(count):
        stream = await schema.subscribe(
            PROGRESS, variable_values={"id": str(action.id)}, context_value=context(account)
        )
        assert not isinstance(stream, ExecutionResult), stream
        first = await asyncio.wait_for(anext(stream), 30)
        assert first.errors is None, first.errors
        streams.append(stream)
    return streams


async def event_commands(account: str, watchers: int) -> list[str]:
    """The commands one change of the action costs, with `watchers` subscribers."""
    action = await running_action(account)
    streams = await subscribers(account, action, watchers)
    await fresh_limit(account)
    try:
        with COUNTER.counting() as commands:
            await Chunk(
                id=Chunk.id_for(saved_id(action), 2),
                action_id=saved_id(action),
                account_id=account,
                seq=2,
                size=10,
                done=True,
                succeeded=10,
            ).insert()
            await publish_change(action.id, account)
            events = await asyncio.wait_for(
                asyncio.gather(*(anext(stream) for stream in streams)), 60
            )
        for event in events:
            assert event.errors is None, event.errors
            assert event.data is not None
            assert event.data["bulkActionProgress"]["action"]["stats"]["processed"] == 30
        return [name for name, _ in commands if name != "insert"]
    finally:
        for stream in streams:
            await stream.aclose()


async def test_an_event_for_200_subscribers_costs_what_it_does_for_one(
    database: None, account: str
) -> None:
    try:
        one = await event_commands(account, 1)
        many = await event_commands(account, 200)
    finally:
        await hub.close()  # this process's listener: other tests count the API's alone
    assert len(many) == len(one), (one, many)
