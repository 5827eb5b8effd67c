"""Subscriptions over WebSocket with the real API, workers and Redis pub/sub."""

import asyncio
import json
import os
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import websockets
from redis.asyncio import Redis

from app.infra.auth import issue_token
from app.infra.redis.keys import events_channel
from client.api import LEGACY_WS, TRANSPORT_WS, ApiClient, ApiError, Closed
from tests.integration.graphql_client import GraphQLClient
from tests.integration.pacing_helpers import records, set_limit
from tests.support.polling import until

PROGRESS = """
subscription($id: ID!) {
  bulkActionProgress(id: $id) { id status at stats { total processed succeeded chunksDone } }
}
"""
FEED = "subscription { bulkActionsFeed { id status stats { processed } } }"
TERMINAL = {"COMPLETED", "COMPLETED_WITH_ERRORS", "FAILED", "CANCELLED"}


@pytest.fixture
async def client(api_url: str, account: str, database: None) -> AsyncIterator[ApiClient]:
    async with ApiClient(api_url, issue_token(account)) as api:
        yield api


async def collect(events: AsyncIterator[dict[str, Any]]) -> list[dict[str, Any]]:
    return [event["bulkActionProgress"] async for event in events]


async def live_counts(api_url: str) -> dict[str, int]:
    async with httpx.AsyncClient() as http:
        counts: dict[str, int] = (await http.get(f"{api_url}/health/live")).json()["live"]
        return counts


async def watchers(api_url: str, at_least: int) -> bool:
    return (await live_counts(api_url))["watchers"] >= at_least


async def test_snapshot_first_then_chunk_updates_then_completion(
    client: ApiClient, gql: GraphQLClient
) -> None:
    # 2,500 rows in chunks of 500: five chunk events after the first snapshot at most.
    created = await gql.create(
        entityType="CONTACT", actionType="INSERT", records=records(2500, "s")
    )
    events = await asyncio.wait_for(collect(client.subscribe(PROGRESS, {"id": created["id"]})), 60)

    assert events[0]["id"] == created["id"]
    assert events[-1]["status"] == "COMPLETED"
    assert events[-1]["stats"]["processed"] == 2500
    processed = [event["stats"]["processed"] for event in events]
    assert processed == sorted(processed)
    times = [event["at"] for event in events]
    assert times == sorted(times)
    assert sum(1 for event in events if event["status"] in TERMINAL) == 1  # then it completes


async def test_a_late_subscriber_gets_the_final_state_and_completes(
    client: ApiClient, gql: GraphQLClient
) -> None:
    done = await gql.run(entityType="CONTACT", actionType="INSERT", records=records(10, "late"))
    events = await asyncio.wait_for(collect(client.subscribe(PROGRESS, {"id": done["id"]})), 10)
    assert [event["status"] for event in events] == ["COMPLETED"]
    assert events[0]["stats"]["processed"] == 10


async def test_legacy_graphql_ws_protocol_works_too(client: ApiClient, gql: GraphQLClient) -> None:
    done = await gql.run(entityType="CONTACT", actionType="INSERT", records=records(3, "legacy"))
    events = await asyncio.wait_for(
        collect(client.subscribe(PROGRESS, {"id": done["id"]}, protocol=LEGACY_WS)), 10
    )
    assert events[-1]["status"] == "COMPLETED"


async def test_paused_and_resumed_actions_show_it_live(
    client: ApiClient, gql: GraphQLClient, admin_gql: GraphQLClient, account: str
) -> None:
    await set_limit(admin_gql, account, 600)
    created = await gql.create(
        entityType="CONTACT", actionType="INSERT", records=records(700, "pz")
    )
    seen: list[str] = []

    async def watch() -> None:
        async for event in client.subscribe(PROGRESS, {"id": created["id"]}):
            seen.append(event["bulkActionProgress"]["status"])
            # Resume once: a state read just before the resume may still arrive after it.
            if seen[-1] == "PAUSED" and seen.count("PAUSED") == 1:
                await set_limit(admin_gql, account, 1_000_000)
                await gql.data(
                    "mutation($id: ID!) { resumeBulkAction(id: $id) { id } }", id=created["id"]
                )

    watching = asyncio.create_task(watch())

    async def heard() -> bool:
        return bool(seen)

    await until(heard, "the subscription's first event")
    await gql.data("mutation($id: ID!) { pauseBulkAction(id: $id) { id } }", id=created["id"])
    await asyncio.wait_for(watching, 60)
    assert "PAUSED" in seen
    assert seen[-1] == "COMPLETED"


@pytest.mark.parametrize(
    ("init", "reason"),
    [
        ({}, "Missing Authorization"),
        ({"Authorization": "Bearer not-a-token"}, "Invalid token: not a well-formed"),
    ],
)
async def test_missing_or_wrong_tokens_close_the_socket_saying_why(
    api_url: str, init: dict[str, str], reason: str
) -> None:
    async with ApiClient(api_url, None) as anonymous:
        with pytest.raises(Closed) as closed:
            await collect(anonymous.subscribe(PROGRESS, {"id": "x"}, init=init))
    assert closed.value.code == 4403
    assert closed.value.reason.startswith(reason), closed.value.reason


