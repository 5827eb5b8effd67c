"""Subscriptions: an action's progress, and the account's actions as they change.

Each starts with the current state read from MongoDB, so a late or returning subscriber is
right from its first event; then it follows the process's live hub (app.usecases.reading.live).
"""

from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry

from app.usecases.reading import queries
from app.usecases.reading.live import Progress, hub, read_progress
from graphql_schema.context import Info
from graphql_schema.enums import BulkActionStatus
from graphql_schema.types import ActionId, BulkActionStats, BulkActionType


@strawberry.type(description="An action's state at one moment, as a subscription sends it.")
class BulkActionProgress:
    id: strawberry.ID = strawberry.field(description="The action's id.")
    status: BulkActionStatus = strawberry.field(description="Its status then.")
    stats: BulkActionStats = strawberry.field(description="Its counts then.")
    at: datetime = strawberry.field(description="When this state was read.")
    action: BulkActionType = strawberry.field(description="The whole action, as read then.")

    @classmethod
    def of(cls, progress: Progress) -> "BulkActionProgress":
        return cls(
            id=strawberry.ID(progress.action_id),
            status=progress.status,
            stats=BulkActionStats(**vars(progress.stats)),
            at=progress.at,
            action=BulkActionType.of(progress.action, progress.status, progress.stats),
        )


@strawberry.type(description="Live progress over WebSocket (graphql-transport-ws or graphql-ws).")
class Subscription:
    @strawberry.subscription(
        description="The action's state now, then after each chunk and status change; "
        "completes after the final status."
    )
    async def bulk_action_progress(
        self, info: Info, id: ActionId
    ) -> AsyncGenerator[BulkActionProgress, None]:
        action = await queries.get_action(info.context.principal, id)
        assert action.id is not None
        async with hub.watching(action_id=str(action.id)) as watcher:
            first = await read_progress(action.id)
            if first is None:
                return
            yield BulkActionProgress.of(first)
            last = first
            while not last.ended:
                for progress in await watcher.take():
                    if progress.at > last.at:
                        last = progress
                        yield BulkActionProgress.of(progress)

    @strawberry.subscription(description="Any of the caller's actions, each time it changes.")
    async def bulk_actions_feed(self, info: Info) -> AsyncGenerator[BulkActionProgress, None]:
        account_id = info.context.principal.account_id
        async with hub.watching(account_id=account_id) as watcher:
            seen: dict[str, datetime] = {}
            while True:
                for progress in sorted(await watcher.take(), key=lambda p: p.at):
                    if progress.at > seen.get(
                        progress.action_id, datetime.min.replace(tzinfo=progress.at.tzinfo)
                    ):
                        seen[progress.action_id] = progress.at
                        yield BulkActionProgress.of(progress)
