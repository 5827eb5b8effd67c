"""Per-request context: who is calling, read from the Authorization header once, and
counted against the account's API rate limit once per request.

Loaders batch, per request, what each BulkAction node reads: its shown status and its stats.

A list of N actions resolves `status` and `stats` N times; the loaders gather those calls
made in one tick into one batched read each (app.usecases), so a page costs the same few
database and Redis commands whatever its size. Caching is off: a loader lives as long as its
context, which for a WebSocket is the whole connection, and figures must never be stale.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from starlette.requests import HTTPConnection
from strawberry.dataloader import DataLoader
from strawberry.types import Info as StrawberryInfo

from app.domain.errors import AppError, QueryTooComplex
from app.domain.models import BulkAction, BulkActionStatus
from app.domain.principal import Principal
from app.infra.auth import principal_from_header
from app.infra.settings import get_settings
from app.usecases.accounts.limits import charge_request
from app.usecases.control import statuses_of
from app.usecases.reading.stats import ActionStats, stats_of_many


async def stats_with_statuses(
    keys: Sequence[tuple[BulkAction, BulkActionStatus]],
) -> list[ActionStats]:
    """Stats of actions whose shown status the status loader has read already."""
    return await stats_of_many([action for action, _ in keys], [status for _, status in keys])


@dataclass
class Loaders:
    status: DataLoader[BulkAction, BulkActionStatus] = field(
        default_factory=lambda: DataLoader(load_fn=statuses_of, cache=False)
    )
    # Keyed by (action, shown status): the status is what the ETA depends on.
    stats: DataLoader[tuple[BulkAction, BulkActionStatus], ActionStats] = field(
        default_factory=lambda: DataLoader(load_fn=stats_with_statuses, cache=False)
    )


async def authenticate(authorization: str | None, connection: HTTPConnection) -> Principal:
    """The caller, charged one request; UNAUTHENTICATED or RATE_LIMITED otherwise. Its
    address is the client's as this process sees it (behind a proxy, run uvicorn with
    --proxy-headers and --forwarded-allow-ips so that it is the client's own)."""
    principal = await principal_from_header(authorization)
    await charge_request(principal)
    client = connection.client
    return replace(principal, address=client.host if client is not None else None)


@dataclass
class Context:
    request: HTTPConnection
    caller: Principal | None = None
    refusal: AppError | None = None
    # A WebSocket's connection_init payload, set by Strawberry; carries the token there.
    connection_params: dict[str, object] | None = None
    extra: dict[str, object] = field(default_factory=dict)
    loaders: Loaders = field(default_factory=Loaders)
    # List nodes this request may still read (GRAPHQL_MAX_NODES over all its connections).
    nodes_left: int = field(default_factory=lambda: get_settings().graphql_max_nodes)

    @classmethod
    async def of(cls, request: HTTPConnection) -> "Context":
        try:
            return cls(
                request=request,
                caller=await authenticate(request.headers.get("authorization"), request),
            )
        except AppError as refusal:
            # Raised by the fields that need a caller, so each carries the code.
            return cls(request=request, refusal=refusal)

    async def authenticate_socket(self) -> None:
        """A WebSocket sends its token in connection_init ({"Authorization": "Bearer …"}) or,
        as gql-cli and several other clients do, in the upgrade request's Authorization
        header; connection_init's wins when both are there."""
        params = self.connection_params or {}
        header = params.get("Authorization") or params.get("authorization")
        if not isinstance(header, str):
            header = self.request.headers.get("authorization")
        self.caller = await authenticate(header, self.request)
        self.refusal = None

    def charge_nodes(self, count: int) -> None:
        """Counts a page of `count` nodes; QUERY_TOO_COMPLEX past the request's budget."""
        self.nodes_left -= count
        if self.nodes_left < 0:
            limit = get_settings().graphql_max_nodes
            raise QueryTooComplex(
                f"The request reads more than {limit} list nodes in all; ask for fewer "
                "(smaller `first`, fewer aliases).",
                limit=limit,
            )

    @property
    def principal(self) -> Principal:
        if self.caller is None:
            assert self.refusal is not None
            raise self.refusal
        return self.caller


Info = StrawberryInfo[Context, None]
