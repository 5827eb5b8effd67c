"""graphql-transport-ws as clients expect it, over Strawberry's handler:

- a refused connection closes with 4403 and says why (a missing, invalid or rate-limited
  token) rather than a bare "Forbidden";
- a subscribe whose document does not parse or validate gets an `error` message for its id,
  with `extensions.code`, and the socket's other operations go on (Strawberry closed the
  whole socket with 4400);
- every `error` message's errors carry `extensions.code` (the operations-per-socket limit's
  too: TOO_MANY_SUBSCRIPTIONS).
"""

from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError, parse, validate
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage

from graphql_schema.context import Context

# A WebSocket close reason is at most 123 bytes.
MAX_REASON = 120
LIMIT_MESSAGE = "Subscription limit reached"


class ReasonedClose:
    """The socket, closing a refused connection with the refusal's own words."""

    def __init__(self, websocket: Any, context: Context) -> None:
        self.websocket, self.context = websocket, context

    async def close(self, code: int, reason: str) -> None:
        if code == 4403 and self.context.refusal is not None:
            reason = self.context.refusal.message.encode()[:MAX_REASON].decode(errors="ignore")
        await self.websocket.close(code=code, reason=reason)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.websocket, name)


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.websocket = ReasonedClose(self.websocket, self.context)  # type: ignore[assignment]

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        payload = message.get("payload") or {}
        query = payload.get("query") if isinstance(payload, dict) else None
        if isinstance(query, str) and (errors := document_errors(self, query)):
            await self.send_message({"id": message["id"], "type": "error", "payload": errors})
            return
        await super().handle_subscribe(message)

    async def send_message(self, message: Any) -> None:
        if message.get("type") == "error":
            for error in message.get("payload") or []:
                extensions = error.setdefault("extensions", {})
                if "code" not in extensions:
                    limited = error.get("message") == LIMIT_MESSAGE
                    extensions["code"] = "TOO_MANY_SUBSCRIPTIONS" if limited else "BAD_REQUEST"
        await super().send_message(message)


def document_errors(handler: TransportWSHandler, query: str) -> list[dict[str, Any]]:
    """The document's parse or validation errors, formatted with their codes."""
    try:
        document = parse(query)
    except GraphQLSyntaxError as error:
        return [coded(error, "GRAPHQL_PARSE_FAILED")]
    found = validate(handler.schema._schema, document)  # type: ignore[attr-defined]
    return [coded(error, "GRAPHQL_VALIDATION_FAILED") for error in found]


def coded(error: GraphQLError, code: str) -> dict[str, Any]:
    formatted: dict[str, Any] = dict(error.formatted)
    formatted["extensions"] = {**(formatted.get("extensions") or {}), "code": code}
    return formatted
