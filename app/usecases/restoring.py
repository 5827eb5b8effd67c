"""restoreBulkAction: undo a finished action from its before-images, once.

Refused, with the reason, for a dry run (it changed nothing), an action that changes nothing
(EXPORT), a restore, an action not ended yet, one restored already, and one that ended more
than RESTORE_RETENTION_DAYS ago (its images are deleted then).
"""

from datetime import datetime, timedelta

from beanie import PydanticObjectId

from app.domain.access import AuditKind
from app.domain.actions import actions, can_be_restored
from app.domain.clock import utcnow
from app.domain.errors import BadUserInput
from app.domain.models import TERMINAL_STATUSES, BulkAction
from app.domain.models.ids import saved_id
from app.domain.principal import Principal
from app.infra.mongo import actions as stored_actions
from app.infra.mongo.accounts import custom_fields
from app.infra.mongo.before_images import kept_for
from app.usecases.follow_ups import launch, once_name
from app.usecases.reading.queries import get_action


def restorable_until(action: BulkAction) -> datetime | None:
    """Until when the action can be restored; None when it cannot be (not yet, or never)."""
    if not can_be_restored(action) or action.finished_at is None:
        return None
    return action.finished_at + kept_for()


async def restore_bulk_action(principal: Principal, action_id: str) -> BulkAction:
    original = await get_action(principal, action_id)
    refuse_unless_restorable(original)
    # The account's custom fields now, deleted ones included: a value put back keeps its
    # unique slot in step even if its field was deleted since.
    field_set, _ = await custom_fields.fix_set(original.account_id, original.entity_type)
    restore = BulkAction(
        id=PydanticObjectId(),
        account_id=original.account_id,
        entity_type=original.entity_type,
        action_type=actions.get("RESTORE").name,
        field_set=field_set,
        restore_of=original.id,
    )
    # The claim makes one restore of two concurrent requests, and finds an earlier one.
    made = await launch(
        principal,
        restore,
        once=once_name("restore", original),
        kind=AuditKind.ACTION_RESTORED,
        source=original,
    )
    if made.id != restore.id:
        raise restored_already(made)
    await stored_actions.set_fields(saved_id(original), restored_by=saved_id(made))
    return made


def restored_already(restore: BulkAction) -> BadUserInput:
    return BadUserInput(
        f"The action was restored already, by {restore.id}: a restore is allowed once.",
        restoredBy=str(restore.id),
    )


def refuse_unless_restorable(action: BulkAction) -> None:
    if action.restore_of is not None:
        raise BadUserInput("A restore cannot be restored.")
    if action.dry_run:
        raise BadUserInput("A dry run changed nothing: there is nothing to restore.")
    if not actions.get(action.action_type).restorable:
        raise BadUserInput(f"An {action.action_type} changes no entity: nothing to restore.")
    if action.status not in TERMINAL_STATUSES or action.finished_at is None:
        raise BadUserInput(f"The action is {action.status}: only an ended action can be restored.")
    until = restorable_until(action)
    if until is not None and until < utcnow():
        days = kept_for() / timedelta(days=1)
        raise BadUserInput(
            f"The action ended more than {days:g} days ago (RESTORE_RETENTION_DAYS): its "
            "before-images are deleted, so it can no longer be restored."
        )
