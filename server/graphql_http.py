"""GraphQL over HTTP and WebSocket, with the guards a public endpoint needs.

Every answer is JSON with `extensions.code`: a body that is not a GraphQL request (not JSON,
not an object, invalid UTF-8, nested beyond reason, a multipart map that is not an object)
is a 400 BAD_REQUEST; a body over `GRAPHQL_MAX_BODY_BYTES` a 413 QUERY_TOO_COMPLEX, read no
further; an unsupported method a 405; a service that is down a 503 SERVICE_UNAVAILABLE with
Retry-After. Answers are application/graphql-response+json to a client that asks for it, and
application/json to others: a request that fails before execution (parse, validation,
variable coercion, a cost limit) is a 400 without `data` in the first, and a 200 in the
second, as the GraphQL over HTTP spec says.
"""

from contextvars import ContextVar
from typing import Any, cast

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.types.unset import UnsetType

from app.domain.errors import AppError
from app.infra.outages import as_outage
from app.infra.settings import get_settings
from graphql_schema.context import Context
from server import graphiql
from server.graphql_ws import TransportWSHandler
from server.rest import STATUS_CODES
from server.upload_guard import bounded

CODES_BY_STATUS = {400: "BAD_REQUEST", 405: "METHOD_NOT_ALLOWED", 404: "NOT_FOUND"}
# Failures before execution: the request itself is wrong, so the answer is a 400.
REQUEST_ERRORS = {
    "GRAPHQL_PARSE_FAILED",
    "GRAPHQL_VALIDATION_FAILED",
    "QUERY_TOO_COMPLEX",
    "BAD_USER_INPUT",
}


GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
NOT_COPIED = {"content-length", "content-type"}
# The Accept header of the request being answered (set per request, read when answering).
_accept: ContextVar[str] = ContextVar("accept", default="")


class BodyTooLarge(Exception):
    pass


def error_body(status: int, message: str, code: str, **extra: Any) -> JSONResponse:
    headers = {"Retry-After": str(extra["retryAfter"])} if "retryAfter" in extra else {}
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code, **extra}}]},
        status_code=status,
        headers=headers,
    )


def answer_media(accept: str) -> str:
    """The media type of a GraphQL answer (GraphQL over HTTP): application/graphql-response+json
    for a client that asks for it, application/json for any other (the spec's legacy clients:
    those asking for application/json, for anything, or for nothing)."""
    return GRAPHQL_RESPONSE if GRAPHQL_RESPONSE in accept else JSON


class GraphQLApp(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = TransportWSHandler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        _accept.set(dict(scope.get("headers") or []).get(b"accept", b"").decode("latin-1"))
        limit = get_settings().graphql_max_body_bytes
        content_type = dict(scope.get("headers") or []).get(b"content-type", b"")
        if not content_type.startswith(b"multipart/"):  # uploads have their own limits
            receive = bounded(receive, limit, BodyTooLarge)
        try:
            response = await self.run(Request(scope, receive=receive))
        except BodyTooLarge:
            response = error_body(
                413, f"The request body is over {limit} bytes.", "QUERY_TOO_COMPLEX", limit=limit
            )
        except AppError as refused:  # an upload past its limits, as it arrived (UploadGuard)
            response = error_body(
                STATUS_CODES.get(refused.code, 400), refused.message, refused.code, **refused.extra
            )
        except HTTPException as refused:
            code = CODES_BY_STATUS.get(refused.status_code, "BAD_REQUEST")
            response = error_body(refused.status_code, refused.reason, code)
        except Exception as error:
            if (outage := as_outage(error)) is None:
                raise
            response = error_body(503, outage.message, outage.code, **outage.extra)
        await response(scope, receive, send)

    async def parse_http_body(self, request_adapter: Any) -> Any:
        """Strawberry's parsing, with every malformed body a 400 rather than a 500."""
        try:
            return await super().parse_http_body(request_adapter)
        except HTTPException:
            raise
        except RecursionError:
            raise HTTPException(400, "The request body is nested too deeply.") from None
        except UnicodeDecodeError:
            raise HTTPException(400, "The request body is not UTF-8 JSON.") from None
        except (ValueError, AttributeError, TypeError, KeyError):
            raise HTTPException(
                400, "The request body is not a GraphQL request: a JSON object with `query`."
            ) from None

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        media = answer_media(_accept.get())
        if isinstance(response_data, dict) and failed_before_execution(response_data):
            if media == GRAPHQL_RESPONSE:
                # The request was not executed: a 400, and no `data` at all.
                body = {key: value for key, value in response_data.items() if key != "data"}
                kept = {k: v for k, v in response.headers.items() if k not in NOT_COPIED}
                return JSONResponse(body, status_code=400, headers=kept, media_type=media)
            response.status_code = 200  # what clients of plain application/json expect
        response.headers["content-type"] = media
        return response

    async def render_graphql_ide(self, request: Request) -> Response:
        return graphiql.page()  # bundled here: nothing from a CDN

    async def get_context(self, request: Request | WebSocket, response: object = None) -> Context:
        if isinstance(request, WebSocket):
            return Context(request=request)  # authenticated by connection_init, below
        return await Context.of(request)

    async def on_ws_connect(self, context: Context) -> UnsetType:
        """A missing, wrong or over-limit token closes the socket with 4403 and the reason
        (server.graphql_ws)."""
        try:
            await context.authenticate_socket()
        except AppError as refusal:
            context.refusal = refusal
            raise ConnectionRejectionError(
                {"message": refusal.message, **refusal.extensions}
            ) from None
        return UnsetType()


def failed_before_execution(body: GraphQLHTTPResponse) -> bool:
    """No data, and an error of the request itself (not of a field while executing)."""
    if body.get("data") is not None:
        return False
    errors = cast(list[dict[str, Any]], body.get("errors") or [])
    codes = [(error.get("extensions", {}).get("code"), error.get("path")) for error in errors]
    return any(
        code == "QUERY_TOO_COMPLEX" or (code in REQUEST_ERRORS and not path) for code, path in codes
    )
