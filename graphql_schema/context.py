"""Per-request context: who is calling, read from the Authorization header once."""

from dataclasses import dataclass, field
from functools import cached_property

from starlette.requests import HTTPConnection
from strawberry.types import Info as StrawberryInfo

from app.auth import Principal, principal_from_header


@dataclass
class Context:
    request: HTTPConnection
    extra: dict[str, object] = field(default_factory=dict)

    @cached_property
    def principal(self) -> Principal:
        """The caller; raises UNAUTHENTICATED when the token is missing or wrong."""
        return principal_from_header(self.request.headers.get("authorization"))


Info = StrawberryInfo[Context, None]
