"""Write resolvers: creating bulk actions."""

from datetime import datetime
from typing import Annotated, Any, cast

import strawberry
from starlette.datastructures import UploadFile
from strawberry.file_uploads import Upload
from strawberry.scalars import JSON

from app.domain.actions import ActionInput, ImportRules
from app.domain.errors import BadUserInput
from app.domain.models import BulkAction
from app.domain.principal import Principal
from app.infra.files import uploads
from app.usecases import control
from app.usecases.accounts import limits
from app.usecases.creation import CreateRequest, create_bulk_action
from app.usecases.drip import update_drip
from app.usecases.restoring import restore_bulk_action
from app.usecases.retrying import retry_bulk_action
from app.usecases.runs import run_dry_run
from graphql_schema.access.api_keys import ApiKeyMutation
from graphql_schema.accounts.custom_fields import CustomFieldMutation
from graphql_schema.accounts.webhooks import WebhookMutation
from graphql_schema.context import Info
from graphql_schema.drip import DripInput, drip_request
from graphql_schema.enums import (
    ActionType,
    DateOrder,
    DecimalMark,
    EmptyValues,
    EntityType,
    ExistingValues,
    FileEncoding,
    LogStatus,
)
from graphql_schema.filters import EntityFilter, raw_filter
from graphql_schema.types import AccountRateLimitType, ActionId, BulkActionType


@strawberry.input(
    description="A new action: its entity and action types, and its targets given one way "
    "(`records`, `entityIds`, `file`, `uploadId` or `filter`)."
)
class CreateBulkActionInput:
    entity_type: EntityType = strawberry.field(description="The kind of entity it acts on.")
    action_type: ActionType = strawberry.field(description="What it does to them.")
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
    file: Upload | None = strawberry.field(
        default=None,
        description="A CSV file (GraphQL multipart request) whose header names fields.",
    )
    file_encoding: FileEncoding | None = strawberry.field(
        default=None,
        description="`file`'s text encoding when it is not UTF-8 (the default). A file sent "
        "to POST /uploads names its own there (`?encoding=`).",
    )
    upload_id: strawberry.ID | None = strawberry.field(
        default=None, description="A CSV file sent before to POST /uploads."
    )
    column_map: JSON | None = strawberry.field(
        default=None, description="CSV header → entity field (null ignores the column)."
    )
    unset: list[str] | None = strawberry.field(
        default=None, description="UPDATE: fields to clear (never the unique key)."
    )
    add_to_list: JSON | None = strawberry.field(
        default=None, description='UPDATE: values to add to list fields, e.g. {"tags": ["vip"]}.'
    )
    remove_from_list: JSON | None = strawberry.field(
        default=None, description="UPDATE: values to remove from list fields."
    )
    increment: JSON | None = strawberry.field(
        default=None, description='UPDATE: amounts to add to number fields, e.g. {"score": 5}.'
    )
    dry_run: bool = strawberry.field(
        default=False,
        description="Run everything but write no entity: each row gets the outcome it would "
        "have. Not charged to the account's limit. runBulkAction makes it real.",
    )
    columns: list[str] | None = strawberry.field(
        default=None,
        description="EXPORT: the columns of the file, in order (default: id, then every field).",
    )
    filter: EntityFilter | None = strawberry.field(
        default=None,
        description="Targets of UPDATE (with `fields`) or DELETE: the account's entities that "
        "match, as they are when planning reads them.",
    )
    match_by: str | None = strawberry.field(
        default=None,
        description="Records or a CSV: the field rows are matched by. UPSERT: the built-in "
        "unique field (default) or a unique custom field; UPDATE and DELETE: `id` (default), "
        "the built-in unique field or a unique custom field.",
    )
    empty_values: EmptyValues = strawberry.field(
        default=EmptyValues.SKIP,
        description="UPDATE and UPSERT from records or a CSV: what an empty cell or a null does.",
    )
    existing_values: ExistingValues = strawberry.field(
        default=ExistingValues.OVERWRITE,
        description="UPDATE and UPSERT from records or a CSV: whether values the entity holds "
        "already are overwritten or kept.",
    )
    decimal_mark: DecimalMark = strawberry.field(
        default=DecimalMark.POINT,
        description="INSERT, UPDATE and UPSERT from records or a CSV: how numbers written as "
        "text mark their decimals.",
    )
    date_order: DateOrder | None = strawberry.field(
        default=None,
        description="INSERT, UPDATE and UPSERT from records or a CSV: how days written with "
        "slashes order day and month (without it such days are refused; 2026/12/31 is read "
        "either way).",
    )
    drip: DripInput | None = strawberry.field(
        default=None,
        description="Pace the action: batches of rows at intervals, on given days and hours "
        "(the account's limit still holds). A dry run is not paced; its stats estimate the "
        "real run's time.",
    )


