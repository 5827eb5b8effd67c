"""GraphQL object types, built from the domain's documents."""

from datetime import datetime
from typing import Annotated, cast

import strawberry
from strawberry.scalars import JSON

from app.domain.drip import Pace
from app.domain.entities import EntityDocument
from app.domain.models import ActionLog, BulkAction
from app.usecases.accounts.limits import AccountRateLimit
from app.usecases.reading.stats import ActionStats, stats_of
from app.usecases.restoring import restorable_until
from graphql_schema.access.api_keys import Actor, actor
from graphql_schema.context import Info
from graphql_schema.drip import Drip
from graphql_schema.enums import ActionType, BulkActionStatus, EntityType, LogReason, LogStatus


@strawberry.type(description="An action's counts, progress and pace, as of now.")
class BulkActionStats:
    total: int = strawberry.field(
        description="Rows of the input; while planning reads it, the rows planned so far."
    )
    processed: int = strawberry.field(
        description="Rows with an outcome: succeeded + failed + skipped."
    )
    succeeded: int = strawberry.field(description="Rows logged SUCCESS.")
    failed: int = strawberry.field(description="Rows logged FAILED.")
    skipped: int = strawberry.field(
        description="Rows logged SKIPPED (duplicates, unchanged, cancelled…)."
    )
    progress: float = strawberry.field(description="Processed / total, from 0 to 1.")
    chunks_total: int = strawberry.field(description="Chunks planned so far.")
    chunks_done: int = strawberry.field(description="Chunks processed.")
    elapsed_seconds: float | None = strawberry.field(
        description="Since processing started (to the end, once ended); null before."
    )
    rate_per_second: float | None = strawberry.field(description="Rows processed per second.")
    eta_seconds: float | None = strawberry.field(
        description="Time left: the later of the rate so far and the account's rate limit; "
        "null while PAUSED; while CANCELLING, only the rows still finishing count (the rest "
        "are skipped)."
    )
    waiting_chunks: int = strawberry.field(
        description="Chunks held back by the account's rate limit until their booked start."
    )
    waiting_rows: int = strawberry.field(description="Rows of the waiting chunks.")
    next_start_at: datetime | None = strawberry.field(
        description="When the first waiting chunk may start."
    )
    rate_limit_per_minute: int = strawberry.field(description="The account's limit.")
    finishing_rows: int = strawberry.field(
        description="Rows of chunks being written now: after a pause or cancel, the rows that "
        "still land before the action holds or ends (chunks stop between chunks)."
    )
    next_batch_at: datetime | None = strawberry.field(
        description="A drip action: when its next batch may start (null when none waits)."
    )
    batches_started: int = strawberry.field(description="A drip action: batches started.")
    estimated_seconds: float | None = strawberry.field(
        description="A dry run with `drip`: how long the real run would take under that pace, "
        "if it started now."
    )
    drip: strawberry.Private[Pace | None] = None

    @classmethod
    async def of(cls, action: BulkAction) -> "BulkActionStats":
        return cls(**vars(await stats_of(action)))


ActionId = Annotated[
    strawberry.ID, strawberry.argument(description="The action's id (one of the caller's).")
]


def optional_id(value: object | None) -> strawberry.ID | None:
    return strawberry.ID(str(value)) if value is not None else None


@strawberry.interface(
    description="An object that `node(id:)` finds again (Relay). Ids are the objects' plain "
    "ids, as every other field takes them, not encoded global ids."
)
class Node:
    id: strawberry.ID = strawberry.field(description="The object's id.")


