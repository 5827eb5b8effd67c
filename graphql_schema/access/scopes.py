"""The scope each root field needs, checked before it resolves.

Every root field of the schema is in `NEEDED` (a test fails on one that is not): queries and
subscriptions read, mutations write, account limits are the admin's. A field without an
entry is refused rather than let through.
"""

from collections.abc import Callable
from typing import Any

from strawberry.extensions import FieldExtension
from strawberry.types import Info, get_object_definition
from strawberry.utils.await_maybe import await_maybe

from app.domain.errors import Forbidden
from app.domain.principal import Principal, Scope

READ, WRITE, ADMIN = Scope.READ, Scope.WRITE, Scope.ADMIN
ROOTS = ("Query", "Mutation", "Subscription")

NEEDED: dict[str, Scope] = {
    "Query.accountRateLimit": READ,
    "Query.bulkAction": READ,
    "Query.bulkActionLogs": READ,
    "Query.bulkActionStats": READ,
    "Query.bulkActions": READ,
    "Query.countEntities": READ,
    "Query.customFields": READ,
    "Query.entities": READ,
    "Query.entityFields": READ,
    "Query.node": READ,
    "Query.webhookDeliveries": READ,
    "Query.webhooks": READ,
    "Query.apiKeys": READ,
    "Query.auditEvents": READ,
    "Mutation.cancelBulkAction": WRITE,
    "Mutation.createBulkAction": WRITE,
    "Mutation.createWebhook": WRITE,
    "Mutation.defineCustomField": WRITE,
    "Mutation.deleteCustomField": WRITE,
    "Mutation.deleteWebhook": WRITE,
    "Mutation.pauseBulkAction": WRITE,
    "Mutation.rescheduleBulkAction": WRITE,
    "Mutation.restoreBulkAction": WRITE,
    "Mutation.resumeBulkAction": WRITE,
    "Mutation.retryBulkAction": WRITE,
    "Mutation.runBulkAction": WRITE,
    "Mutation.setAccountRateLimit": ADMIN,
    "Mutation.testWebhook": WRITE,
    "Mutation.updateBulkActionDrip": WRITE,
    "Mutation.createApiKey": WRITE,
    "Mutation.revokeApiKey": WRITE,
    "Subscription.bulkActionProgress": READ,
    "Subscription.bulkActionsFeed": READ,
}


def check(principal: Principal, operation: str) -> None:
    """FORBIDDEN unless the caller has the scope `operation` ("Type.field") needs."""
    needed = NEEDED.get(operation)
    if needed is None:
        raise Forbidden(f"{operation} declares no scope: it is refused.")
    principal.require(needed)


def caller(info: Any) -> Principal:
    """The caller of the root field `info` resolves, if it holds the field's scope."""
    principal: Principal = info.context.principal
    check(principal, f"{info.path.typename}.{info.field_name}")
    return principal


class RootScope(FieldExtension):
    """Checks a root field's scope as it starts to resolve (the caller read from the request's
    context, UNAUTHENTICATED first when there is none). On the root fields alone: a schema
    extension's `resolve` runs for every field of an answer, a log page's 300 values too,
    which cost the API a tenth of its time for one page."""

    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        caller(info)
        return next_(source, info, **kwargs)

    async def resolve_async(
        self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any
    ) -> Any:
        caller(info)
        # A subscription's field gives its generator, checked as it is subscribed to.
        return await await_maybe(next_(source, info, **kwargs))


def scoped(*roots: type) -> None:
    """Gives every field of the root types its scope check (once: the types are the modules')."""
    for root in roots:
        definition = get_object_definition(root, strict=True)
        for field in definition.fields:
            if not any(isinstance(extension, RootScope) for extension in field.extensions):
                field.extensions.append(RootScope())
