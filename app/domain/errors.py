"""Errors the domain raises on purpose; each carries a stable code for API clients.

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


class Unauthenticated(AppError):
    code = "UNAUTHENTICATED"


class Forbidden(AppError):
    code = "FORBIDDEN"


class RateLimited(AppError):
    code = "RATE_LIMITED"
