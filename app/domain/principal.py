"""Who is calling: an account, the user or API key acting for it, and what it may do.

Scopes: `bulk:read` (queries, subscriptions, downloads), `bulk:write` (everything that
changes an account's state), `bulk:admin` (account limits, and any account's data given
explicitly). A token without a scopes claim keeps the rights tokens had before scopes
existed: read and write, and admin only with `role: admin`.
"""

from dataclasses import dataclass
from enum import StrEnum

from app.domain.errors import Forbidden

ADMIN_ROLE = "admin"


class Scope(StrEnum):
    READ = "bulk:read"
    WRITE = "bulk:write"
    ADMIN = "bulk:admin"


def scopes_of(values: object) -> frozenset[Scope]:
    """The platform's scopes among a token's (a space-separated string, or a list); others,
    an identity provider's own, are ignored."""
    if isinstance(values, str):
        values = values.split()
    if not isinstance(values, list | tuple):
        return frozenset()
    known = {scope.value: scope for scope in Scope}
    return frozenset(known[value] for value in values if isinstance(value, str) and value in known)


@dataclass(frozen=True)
class Principal:
    account_id: str
    role: str = "user"
    user_id: str | None = None
    api_key_id: str | None = None
    # None: the token has no scopes claim (see the module's docstring).
    scopes: frozenset[Scope] | None = None
    # Where the request came from (the client's address as the API sees it).
    address: str | None = None

    @property
    def granted(self) -> frozenset[Scope]:
        if self.scopes is not None:
            return self.scopes
        legacy = {Scope.READ, Scope.WRITE}
        return frozenset(legacy | {Scope.ADMIN} if self.role == ADMIN_ROLE else legacy)

    def may(self, scope: Scope) -> bool:
        return scope in self.granted

    def require(self, scope: Scope) -> None:
        """FORBIDDEN, naming the scope, unless the caller has it."""
        if not self.may(scope):
            raise Forbidden(
                f"This needs the scope {scope.value}, which the token does not grant.",
                scope=scope.value,
            )

    @property
    def is_admin(self) -> bool:
        return self.may(Scope.ADMIN)
