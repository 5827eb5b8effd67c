"""Errors the platform raises on purpose; each carries a stable code for API clients.

`extensions` is what graphql-core copies onto the GraphQL error, so resolvers need no mapping.
"""

from typing import Any


class AppError(Exception):
    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra

    @property
    def extensions(self) -> dict[str, Any]:
        return {"code": self.code, **self.extra}


class BadUserInput(AppError):
    code = "BAD_USER_INPUT"


class NotFound(AppError):
    code = "NOT_FOUND"


class Conflict(AppError):
    """The request does not fit the resource's state now (an export before its end)."""

    code = "CONFLICT"


class Unauthenticated(AppError):
    code = "UNAUTHENTICATED"


class Forbidden(AppError):
    code = "FORBIDDEN"


class RateLimited(AppError):
    code = "RATE_LIMITED"


class QueryTooComplex(AppError):
    """A request over one of the API's cost limits (depth, aliases, tokens, nodes, size)."""

    code = "QUERY_TOO_COMPLEX"


class ServiceUnavailable(AppError):
    """A service the platform needs (the database, Redis) does not answer; retry later."""

    code = "SERVICE_UNAVAILABLE"

    def __init__(self, what: str, retry_after: int = 5) -> None:
        super().__init__(
            f"{what} is unavailable right now; nothing was changed. Retry in {retry_after} s.",
            retryAfter=retry_after,
        )
