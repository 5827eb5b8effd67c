"""The owner's controls over an action: pause, resume, cancel, reschedule.

The API records the request in the action's ActionControl and wakes the planner actor, which
acts on it: chunks check the request before they run, so a pause or cancel takes effect at
chunk boundaries (chunks already running finish). The action document stays the workers' own.
"""

from collections.abc import Sequence
from datetime import datetime

from app.domain.access import AuditKind
from app.domain.clock import utcnow
from app.domain.errors import BadUserInput
from app.domain.models import (
    TERMINAL_STATUSES,
    BulkAction,
    BulkActionStatus,
    ControlRequest,
)
from app.domain.models.ids import saved_id
from app.domain.principal import Principal
from app.domain.schedule import check_schedule
from app.domain.status import request_shows, shown_status
from app.infra.mongo import actions as stored_actions
from app.infra.mongo import controls
from app.infra.redis.events import publish_change
from app.infra.redis.tasks import send_planner
from app.usecases.accounts import audit
from app.usecases.reading.queries import get_action


async def statuses_of(actions: Sequence[BulkAction]) -> list[BulkActionStatus]:
    """Each action's status as its owner sees it (app.domain.status.shown_status): the
    owner's requests are read, at most one query for all, only for the actions whose status
    a request can change (not an ended one's)."""
    asked = [saved_id(action) for action in actions if request_shows(action.status)]
    requests = await controls.requests_of(asked) if asked else {}
    return [
        shown_status(action.status, requests.get(saved_id(action), ControlRequest.RUN))
        for action in actions
    ]


async def status_of(action: BulkAction) -> BulkActionStatus:
    return (await statuses_of([action]))[0]


async def set_request(action: BulkAction, request: ControlRequest) -> None:
    assert action.id is not None
    await controls.set_request(action.id, action.account_id, request)
    await publish_change(action.id, action.account_id)  # the shown status changed
    # The planner acts on the request: it ends a cancelled action that has not started, and
    # re-queues the chunks of a resumed one.
    await send_planner(str(action.id))


async def running_action(principal: Principal, action_id: str, verb: str) -> BulkAction:
    action = await get_action(principal, action_id)
    if action.status in TERMINAL_STATUSES:
        raise BadUserInput(f"Cannot {verb} an action that has ended ({action.status}).")
    return action


async def pause(principal: Principal, action_id: str) -> BulkAction:
    action = await running_action(principal, action_id, "pause")
    assert action.id is not None
    request = await controls.request_of(action.id)
    if action.status is BulkActionStatus.SCHEDULED:
        raise BadUserInput("A scheduled action has not started: reschedule or cancel it.")
    if request is ControlRequest.CANCEL:
        raise BadUserInput("The action is being cancelled.")
    if request is not ControlRequest.PAUSE:
        await set_request(action, ControlRequest.PAUSE)
        await audit.record(principal, AuditKind.ACTION_PAUSED, action_id=action.id)
    return action


async def resume(principal: Principal, action_id: str) -> BulkAction:
    action = await running_action(principal, action_id, "resume")
    assert action.id is not None
    if await controls.request_of(action.id) is not ControlRequest.PAUSE:
        raise BadUserInput("The action is not paused.")
    await set_request(action, ControlRequest.RUN)
    await audit.record(principal, AuditKind.ACTION_RESUMED, action_id=action.id)
    return action


async def cancel(principal: Principal, action_id: str) -> BulkAction:
    action = await running_action(principal, action_id, "cancel")
    assert action.id is not None
    if await controls.request_of(action.id) is not ControlRequest.CANCEL:
        await set_request(action, ControlRequest.CANCEL)
        await audit.record(principal, AuditKind.ACTION_CANCELLED, action_id=action.id)
    return action


async def reschedule(principal: Principal, action_id: str, scheduled_at: datetime) -> BulkAction:
    action = await get_action(principal, action_id)
    if action.status is not BulkActionStatus.SCHEDULED:
        shown = await status_of(action)
        raise BadUserInput(f"Only a SCHEDULED action can be rescheduled; this one is {shown}.")
    when = check_schedule(scheduled_at)
    if when is None or when <= utcnow():
        raise BadUserInput("`scheduledAt` must be in the future.")
    # The answer says what holds, whoever won a race with the planner's start.
    changed, stored = await stored_actions.update_if(
        saved_id(action), {"status": str(BulkActionStatus.SCHEDULED)}, {"scheduled_at": when}
    )
    if (
        not changed
        or stored is None
        or stored.status is not BulkActionStatus.SCHEDULED
        or stored.scheduled_at != when
    ):
        raise BadUserInput("The action has just started; it can no longer be rescheduled.")
    await send_planner(str(action.id), when)
    action.scheduled_at = when
    await audit.record(
        principal, AuditKind.ACTION_RESCHEDULED, action_id=action.id, to=when.isoformat()
    )
    return action