async def test_a_bad_document_fails_its_operation_only(
    gql: GraphQLClient, api_url: str, account: str
) -> None:
    created = await gql.create(entityType="CONTACT", actionType="INSERT", records=records(1, "doc"))
    url = "ws" + api_url.removeprefix("http") + "/graphql"
    async with websockets.connect(url, subprotocols=[TRANSPORT_WS]) as socket:  # type: ignore[list-item]
        init = {"Authorization": f"Bearer {issue_token(account)}"}
        await socket.send(json.dumps({"type": "connection_init", "payload": init}))
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        for number, query in (("1", "subscription { nope"), ("2", "subscription { nope }")):
            message = {"id": number, "type": "subscribe", "payload": {"query": query}}
            await socket.send(json.dumps(message))
        good = {"query": PROGRESS, "variables": {"id": created["id"]}}
        await socket.send(json.dumps({"id": "3", "type": "subscribe", "payload": good}))
        got = [json.loads(await asyncio.wait_for(socket.recv(), 30)) for _ in range(3)]
    by_id = {message["id"]: message for message in got}
    assert by_id["1"]["type"] == "error"
    assert by_id["1"]["payload"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert by_id["2"]["type"] == "error"
    assert by_id["2"]["payload"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert by_id["3"]["type"] == "next"  # the socket and its other operation went on


async def test_another_accounts_action_is_not_found(gql: GraphQLClient, api_url: str) -> None:
    created = await gql.create(entityType="CONTACT", actionType="INSERT", records=records(1, "iso"))
    async with ApiClient(api_url, issue_token("someone-else")) as other:
        with pytest.raises(ApiError) as hidden:
            await collect(other.subscribe(PROGRESS, {"id": created["id"]}))
    assert hidden.value.codes == ["NOT_FOUND"]


async def test_the_feed_shows_the_accounts_actions_only(
    api_url: str, client: ApiClient, gql: GraphQLClient, other_gql: GraphQLClient
) -> None:
    mine: list[dict[str, Any]] = []

    async def follow() -> None:
        async for event in client.subscribe(FEED):
            mine.append(event["bulkActionsFeed"])
            if event["bulkActionsFeed"]["status"] == "COMPLETED":
                return

    following = asyncio.create_task(follow())
    await until(lambda: watchers(api_url, at_least=1), "the feed's subscription")
    await other_gql.run(entityType="CONTACT", actionType="INSERT", records=records(5, "theirs"))
    created = await gql.create(
        entityType="CONTACT", actionType="INSERT", records=records(5, "feed")
    )
    await asyncio.wait_for(following, 30)
    assert {event["id"] for event in mine} == {created["id"]}


async def test_two_hundred_subscribers_share_one_listener_and_all_see_the_end(
    api_url: str, client: ApiClient, gql: GraphQLClient
) -> None:
    redis = Redis.from_url(os.environ["REDIS_URL"], decode_responses=True)
    created = await gql.create(
        entityType="CONTACT", actionType="INSERT", records=records(3000, "fan"), scheduledAt=None
    )
    runs = [
        asyncio.create_task(collect(client.subscribe(PROGRESS, {"id": created["id"]})))
        for _ in range(200)
    ]
    await until(lambda: watchers(api_url, at_least=1), "the subscriptions to be watching")
    listeners = (await redis.pubsub_numsub(events_channel()))[0][1]
    results = await asyncio.wait_for(asyncio.gather(*runs), 120)
    assert all(events[-1]["status"] == "COMPLETED" for events in results)
    assert all(events[-1]["stats"]["processed"] == 3000 for events in results)
    # One pub/sub connection for the API process (the test run's only listener), whatever
    # the number of subscribers; and nothing left behind once they are gone.
    assert listeners == 1

    async def all_gone() -> dict[str, int] | None:
        counts = await live_counts(api_url)
        return counts if (counts["watchers"], counts["refreshing"]) == (0, 0) else None

    counts = await until(all_gone, "the subscribers to be gone")
    assert counts["listening"] == 1
    assert (await redis.pubsub_numsub(events_channel()))[0][1] == 1
    await redis.aclose()


async def test_operations_per_socket_are_limited(api_url: str, account: str) -> None:
    url = "ws" + api_url.removeprefix("http") + "/graphql"
    async with websockets.connect(url, subprotocols=[TRANSPORT_WS]) as socket:  # type: ignore[list-item]
        init = {
            "type": "connection_init",
            "payload": {"Authorization": f"Bearer {issue_token(account)}"},
        }
        await socket.send(json.dumps(init))
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        for n in range(21):  # MAX_SUBSCRIPTIONS_PER_CONNECTION is 20
            message = {"query": FEED, "variables": {}}
            await socket.send(json.dumps({"id": str(n), "type": "subscribe", "payload": message}))
        refused = json.loads(await asyncio.wait_for(socket.recv(), 10))
        assert (refused["id"], refused["type"]) == ("20", "error")
        assert "limit" in refused["payload"][0]["message"].lower()
        assert refused["payload"][0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"


async def test_the_token_may_come_in_the_upgrade_requests_header(
    gql: GraphQLClient, api_url: str, account: str
) -> None:
    """As gql-cli and other clients send it: an empty connection_init is then enough."""
    created = await gql.create(entityType="CONTACT", actionType="INSERT", records=records(1, "hdr"))
    url = "ws" + api_url.removeprefix("http") + "/graphql"
    header = {"Authorization": f"Bearer {issue_token(account)}"}
    async with websockets.connect(
        url,
        subprotocols=[TRANSPORT_WS],  # type: ignore[list-item]
        additional_headers=header,
    ) as socket:
        await socket.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        subscribe = {"query": PROGRESS, "variables": {"id": created["id"]}}
        await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscribe}))
        first = json.loads(await asyncio.wait_for(socket.recv(), 30))
        assert first["type"] == "next", first
        assert first["payload"]["data"]["bulkActionProgress"]["id"] == created["id"]
