"""The upload guard's bounds on a body as it arrives, and nothing past it: what a request
receives after its whole body (a disconnect a response waits for) has no time limit."""

import asyncio
from functools import partial

import pytest
from starlette.types import Message, Scope

from app.infra.files.uploads import PayloadTooLarge, UploadTooSlow
from server.upload_guard import bounded, carries_file, too_large


def messages(*given: Message) -> "asyncio.Queue[Message]":
    queue: asyncio.Queue[Message] = asyncio.Queue()
    for message in given:
        queue.put_nowait(message)
    return queue


async def test_a_body_past_its_limit_is_refused_as_it_arrives() -> None:
    queue = messages(*({"type": "http.request", "body": b"x" * 10, "more_body": True},) * 3)
    receive = bounded(queue.get, 25, partial(too_large, 25), seconds=60)
    await receive()
    await receive()
    with pytest.raises(PayloadTooLarge):
        await receive()


async def test_a_body_that_stops_coming_is_refused_at_its_time() -> None:
    queue = messages({"type": "http.request", "body": b"x", "more_body": True})
    receive = bounded(queue.get, 100, partial(too_large, 100), seconds=0.2)
    await receive()
    with pytest.raises(UploadTooSlow):
        await receive()  # nothing more ever comes


async def test_what_comes_after_the_whole_body_has_no_time_limit() -> None:
    queue = messages({"type": "http.request", "body": b"x", "more_body": False})
    receive = bounded(queue.get, 100, partial(too_large, 100), seconds=0.1)
    await receive()
    asyncio.get_running_loop().call_later(0.3, queue.put_nowait, {"type": "http.disconnect"})
    assert await receive() == {"type": "http.disconnect"}


@pytest.mark.parametrize(
    ("method", "path", "content_type", "guarded"),
    [
        ("POST", "/uploads", b"text/csv", True),
        ("POST", "/uploads", b"multipart/form-data; boundary=b", True),
        ("POST", "/graphql", b"multipart/form-data; boundary=b", True),
        ("POST", "/graphql", b"application/json", False),  # its own body limit
        ("GET", "/uploads", b"", False),
    ],
)
def test_requests_that_carry_a_file(
    method: str, path: str, content_type: bytes, guarded: bool
) -> None:
    headers = [(b"content-type", content_type)]
    scope: Scope = {"type": "http", "method": method, "path": path, "headers": headers}
    assert carries_file(scope) is guarded
