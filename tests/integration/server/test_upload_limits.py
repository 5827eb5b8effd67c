"""An upload's limits hold while its body arrives, whatever carries it (UploadGuard): a
client that stops sending gets a 408 REQUEST_TIMEOUT at MAX_UPLOAD_SECONDS, not a request
held open for good, and a multipart body past its limit a 413 PAYLOAD_TOO_LARGE as it
passes it, not once it is spooled whole onto the API's disk. Raw sockets: an HTTP client sends a
whole body before it reads an answer."""

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from app.infra.auth import issue_token
from tests.integration.conftest import own_api
from tests.integration.graphql_client import CREATE

BOUNDARY = "limits0boundary"
MEGABYTE = 1024 * 1024


def multipart_head(operations: dict[str, Any]) -> bytes:
    """A GraphQL multipart request's parts up to its file's first byte."""
    parts = [
        ("operations", json.dumps(operations)),
        ("map", json.dumps({"0": ["variables.input.file"]})),
    ]
    head = b"".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in parts
    )
    return (
        head
        + (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="0"; filename="c.csv"\r\n'
            "Content-Type: text/csv\r\n\r\nemail\r\n"
        ).encode()
    )


def request_head(path: str, account: str, content_type: str, length: int) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: api\r\nAuthorization: Bearer {issue_token(account)}\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {length}\r\n\r\n"
    ).encode()


GRAPHQL_FILE = {
    "query": CREATE,
    "variables": {"input": {"entityType": "CONTACT", "actionType": "INSERT", "file": None}},
}
# What each request carrying a file sends before its body stops: the head, and a start.
CARRIERS = {
    "graphql-multipart": ("/graphql", f"multipart/form-data; boundary={BOUNDARY}", True),
    "uploads-multipart": ("/uploads", f"multipart/form-data; boundary={BOUNDARY}", False),
    "uploads-raw": ("/uploads", "text/csv", False),
}


@contextlib.asynccontextmanager
async def connected(url: str) -> AsyncIterator[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    address = urlsplit(url)
    reader, writer = await asyncio.open_connection(address.hostname, address.port)
    try:
        yield reader, writer
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def answer_of(reader: asyncio.StreamReader, seconds: float) -> tuple[int, dict[str, Any]]:
    """The status and JSON body of the answer, read within `seconds`."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), seconds)
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    length = int(headers.get("content-length", headers.get("Content-Length", "0")))
    body = await asyncio.wait_for(reader.readexactly(length), seconds)
    return int(lines[0].split()[1]), json.loads(body)


def code_in(body: dict[str, Any]) -> str:
    """The error code, as GraphQL (`errors`) or REST (`error`) answers tell it."""
    if "errors" in body:
        return str(body["errors"][0]["extensions"]["code"])
    return str(body["error"]["code"])


@pytest.mark.parametrize("carrier", CARRIERS)
async def test_an_upload_that_stops_sending_is_a_408_at_its_time_limit(
    database: None, account: str, carrier: str
) -> None:
    path, content_type, graphql = CARRIERS[carrier]
    if content_type.startswith("multipart/"):
        start = multipart_head(GRAPHQL_FILE) if graphql else multipart_head({})
    else:
        start = b"email\r\na@example.com\r\n"
    with own_api(f"upload-stops-{carrier}", MAX_UPLOAD_SECONDS="2") as (url, _):
        async with connected(url) as (reader, writer):
            writer.write(request_head(path, account, content_type, len(start) + MEGABYTE))
            writer.write(start)  # and nothing more: the rest of its length never comes
            await writer.drain()
            began = time.monotonic()
            status, body = await answer_of(reader, 60)
    assert (status, code_in(body)) == (408, "REQUEST_TIMEOUT"), body
    assert time.monotonic() - began >= 1.5  # its limit, not at once


@pytest.mark.parametrize("carrier", ["graphql-multipart", "uploads-multipart"])
async def test_a_multipart_upload_past_its_limit_is_a_413_read_no_further(
    database: None, account: str, carrier: str
) -> None:
    """The integration suite's limits: MAX_UPLOAD_BYTES 12 MB, and GRAPHQL_MAX_BODY_BYTES 16 MB
    for a multipart request's other parts. A body of a gigabyte, sent at most 100 MB a
    second, is answered long before its end (the server then reads what follows only to
    drop it): refused past 28 MB, where the form parser would have spooled it whole first."""
    path, content_type, graphql = CARRIERS[carrier]
    start = multipart_head(GRAPHQL_FILE if graphql else {})
    length = 1024 * MEGABYTE
    sent = 0
    with own_api(f"upload-large-{carrier}") as (url, _):
        async with connected(url) as (reader, writer):
            writer.write(request_head(path, account, content_type, length) + start)
            answering = asyncio.create_task(answer_of(reader, 120))
            line = b"x" * 99 + b"\n"
            piece = line * (MEGABYTE // len(line))
            with contextlib.suppress(OSError):
                while sent < length and not answering.done():
                    writer.write(piece)
                    await writer.drain()
                    sent += len(piece)
                    await asyncio.sleep(0.01)
            status, body = await answering
    assert (status, code_in(body)) == (413, "PAYLOAD_TOO_LARGE"), body
    assert sent < length // 2