@strawberry.type(description="Making actions.")
class CreateMutation:
    @strawberry.mutation(description="Validates and stores an action, then queues it.")
    async def create_bulk_action(
        self,
        info: Info,
        input: Annotated[
            CreateBulkActionInput, strawberry.argument(description="What the action is to do.")
        ],
    ) -> BulkActionType:
        principal = info.context.principal
        if input.file is None:
            if input.file_encoding is not None:
                raise BadUserInput("`fileEncoding` is the encoding of `file`, which is not given.")
            return BulkActionType.of(await create(principal, input, input.upload_id))
        if input.upload_id is not None:
            raise BadUserInput("Give `file` or `uploadId`, not both.")
        file = cast(UploadFile, input.file)  # Starlette hands multipart files over as these
        encoding = input.file_encoding or FileEncoding.UTF_8
        stored = strawberry.ID(await store_file(principal.account_id, file, encoding))
        try:
            action = await create(principal, input, stored)
        except BaseException:
            await uploads.delete(stored)  # a refused create keeps nothing of its file
            raise
        if action.upload_id != stored:
            await uploads.delete(stored)  # a repeated create: the first one's file serves
        return BulkActionType.of(action)

    @strawberry.mutation(
        description="Makes a completed dry run real: a new action from the same input (the "
        "same upload, nothing sent again); asked again, the same action."
    )
    async def run_bulk_action(self, info: Info, id: ActionId) -> BulkActionType:
        return BulkActionType.of(await run_dry_run(info.context.principal, id))

    @strawberry.mutation(
        description="Undoes an ended action: a new RESTORE action puts back what it changed "
        "(created entities deleted, deleted ones inserted again under their id, updated fields "
        "set back). Entities changed by someone since are left as they are (SKIPPED, "
        "CHANGED_SINCE). Once per action, within RESTORE_RETENTION_DAYS after it ended."
    )
    async def restore_bulk_action(self, info: Info, id: ActionId) -> BulkActionType:
        return BulkActionType.of(await restore_bulk_action(info.context.principal, id))

    @strawberry.mutation(
        description="Runs again only the rows of an ended action whose outcome had `status` "
        "(FAILED by default): a new action of the same type whose logs name each row's "
        "`sourceRow`. Correct rows with `records` (`{row, ...fields}`, keyed by the original "
        "row) or with `uploadId`, a CSV with a `row` column (the failed rows' logs.csv, "
        "edited, as it is); other rows are retried as they were."
    )
    async def retry_bulk_action(
        self,
        info: Info,
        id: ActionId,
        status: Annotated[
            LogStatus | None,
            strawberry.argument(description="The outcome of the rows to run again."),
        ] = LogStatus.FAILED,
        records: Annotated[
            list[JSON] | None,
            strawberry.argument(description="Corrected rows: `{row, ...fields}`."),
        ] = strawberry.UNSET,
        upload_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Corrected rows as a CSV with a `row` column."),
        ] = strawberry.UNSET,
    ) -> BulkActionType:
        retry = await retry_bulk_action(
            info.context.principal,
            id,
            status or LogStatus.FAILED,
            cast(list[Any], records) if records else None,
            upload_id or None,
        )
        return BulkActionType.of(retry)


