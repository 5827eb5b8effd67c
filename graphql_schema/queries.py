"""Read resolvers: actions, their stats and logs, and entities."""

from datetime import datetime
from typing import Annotated

import strawberry

from app.domain.errors import NotFound
from app.usecases.accounts import limits
from app.usecases.reading import logs, queries
from graphql_schema.access.api_keys import ActorInput, ApiKeyQuery
from graphql_schema.access.audit import AuditQuery
from graphql_schema.accounts.custom_fields import CustomFieldQuery
from graphql_schema.accounts.webhooks import WebhookQuery
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
from graphql_schema.enums import ActionType, BulkActionStatus, EntityType, LogStatus
from graphql_schema.filters import EntityFilter, raw_filter
from graphql_schema.types import (
    AccountRateLimitType,
    ActionId,
    BulkActionLogType,
    BulkActionStats,
    BulkActionType,
    Entity,
    Node,
)

KindOfEntity = Annotated[EntityType, strawberry.argument(description="The kind of entity.")]


@strawberry.type(description="Reading actions, their logs and stats, entities and limits.")
class Query(WebhookQuery, CustomFieldQuery, ApiKeyQuery, AuditQuery):
    @strawberry.field(description="One of the caller's actions; another account's is NOT_FOUND.")
    async def bulk_action(self, info: Info, id: ActionId) -> BulkActionType | None:
        return BulkActionType.of(await queries.get_action(info.context.principal, id))

    @strawberry.field(
        description="The caller's object with this id (a BulkAction), or null (Relay's node)."
    )
    async def node(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The object's plain id.")],
    ) -> Node | None:
        try:
            return BulkActionType.of(await queries.get_action(info.context.principal, id))
        except NotFound:
            return None

    @strawberry.field(
        description="The caller's actions, newest first; of a status, an action type, and made "
        "from `createdAfter` (inclusive) to `createdBefore` (exclusive) when given."
    )
    async def bulk_actions(
        self,
        info: Info,
        status: Annotated[
            BulkActionStatus | None, strawberry.argument(description="Only actions shown so.")
        ] = None,
        first: First = None,
        after: After = None,
        action_type: Annotated[
            ActionType | None, strawberry.argument(description="Only actions of this type.")
        ] = None,
        created_after: Annotated[
            datetime | None,
            strawberry.argument(description="Only actions made at or after this time."),
        ] = None,
        created_before: Annotated[
            datetime | None, strawberry.argument(description="Only actions made before this time.")
        ] = None,
        last: Last = None,
        before: Before = None,
        created_by: Annotated[
            ActorInput | None,
            strawberry.argument(description="Only actions made by this user or API key."),
        ] = None,
    ) -> Connection[BulkActionType]:
        paging = page_request(info, first, after, last, before)
        wanted = queries.ActionFilter(
            status=status,
            action_type=getattr(action_type, "value", action_type),
            created_after=created_after,
            created_before=created_before,
            created_by_user=None if created_by is None else created_by.user_id,
            created_by_key=None if created_by is None else created_by.api_key_id,
        )
        page = await queries.list_actions(info.context.principal, wanted, paging)
        return connection(page, BulkActionType.of)

    @strawberry.field(description="Outcomes of an action's rows in input order (keyset paging).")
    async def bulk_action_logs(
        self,
        info: Info,
        id: ActionId,
        status: Annotated[
            LogStatus | None, strawberry.argument(description="Only rows of this outcome.")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[BulkActionLogType]:
        paging = page_request(info, first, after, last, before)
        page = await logs.list_logs(info.context.principal, id, status, paging)
        return connection(page, BulkActionLogType.of)

    @strawberry.field(description="An action's counts, progress and pace (as BulkAction.stats).")
    async def bulk_action_stats(self, info: Info, id: ActionId) -> BulkActionStats:
        return await BulkActionStats.of(await queries.get_action(info.context.principal, id))

    @strawberry.field(description="The caller's entity rate limit and how much of it is used.")
    async def account_rate_limit(self, info: Info) -> AccountRateLimitType:
        return AccountRateLimitType.of(await limits.account_rate_limit(info.context.principal))

    @strawberry.field(description="The caller's entities of one type, oldest first.")
    async def entities(
        self,
        info: Info,
        entity_type: KindOfEntity,
        ids: Annotated[
            list[strawberry.ID] | None, strawberry.argument(description="Only these entities.")
        ] = None,
        filter: Annotated[
            EntityFilter | None, strawberry.argument(description="Only the entities it matches.")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Entity]:
        paging = page_request(info, first, after, last, before)
        name = getattr(entity_type, "value", entity_type)
        raw = raw_filter(filter) if filter is not None else None
        page = await queries.list_entities(info.context.principal, name, ids, raw, paging)
        return connection(page, Entity.of)

    @strawberry.field(description="How many of the caller's entities a filter matches now.")
    async def count_entities(
        self,
        info: Info,
        entity_type: KindOfEntity,
        filter: Annotated[EntityFilter, strawberry.argument(description="The audience to count.")],
    ) -> int:
        name = getattr(entity_type, "value", entity_type)
        return await queries.count_entities(info.context.principal, name, raw_filter(filter))
