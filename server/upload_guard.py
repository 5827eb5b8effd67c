"""The limits of an upload, kept while its body arrives: its size and its time.

The upload store (app.infra.files.uploads) keeps both as it stores a file it is streamed. A
multipart body (a GraphQL multipart request, or POST /uploads with a form) is read whole by
the form parser first, onto the API's disk, before anything is stored; and a client that
stops sending keeps a request waiting for its next byte, which no check between bytes sees.
So every request that carries a file is refused as it arrives: past `MAX_UPLOAD_BYTES` (and
a GraphQL body's own limit, for the other parts of a multipart request) it is a 413
PAYLOAD_TOO_LARGE at once (uvicorn reads what follows only to drop it); past
`MAX_UPLOAD_SECONDS` from its first byte, even waiting for one, a 408 REQUEST_TIMEOUT.
"""

import asyncio
import time
from collections.abc import Callable
from functools import partial

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.infra.files.uploads import PayloadTooLarge, too_slow
from app.infra.settings import get_settings

UPLOADS_PATH = "/uploads"


class UploadGuard:
    """Bounds the body of every request that carries a file (`carries_file`); the errors it
    raises are the endpoints' to answer, as those of the upload store."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and carries_file(scope):
            settings = get_settings()
            limit = settings.max_upload_bytes + settings.graphql_max_body_bytes
            receive = bounded(
                receive, limit, partial(too_large, limit), settings.max_upload_seconds
            )
        await self.app(scope, receive, send)


def too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"The request is larger than the limit of {limit} bytes.", limit=limit)


def carries_file(scope: Scope) -> bool:
    """A POST to /uploads, or any multipart POST (GraphQL's multipart requests)."""
    if scope.get("method") != "POST":
        return False
    content_type = dict(scope.get("headers") or []).get(b"content-type", b"")
    return scope.get("path") == UPLOADS_PATH or content_type.startswith(b"multipart/")


def bounded(
    receive: Receive, limit: int, refusal: Callable[[], Exception], seconds: float | None = None
) -> Receive:
    """`receive` that raises `refusal()` once the body passes `limit` bytes, before it is
    all in memory, and UploadTooSlow once it has taken `seconds` (None: no time limit); what
    comes after the body passes as it is. GraphQL's JSON bodies are bounded by it too."""
    deadline = None if seconds is None else time.monotonic() + seconds
    seen = 0
    whole = False

    async def receive_bounded() -> Message:
        nonlocal seen, whole
        if whole:
            return await receive()  # a disconnect, which a response may wait for
        left = None if deadline is None else max(deadline - time.monotonic(), 0.0)
        try:
            async with asyncio.timeout(left):
                message = await receive()
        except TimeoutError:
            raise too_slow(seconds or 0) from None
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise refusal()
            whole = not message.get("more_body", False)
        return message

    return receive_bounded
