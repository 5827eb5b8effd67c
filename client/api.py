"""A small client of the platform's own API: GraphQL over HTTP, subscriptions over WebSocket.

Used by the CLI (client.cli) and the tests. Subscriptions speak graphql-transport-ws, or the
legacy graphql-ws protocol with `protocol="graphql-ws"`.
"""

import json
import uuid
from collections.abc import AsyncGenerator, Mapping
from types import TracebackType
from typing import Any

import httpx
import websockets

TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"


GRAPHQL_RESPONSE = "application/graphql-response+json"


class ApiError(Exception):
    """The API answered with GraphQL errors (or an HTTP error): their messages and codes."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(str(error.get("message")) for error in errors))
        self.errors = errors

    @property
    def codes(self) -> list[str | None]:
        """GraphQL errors' `extensions.code`; the REST endpoints' errors carry `code`."""
        return [
            error.get("extensions", {}).get("code") or error.get("code") for error in self.errors
        ]


class Closed(Exception):
    """The server closed the WebSocket: its close code and reason."""

    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(f"WebSocket closed: {code} {reason}")
        self.code = code
        self.reason = reason


class ApiClient:
    def __init__(self, base_url: str, token: str | None, timeout: float = 60) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        # GraphQL over HTTP's own media type: a request refused before it ran is then a 400.
        headers = {"Accept": f"{GRAPHQL_RESPONSE}, application/json;q=0.9"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.http = httpx.AsyncClient(base_url=self.base_url, headers=headers, timeout=timeout)

    async def __aenter__(self) -> "ApiClient":
        return self

    async def __aexit__(
        self, *exc: type[BaseException] | BaseException | TracebackType | None
    ) -> None:
        await self.http.aclose()

    async def request(self, query: str, **variables: Any) -> dict[str, Any]:
        """The whole GraphQL response: data and errors as the API sent them."""
        response = await self.http.post("/graphql", json={"query": query, "variables": variables})
        body: dict[str, Any] = response.json()
        return body

    async def execute(self, query: str, **variables: Any) -> dict[str, Any]:
        """The data; ApiError when the API answered with errors."""
        body = await self.request(query, **variables)
        if body.get("errors"):
            raise ApiError(body["errors"])
        data: dict[str, Any] = body["data"]
        return data

    async def subscribe(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        protocol: str = TRANSPORT_WS,
        init: Mapping[str, Any] | None = None,
    ) -> AsyncGenerator[dict[str, Any], None]:
        """Yields each event's data until the server completes the subscription (or the
        generator is closed, which closes the socket)."""
        url = "ws" + self.base_url.removeprefix("http") + "/graphql"
        payload = dict(init) if init is not None else {"Authorization": f"Bearer {self.token}"}
        async with websockets.connect(url, subprotocols=[protocol]) as socket:  # type: ignore[list-item]
            await socket.send(json.dumps({"type": "connection_init", "payload": payload}))
            await expect_ack(socket)
            operation = str(uuid.uuid4())
            start = "subscribe" if protocol == TRANSPORT_WS else "start"
            message = {"query": query, "variables": dict(variables or {})}
            await socket.send(json.dumps({"id": operation, "type": start, "payload": message}))
            async for raw in socket:
                event = json.loads(raw)
                kind = event.get("type")
                if kind in ("next", "data"):
                    if event["payload"].get("errors"):
                        raise ApiError(event["payload"]["errors"])
                    yield event["payload"]["data"]
                elif kind == "error":
                    errors = event["payload"]
                    raise ApiError(errors if isinstance(errors, list) else [errors])
                elif kind == "complete":
                    return
                elif kind == "ping":
                    await socket.send(json.dumps({"type": "pong"}))


async def expect_ack(socket: Any) -> None:
    try:
        while True:
            event = json.loads(await socket.recv())
            if event.get("type") == "connection_ack":
                return
            if event.get("type") == "connection_error":
                raise ApiError([event.get("payload") or {"message": "connection refused"}])
    except websockets.ConnectionClosed as closed:
        raise Closed(
            closed.rcvd.code if closed.rcvd else None, closed.rcvd.reason if closed.rcvd else ""
        ) from None
