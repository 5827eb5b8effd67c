"""Actions made from another one: the real run of a dry run, a restore, a retry.

A follow-up that may exist once per action (a run, a restore) claims a name made of its kind
and its source (IdempotencyKey.follow_up_id), with the idempotency claims of creates
(app.usecases.idempotency): two concurrent requests make one action, and a request that died
after claiming is taken over once its claim is dead.
"""

from collections.abc import Sequence
from typing import Any

from beanie import PydanticObjectId

from app.domain.access import AuditKind
from app.domain.drip import Pace
from app.domain.models import BulkAction, IdempotencyKey
from app.domain.models.ids import saved_id
from app.domain.principal import Principal
from app.domain.rows import Row
from app.infra.mongo import inputs
from app.infra.redis.events import publish_change
from app.infra.redis.tasks import send_planner
from app.usecases import idempotency
from app.usecases.accounts import audit
from app.usecases.creation import discard, store


def same_work(source: BulkAction, **more: Any) -> BulkAction:
    """A new action that does what `source` does to its rows (its type, fields, operations,
    columns, custom fields and import rules), with `more` besides (its input, its link)."""
    return BulkAction(
        id=PydanticObjectId(),
        account_id=source.account_id,
        entity_type=source.entity_type,
        action_type=source.action_type,
        fields=source.fields,
        operations=source.operations,
        export_columns=source.export_columns,
        field_set=source.field_set,
        match_by=source.match_by,
        empty_values=source.empty_values,
        existing_values=source.existing_values,
        decimal_mark=source.decimal_mark,
        date_order=source.date_order,
        **more,
    )


def once_name(kind: str, source: BulkAction) -> str:
    return IdempotencyKey.follow_up_id(source.account_id, kind, source.id)


async def launch(
    principal: Principal,
    action: BulkAction,
    *,
    rows: Sequence[Row] = (),
    input_of: BulkAction | None = None,
    once: str | None = None,
    pace: Pace | None = None,
    kind: AuditKind = AuditKind.ACTION_CREATED,
    source: BulkAction | None = None,
) -> BulkAction:
    """Stores the action with its input (`rows`, or a copy of `input_of`'s stored rows) and
    its drip `pace`, and queues its planning. With `once` (a name from `once_name`), returns
    the follow-up made earlier under that name instead, if there is one."""
    if once is not None and (found := await idempotency.claim(principal, once, saved_id(action))):
        return found
    action.created_by_user, action.created_by_key = principal.user_id, principal.api_key_id
    try:
        if input_of is not None:
            await copy_input(input_of, saved_id(action))
        await store(action, list(rows), pace)
        await send_planner(str(action.id))
        await publish_change(action.id, action.account_id)
    except BaseException:
        await discard(action)
        if once is not None:
            await idempotency.release(once, saved_id(action))
        raise
    finally:
        if once is not None:
            await idempotency.done(once)
    await audit.record(
        principal,
        kind,
        action_id=action.id,
        source=None if source is None else str(source.id),
    )
    return action


async def copy_input(source: BulkAction, action_id: PydanticObjectId) -> None:
    await inputs.copy(saved_id(source), action_id)
