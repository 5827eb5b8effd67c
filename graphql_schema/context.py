"""Per-request context: who is calling, read from the Authorization header once, and
counted against the account's API rate limit once per request."""

from dataclasses import dataclass, field

from starlette.requests import HTTPConnection
from strawberry.types import Info as StrawberryInfo

from app.domain.errors import AppError
from app.domain.principal import Principal
from app.infra.auth import principal_from_header
from app.usecases.limits import charge_request
from graphql_schema.loaders import Loaders


async def authenticate(authorization: str | None) -> Principal:
    """The caller, charged one request; UNAUTHENTICATED or RATE_LIMITED otherwise."""
    principal = principal_from_header(authorization)
    await charge_request(principal)
    return principal


@dataclass
class Context:
    request: HTTPConnection
    caller: Principal | None = None
    refusal: AppError | None = None
    # A WebSocket's connection_init payload, set by Strawberry; carries the token there.
    connection_params: dict[str, object] | None = None
    extra: dict[str, object] = field(default_factory=dict)
    loaders: Loaders = field(default_factory=Loaders)

    @classmethod
    async def of(cls, request: HTTPConnection) -> "Context":
        try:
            return cls(
                request=request, caller=await authenticate(request.headers.get("authorization"))
            )
        except AppError as refusal:
            # Raised by the fields that need a caller, so each carries the code.
            return cls(request=request, refusal=refusal)

    async def authenticate_socket(self) -> None:
        """A WebSocket sends its token in connection_init: {"Authorization": "Bearer …"}."""
        params = self.connection_params or {}
        header = params.get("Authorization") or params.get("authorization")
        self.caller = await authenticate(header if isinstance(header, str) else None)
        self.refusal = None

    @property
    def principal(self) -> Principal:
        if self.caller is None:
            assert self.refusal is not None
            raise self.refusal
        return self.caller


Info = StrawberryInfo[Context, None]