@strawberry.type(
    name="BulkAction",
    description="One bulk action: what it does to which entities, where it is, and its counts.",
)
class BulkActionType(Node):
    id: strawberry.ID = strawberry.field(description="The action's id (24 hexadecimal characters).")
    entity_type: EntityType = strawberry.field(description="The kind of entity it acts on.")
    action_type: ActionType = strawberry.field(description="What it does to them.")
    created_at: datetime = strawberry.field(description="When createBulkAction made it.")
    scheduled_at: datetime | None = strawberry.field(
        description="When it is to start, if it was scheduled."
    )
    started_at: datetime | None = strawberry.field(description="When processing began.")
    finished_at: datetime | None = strawberry.field(description="When it ended.")
    idempotency_key: str | None = strawberry.field(
        description="The key it was made with: the same key again answers this action."
    )
    error: str | None = strawberry.field(description="Why it FAILED, when it did.")
    action: strawberry.Private[BulkAction]
    # Already read by whoever built this node (the live hub): served as they are.
    known_status: strawberry.Private[BulkActionStatus | None] = None
    known_stats: strawberry.Private[ActionStats | None] = None

    @strawberry.field(description="A dry run: outcomes forecast, no entity written.")
    def dry_run(self) -> bool:
        return self.action.dry_run

    @strawberry.field(description="The field its rows are matched by, when not the default.")
    def match_by(self) -> str | None:
        return self.action.match_by

    @strawberry.field(description="What an empty value in its rows does: SKIP or CLEAR.")
    def empty_values(self) -> str:
        return self.action.empty_values

    @strawberry.field(description="What its rows do to values held already: OVERWRITE or KEEP.")
    def existing_values(self) -> str:
        return self.action.existing_values

    @strawberry.field(
        description="How numbers written as text in its rows were read: POINT or COMMA."
    )
    def decimal_mark(self) -> str:
        return self.action.decimal_mark

    @strawberry.field(
        description="How days written with slashes in its rows were read: DAY_FIRST, "
        "MONTH_FIRST, or null (refused)."
    )
    def date_order(self) -> str | None:
        return self.action.date_order

    @strawberry.field(description="Who made it: a user, or an API key.")
    def created_by(self) -> Actor:
        return actor(self.action.created_by_user, self.action.created_by_key)

    @strawberry.field(description="The dry run this action was made from (runBulkAction).")
    def run_of(self) -> strawberry.ID | None:
        return optional_id(self.action.run_of)

    @strawberry.field(description="A RESTORE: the action it undoes.")
    def restore_of(self) -> strawberry.ID | None:
        return optional_id(self.action.restore_of)

    @strawberry.field(description="The RESTORE that undid this action (at most one).")
    def restored_by(self) -> strawberry.ID | None:
        return optional_id(self.action.restored_by)

    @strawberry.field(description="A retry: the action whose failed rows it runs again.")
    def retry_of(self) -> strawberry.ID | None:
        return optional_id(self.action.retry_of)

    @strawberry.field(
        description="Until when restoreBulkAction can undo this action (RESTORE_RETENTION_DAYS "
        "after it ended); null while it runs, once restored, and for actions that change "
        "nothing, dry runs and restores."
    )
    def can_restore_until(self) -> datetime | None:
        if self.action.restored_by is not None or self.action.restore_of is not None:
            return None
        return restorable_until(self.action)

    @strawberry.field(description="PAUSED or CANCELLING while the owner's request holds.")
    async def status(self, info: Info) -> BulkActionStatus:
        if self.known_status is not None:
            return self.known_status
        return await info.context.loaders.status.load(self.action)

    @strawberry.field(description="Counts, progress and pace, as of now.")
    async def stats(self, info: Info) -> BulkActionStats:
        return BulkActionStats(**vars(await self.figures(info)))

    async def figures(self, info: Info) -> ActionStats:
        if self.known_stats is None:
            status = await self.status(info)
            self.known_stats = await info.context.loaders.stats.load((self.action, status))
        return self.known_stats

    @strawberry.field(
        description="The drip pace in force (null: the account's limit only). "
        "updateBulkActionDrip changes it."
    )
    async def drip(self, info: Info) -> Drip | None:
        pace = (await self.figures(info)).drip
        return None if pace is None else Drip.of(pace)

    @strawberry.field(
        description="A drip action: when its next batch may start (null when none waits)."
    )
    async def next_batch_at(self, info: Info) -> datetime | None:
        return (await self.figures(info)).next_batch_at

    @classmethod
    def of(
        cls,
        action: BulkAction,
        status: BulkActionStatus | None = None,
        stats: ActionStats | None = None,
    ) -> "BulkActionType":
        return cls(
            id=strawberry.ID(str(action.id)),
            entity_type=action.entity_type,
            action_type=action.action_type,
            created_at=action.created_at,
            scheduled_at=action.scheduled_at,
            started_at=action.started_at,
            finished_at=action.finished_at,
            idempotency_key=action.idempotency_key,
            error=action.error,
            action=action,
            known_status=status,
            known_stats=stats,
        )


@strawberry.type(name="BulkActionLog", description="The outcome of one row of an action.")
class BulkActionLogType:
    entity_id: strawberry.ID | None = strawberry.field(
        description="The entity the row acted on (or would have), when known."
    )
    row: int = strawberry.field(description="1-based position of the row in the input.")
    status: LogStatus = strawberry.field(description="SUCCESS, FAILED or SKIPPED.")
    reason: LogReason = strawberry.field(description="Why it ended so.")
    message: str | None = strawberry.field(
        description="What went wrong, for FAILED rows: the field and the rule."
    )
    at: datetime = strawberry.field(description="When the outcome was logged.")
    source_row: int | None = strawberry.field(
        description="A restore's or a retry's row: the row of the original action it comes from."
    )
    batch: int | None = strawberry.field(
        default=None,
        description="A drip action's row: the number of the batch it ran in (1, 2, …).",
    )

    @classmethod
    def of(cls, log: ActionLog) -> "BulkActionLogType":
        return cls(
            entity_id=strawberry.ID(log.entity_id) if log.entity_id else None,
            row=log.row,
            status=log.status,
            reason=log.reason,
            message=log.message,
            at=log.at,
            source_row=log.source_row,
            batch=log.batch,
        )


@strawberry.type(description="One CRM entity of the caller's account.")
class Entity:
    id: strawberry.ID = strawberry.field(description="The entity's id.")
    data: JSON = strawberry.field(description="Its fields, as its entity type defines them.")
    created_at: datetime = strawberry.field(description="When it was created.")
    updated_at: datetime = strawberry.field(description="When it was last changed.")

    @classmethod
    def of(cls, document: EntityDocument) -> "Entity":
        return cls(
            id=strawberry.ID(str(document.id)),
            data=cast(JSON, document.data),
            created_at=document.created_at,
            updated_at=document.updated_at,
        )


@strawberry.type(
    name="AccountRateLimit", description="An account's entity rate limit and its use now."
)
class AccountRateLimitType:
    account_id: str = strawberry.field(description="The account.")
    per_minute: int = strawberry.field(description="Entities processed per rolling minute.")
    used: int = strawberry.field(
        description="Entities written, or being written, in the window ending now."
    )
    available: int = strawberry.field(description="Entities that may start now: limit minus used.")
    booked_ahead: int = strawberry.field(
        description="Entities of chunks let through or waiting for their time, not written yet."
    )
    window_seconds: float = strawberry.field(
        description="How long a charge counts: a minute plus a margin for write times."
    )

    @classmethod
    def of(cls, limit: AccountRateLimit) -> "AccountRateLimitType":
        return cls(
            account_id=limit.account_id,
            per_minute=limit.per_minute,
            used=limit.used,
            available=limit.available,
            booked_ahead=limit.booked_ahead,
            window_seconds=limit.window_seconds,
        )
