"""The audit trail in the schema: `auditEvents`, newest first, filtered as asked."""

from datetime import datetime
from typing import Annotated, cast

import strawberry
from strawberry.scalars import JSON

from app.domain.access import AuditEvent, AuditKind
from app.usecases.accounts import audit
from graphql_schema.access.api_keys import Actor, actor
from graphql_schema.connections import (
    After,
    Before,
    Connection,
    First,
    Last,
    connection,
    page_request,
)
from graphql_schema.context import Info
from graphql_schema.enums import described

# The domain's enum is the GraphQL enum; `described` only marks it.
AuditKindEnum = described(
    AuditKind,
    "What an audit event records.",
    {
        "ACTION_CREATED": "An action was made (createBulkAction).",
        "ACTION_RUN": "A dry run was made real (runBulkAction).",
        "ACTION_RESTORED": "A restore of an action was made (restoreBulkAction).",
        "ACTION_RETRIED": "A retry of an action's rows was made (retryBulkAction).",
        "ACTION_PAUSED": "An action was paused.",
        "ACTION_RESUMED": "An action was resumed.",
        "ACTION_CANCELLED": "An action was cancelled.",
        "ACTION_RESCHEDULED": "A scheduled action's start was moved.",
        "DRIP_CHANGED": "A drip action's pace was changed or removed.",
        "LIMIT_CHANGED": "An account's rate limit was set (by an admin).",
        "WEBHOOK_CREATED": "A webhook was made.",
        "WEBHOOK_DELETED": "A webhook was deleted.",
        "API_KEY_CREATED": "An API key was made.",
        "API_KEY_REVOKED": "An API key was revoked.",
        "CUSTOM_FIELD_DEFINED": "A custom field was defined (or changed).",
        "CUSTOM_FIELD_DELETED": "A custom field was deleted.",
    },
)


@strawberry.type(name="AuditEvent", description="Who did what to the account, when, from where.")
class AuditEventType:
    id: strawberry.ID = strawberry.field(description="The event's id.")
    kind: AuditKind = strawberry.field(description="What was done.")
    at: datetime = strawberry.field(description="When.")
    actor: Actor = strawberry.field(description="Who: a user, or an API key.")
    address: str | None = strawberry.field(description="The client's address, as the API saw it.")
    action_id: strawberry.ID | None = strawberry.field(description="The action it is about.")
    subject: str | None = strawberry.field(
        description="What else it names: a webhook's or key's id, a field, an account."
    )
    details: JSON = strawberry.field(description="What was set (a pace, a limit, a URL…).")

    @classmethod
    def of(cls, event: AuditEvent) -> "AuditEventType":
        return cls(
            id=strawberry.ID(str(event.id)),
            kind=event.kind,
            at=event.at,
            actor=actor(event.user_id, event.api_key_id),
            address=event.address,
            action_id=None if event.action_id is None else strawberry.ID(str(event.action_id)),
            subject=event.subject,
            details=cast(JSON, event.details),
        )


@strawberry.type
class AuditQuery:
    @strawberry.field(description="The account's audit trail, newest first (keyset paging).")
    async def audit_events(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        action_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only about this action.")
        ] = None,
        user_id: Annotated[
            str | None, strawberry.argument(description="Only by this user.")
        ] = None,
        kind: Annotated[
            AuditKind | None,
            strawberry.argument(description="Only of this kind."),
        ] = None,
        from_: Annotated[
            datetime | None,
            strawberry.argument(name="from", description="Only at or after this time."),
        ] = None,
        to: Annotated[
            datetime | None, strawberry.argument(description="Only before this time.")
        ] = None,
        account_id: Annotated[
            str | None,
            strawberry.argument(description="Another account's trail (bulk:admin only)."),
        ] = None,
    ) -> Connection[AuditEventType]:
        paging = page_request(info, first, after, last, before)
        wanted = audit.AuditFilter(
            action_id=action_id,
            user_id=user_id,
            kind=kind,
            since=from_,
            until=to,
            account_id=account_id,
        )
        page = await audit.events(info.context.principal, wanted, paging)
        return connection(page, AuditEventType.of)
