"""Webhooks against a receiver the test runs on loopback (WEBHOOK_ALLOW_HOSTS lists
127.0.0.1 for the suite): signed bodies that verify, retries until a 2xx, refusals of unsafe
URLs, and another account seeing none of ours."""

import asyncio
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.integration.graphql_client import GraphQLClient, GraphQLError

CREATE = """
mutation($url: String!, $events: [WebhookEvent!]!) {
  createWebhook(url: $url, events: $events) { webhook { id url events } secret }
}
"""
TEST = "mutation($id: ID!) { testWebhook(id: $id) { id event state } }"
DELETE = "mutation($id: ID!) { deleteWebhook(id: $id) }"
LIST = "{ webhooks { id url events } }"
DELIVERIES = """
query($id: ID!) {
  webhookDeliveries(id: $id, first: 10) {
    totalCount edges { node { id event state attempts { statusCode } } }
  }
}
"""


@dataclass
class Receiver:
    """Records each POST; answers the queued statuses first, then 200."""

    url: str
    answers: list[int] = field(default_factory=list)
    got: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    def bodies(self, event: str) -> list[dict[str, Any]]:
        found = [json.loads(body) for _, body in self.got]
        return [body for body in found if body["event"] == event]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    made = Receiver(f"http://127.0.0.1:{server.server_address[1]}/hook")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            made.got.append((dict(self.headers), body))
            self.send_response(made.answers.pop(0) if made.answers else 200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server.RequestHandlerClass = Handler
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield made
    server.shutdown()


async def eventually(check: Any, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "never happened"
        await asyncio.sleep(0.2)


def verifies(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """What a receiver does: recompute the signature, and refuse a stale timestamp."""
    parts = dict(item.split("=", 1) for item in headers["Bulk-Signature"].split(","))
    expected = hmac.new(secret.encode(), parts["t"].encode() + b"." + body, hashlib.sha256)
    fresh = abs(time.time() - int(parts["t"])) < 300
    return fresh and hmac.compare_digest(expected.hexdigest(), parts["v1"])


async def test_an_action_is_announced_with_signed_bodies(
    gql: GraphQLClient, receiver: Receiver
) -> None:
    events = ["ACTION_STARTED", "ACTION_COMPLETED"]
    made = (await gql.data(CREATE, url=receiver.url, events=events))["createWebhook"]
    secret, hook = made["secret"], made["webhook"]
    assert (await gql.data(LIST))["webhooks"] == [hook]

    done = await gql.run(entityType="CONTACT", actionType="INSERT", records=[{"email": "w@x.io"}])
    await eventually(lambda: receiver.bodies("ACTION_COMPLETED"))
    await eventually(lambda: receiver.bodies("ACTION_STARTED"))
    for headers, body in receiver.got:
        assert verifies(secret, headers, body)
        assert headers["Bulk-Delivery-Id"] == json.loads(body)["id"]
    completed = receiver.bodies("ACTION_COMPLETED")[0]
    assert completed["action"]["id"] == done["id"]
    assert completed["action"]["status"] == "COMPLETED"
    assert completed["action"]["stats"]["succeeded"] == 1
    # Tampered or stale, it does not verify.
    headers, body = receiver.got[0]
    assert not verifies(secret, headers, body + b" ")
    assert not verifies("another-secret", headers, body)


async def test_a_failing_receiver_gets_retries_until_it_accepts(
    gql: GraphQLClient, receiver: Receiver
) -> None:
    receiver.answers = [500, 503]
    made = (await gql.data(CREATE, url=receiver.url, events=["ACTION_FAILED"]))["createWebhook"]
    hook_id = made["webhook"]["id"]
    sent = (await gql.data(TEST, id=hook_id))["testWebhook"]
    assert sent["event"] == "TEST"

    async def state() -> dict[str, Any]:
        page = (await gql.data(DELIVERIES, id=hook_id))["webhookDeliveries"]
        return dict(page["edges"][0]["node"])

    deadline = time.monotonic() + 120
    while (delivery := await state())["state"] == "PENDING":
        assert time.monotonic() < deadline
        await asyncio.sleep(0.2)
    assert delivery["state"] == "DELIVERED"
    assert [a["statusCode"] for a in delivery["attempts"]] == [500, 503, 200]
    # Three requests of one delivery: the same id and the same signed body each time.
    assert len({body for _, body in receiver.got}) == 1
    assert {headers["Bulk-Delivery-Id"] for headers, _ in receiver.got} == {sent["id"]}


PAGE = """
query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  webhookDeliveries(id: $id, first: $first, after: $after, last: $last, before: $before) {
    edges { node { id } } pageInfo { startCursor endCursor }
  }
}
"""


async def test_deliveries_page_both_ways(gql: GraphQLClient, receiver: Receiver) -> None:
    made = (await gql.data(CREATE, url=receiver.url, events=["ACTION_FAILED"]))["createWebhook"]
    hook_id = made["webhook"]["id"]
    sent = [(await gql.data(TEST, id=hook_id))["testWebhook"]["id"] for _ in range(3)]

    forward: list[str] = []
    cursor = None
    for _ in sent:
        page = (await gql.data(PAGE, id=hook_id, first=1, after=cursor))["webhookDeliveries"]
        forward += [edge["node"]["id"] for edge in page["edges"]]
        cursor = page["pageInfo"]["endCursor"]
    backward: list[str] = []
    cursor = None
    for _ in sent:
        page = (await gql.data(PAGE, id=hook_id, last=1, before=cursor))["webhookDeliveries"]
        backward = [edge["node"]["id"] for edge in page["edges"]] + backward
        cursor = page["pageInfo"]["startCursor"]
    assert forward == backward == sent[::-1]  # newest first


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/hook",  # not https
        "https://localhost/hook",  # loopback, not allowed by name
        "https://10.1.2.3/hook",  # private
        "https://169.254.169.254/latest",  # link-local (cloud metadata)
        "ftp://127.0.0.1/hook",
    ],
)
async def test_unsafe_urls_are_refused(gql: GraphQLClient, url: str) -> None:
    with pytest.raises(GraphQLError) as refused:
        await gql.data(CREATE, url=url, events=["ACTION_COMPLETED"])
    assert refused.value.codes == ["BAD_USER_INPUT"]


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("https://" + "h" * 5000 + ".com/hook", "at most 2,048 characters"),
        ("https://" + ".".join(["h" * 60] * 5) + ".com/hook", "at most 253 characters"),
        ("https://" + "a" * 64 + ".com/hook", "labels of at most 63"),
        ("https://example.com/" + "p" * 2100, "at most 2,048 characters"),
        ("https://example.com:99999/hook", "Not a well-formed URL"),
        ("https://[::1/hook", "Not a well-formed URL"),
        ("https://exa mple.com/hook", "no spaces or control characters"),
        ("https://example.com/\x00", "no spaces or control characters"),
        ("https:///hook", "with a host"),
        ("https://xn--a.invalid/hook", "does not resolve"),
    ],
)
async def test_malformed_urls_are_bad_input_saying_why(
    gql: GraphQLClient, url: str, said: str
) -> None:
    """Each answer is BAD_USER_INPUT naming the problem or the limit, never a 500."""
    with pytest.raises(GraphQLError) as refused:
        await gql.data(CREATE, url=url, events=["ACTION_COMPLETED"])
    assert refused.value.codes == ["BAD_USER_INPUT"]
    assert said in str(refused.value), str(refused.value)[:300]


async def test_another_account_cannot_see_or_use_our_webhooks(
    gql: GraphQLClient, other_gql: GraphQLClient, receiver: Receiver
) -> None:
    made = await gql.data(CREATE, url=receiver.url, events=["ACTION_COMPLETED"])
    hook_id = made["createWebhook"]["webhook"]["id"]
    assert (await other_gql.data(LIST))["webhooks"] == []
    for query in (TEST, DELETE, DELIVERIES):
        with pytest.raises(GraphQLError) as refused:
            await other_gql.data(query, id=hook_id)
        assert refused.value.codes == ["NOT_FOUND"]
    assert await gql.data(DELETE, id=hook_id) == {"deleteWebhook": hook_id}
    assert (await gql.data(LIST))["webhooks"] == []
