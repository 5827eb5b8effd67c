"""Drip mode's use cases: the pace a create gives an action, and `updateBulkActionDrip`.

A pace is checked against the account's limit (a batch never exceeds a minute's allowance)
and stored in the action's DripPace before the action itself; an edit replaces it, and takes
effect from the next batch: the engine reads the pace each time it gives a chunk its batch
(app.engine.dripping). Waiting chunks are woken, so a shorter interval or a wider window
counts at once rather than after the wait that was set under the old pace.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from app.domain.access import AuditKind
from app.domain.drip import Pace, check_pace
from app.domain.errors import BadUserInput
from app.domain.models import BulkAction, BulkActionStatus
from app.domain.models.ids import saved_id
from app.domain.principal import Principal
from app.infra.mongo import drips
from app.infra.mongo.accounts.limits import limit_for
from app.infra.redis.events import publish_change
from app.infra.redis.tasks import send_planner
from app.usecases.accounts import audit
from app.usecases.control import running_action, status_of

# While these, an action's pace can change (its batches still to start follow it).
EDITABLE = (
    BulkActionStatus.QUEUED,
    BulkActionStatus.SCHEDULED,
    BulkActionStatus.PROCESSING,
    BulkActionStatus.PAUSED,
)


@dataclass(frozen=True)
class DripRequest:
    """The pace as the API received it, not checked yet."""

    batch_size: int
    every_seconds: int
    days: Sequence[str] | None = None
    window: tuple[str, str] | None = None
    time_zone: str | None = None


async def checked_pace(account_id: str, given: DripRequest) -> Pace:
    """The pace, or BAD_USER_INPUT naming the field at fault."""
    return check_pace(
        given.batch_size,
        given.every_seconds,
        given.days,
        given.window,
        given.time_zone,
        await limit_for(account_id),
    )


async def update_drip(
    principal: Principal, action_id: str, given: DripRequest | None
) -> BulkAction:
    """Puts a new pace in force for the action's next batches (None: the account limit
    only), and wakes its waiting chunks to look again."""
    action = await running_action(principal, action_id, "change the pace of")
    shown = await status_of(action)
    if shown not in EDITABLE:
        raise BadUserInput(f"The action is {shown}: its pace can no longer change.")
    if not action.dripped:
        raise BadUserInput(
            "The action was made without `drip`: it runs at the account's limit. Make it with "
            "`drip` to pace it."
        )
    pace = None if given is None else await checked_pace(action.account_id, given)
    await drips.set_pace(saved_id(action), action.account_id, pace)
    await audit.record(
        principal,
        AuditKind.DRIP_CHANGED,
        action_id=action.id,
        drip=None
        if pace is None
        else {"batchSize": pace.batch_size, "everySeconds": int(pace.every.total_seconds())},
    )
    if shown is BulkActionStatus.PROCESSING:
        await send_planner(str(action.id))  # its chains go on under the new pace
    await publish_change(saved_id(action), action.account_id)
    return action