async def create(
    principal: Principal, input: CreateBulkActionInput, upload_id: strawberry.ID | None
) -> BulkAction:
    request = CreateRequest(
        entity_type=getattr(input.entity_type, "value", input.entity_type),
        action_type=getattr(input.action_type, "value", input.action_type),
        given=ActionInput(
            entity_ids=input.entity_ids,
            fields=input.fields,
            records=input.records,
            filter=raw_filter(input.filter) if input.filter is not None else None,
            columns=input.columns,
            operations={
                "unset": input.unset,
                "addToList": input.add_to_list,
                "removeFromList": input.remove_from_list,
                "increment": input.increment,
            },
            rules=ImportRules(
                match_by=input.match_by,
                clear_empty=input.empty_values is EmptyValues.CLEAR,
                keep_existing=input.existing_values is ExistingValues.KEEP,
                decimal_comma=input.decimal_mark is DecimalMark.COMMA,
                date_order=input.date_order.name if input.date_order is not None else None,
            ),
        ),
        scheduled_at=input.scheduled_at,
        idempotency_key=input.idempotency_key,
        upload_id=upload_id,
        column_map=input.column_map,
        dry_run=input.dry_run,
        drip=drip_request(input.drip),
    )
    return await create_bulk_action(principal, request)


async def store_file(account_id: str, file: UploadFile, encoding: FileEncoding) -> str:
    name = file.filename or "upload.csv"
    return (await uploads.store(account_id, name, uploads.pieces_of(file), encoding)).id


@strawberry.type(description="Controlling actions under way.")
class ControlMutation:
    @strawberry.mutation(
        description="Stops the action: running chunks finish, the other rows are logged "
        "SKIPPED (CANCELLED). Status CANCELLING until then, CANCELLED after."
    )
    async def cancel_bulk_action(self, info: Info, id: ActionId) -> BulkActionType:
        return BulkActionType.of(await control.cancel(info.context.principal, id))

    @strawberry.mutation(description="Holds the action between chunks; resume goes on from there.")
    async def pause_bulk_action(self, info: Info, id: ActionId) -> BulkActionType:
        return BulkActionType.of(await control.pause(info.context.principal, id))

    @strawberry.mutation(description="Lets a paused action go on from where it was held.")
    async def resume_bulk_action(self, info: Info, id: ActionId) -> BulkActionType:
        return BulkActionType.of(await control.resume(info.context.principal, id))

    @strawberry.mutation(description="Moves the start of a SCHEDULED action.")
    async def reschedule_bulk_action(
        self,
        info: Info,
        id: ActionId,
        scheduled_at: Annotated[
            datetime, strawberry.argument(description="The new start time, with a time zone.")
        ],
    ) -> BulkActionType:
        return BulkActionType.of(await control.reschedule(info.context.principal, id, scheduled_at))

    @strawberry.mutation(
        description="Changes the pace of a drip action while SCHEDULED, PROCESSING or PAUSED, "
        "from its next batch on (batches started finish); `drip: null` lets it run at the "
        "account's limit."
    )
    async def update_bulk_action_drip(
        self,
        info: Info,
        id: ActionId,
        drip: Annotated[
            DripInput | None, strawberry.argument(description="The new pace, or null for none.")
        ],
    ) -> BulkActionType:
        return BulkActionType.of(await update_drip(info.context.principal, id, drip_request(drip)))

    @strawberry.mutation(description="Sets an account's entities per minute; admin tokens only.")
    async def set_account_rate_limit(
        self,
        info: Info,
        account_id: Annotated[str, strawberry.argument(description="The account to limit.")],
        per_minute: Annotated[
            int, strawberry.argument(description="Entities per rolling minute, at least 1.")
        ],
    ) -> AccountRateLimitType:
        principal = info.context.principal
        await limits.set_limit(principal, account_id, per_minute)
        return AccountRateLimitType.of(
            await limits.account_rate_limit(Principal(account_id=account_id))
        )


@strawberry.type(description="Everything that changes state: actions, limits, webhooks.")
class Mutation(
    CreateMutation, ControlMutation, WebhookMutation, CustomFieldMutation, ApiKeyMutation
):
    pass
