"""Write resolvers: creating bulk actions."""

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from app.actions import ActionInput
from app.services.creation import CreateRequest, create_bulk_action
from graphql_schema.context import Info
from graphql_schema.enums import ActionType, EntityType
from graphql_schema.types import BulkActionType


@strawberry.input
class CreateBulkActionInput:
    entity_type: EntityType
    action_type: ActionType
    entity_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Targets of UPDATE (with `fields`) or DELETE."
    )
    fields: JSON | None = strawberry.field(
        default=None, description="Values UPDATE sets on every entity of `entityIds`."
    )
    records: list[JSON] | None = strawberry.field(
        default=None,
        description="One object per entity: field values (INSERT, UPSERT), plus `id` (UPDATE, "
        "DELETE).",
    )
    scheduled_at: datetime | None = strawberry.field(
        default=None, description="Start at this time instead of now."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="A repeated create with the same key returns the first action."
    )


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Validates and stores an action, then queues it.")
    async def create_bulk_action(self, info: Info, input: CreateBulkActionInput) -> BulkActionType:
        request = CreateRequest(
            entity_type=getattr(input.entity_type, "value", input.entity_type),
            action_type=getattr(input.action_type, "value", input.action_type),
            given=ActionInput(
                entity_ids=input.entity_ids, fields=input.fields, records=input.records
            ),
            scheduled_at=input.scheduled_at,
            idempotency_key=input.idempotency_key,
        )
        return BulkActionType.of(await create_bulk_action(info.context.principal, request))
