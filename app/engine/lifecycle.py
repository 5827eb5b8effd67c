"""The action's lifecycle: the one writer of a stored status.

Every status change goes through `transition`, which moves only along the table in
app.domain.status, with a conditional update; reads the action back to confirm it (FerretDB
v1 may lose one of two concurrent updates of a document, so the update's own answer is not
trusted); announces it to the webhooks that hear of it (noted before it is made when any do,
so the announcement survives a death in between: app.engine.webhooks); and publishes the
change signal that live subscribers follow.
"""

from collections.abc import Iterable
from typing import Any

from beanie import PydanticObjectId

from app.domain.models import BulkAction
from app.domain.status import TERMINAL_STATUSES, TRANSITIONS, BulkActionStatus
from app.engine import webhooks
from app.infra import metrics
from app.infra.mongo import actions
from app.infra.redis.events import publish_change


class IllegalTransition(ValueError):
    """A move the lifecycle table does not allow: a bug in the caller, never user input."""


def sources_of(
    to: BulkActionStatus, only_from: Iterable[BulkActionStatus] | None = None
) -> list[BulkActionStatus]:
    allowed = TRANSITIONS.get(to, frozenset())
    wanted = allowed if only_from is None else frozenset(only_from)
    if not allowed or not wanted <= allowed:
        raise IllegalTransition(f"no move to {to} from {sorted(wanted - allowed) or 'anywhere'}")
    return sorted(wanted)


async def transition(
    action_id: PydanticObjectId,
    to: BulkActionStatus,
    *,
    only_from: Iterable[BulkActionStatus] | None = None,
    account_id: str | None = None,
    **fields: Any,
) -> BulkAction | None:
    """Moves the action to `to` (setting `fields` with it) if its status allows; returns the
    action as it now is when it holds `to`, else None.

    `only_from` narrows the table's sources for this call. A repeat of a move already made
    is confirmed too, so callers that may run twice (redelivered messages) proceed alike.
    `account_id`, the action's owner, is read when not given.
    """
    sources = sources_of(to, only_from)
    if account_id is None:
        planned = await actions.as_planned(action_id)
        account_id = planned.account_id if planned is not None else ""
    # Noted before the move, when a webhook hears of it: a death after it is announced.
    hearing = await webhooks.intend(action_id, account_id, to)
    changed, moved = await actions.move(action_id, sources, to, fields)
    if moved is None or moved.status is not to:
        return None
    if changed:
        if to in TERMINAL_STATUSES:
            metrics.ACTIONS_ENDED.labels(str(to)).inc()
        await webhooks.announce(moved, hearing=hearing)
    await publish_change(action_id, moved.account_id)
    return moved
