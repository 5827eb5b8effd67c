"""Walks the lifecycle table against the database: every move it allows is made and
announced, every other one leaves the action as it was."""

import asyncio
import json

import pytest
from beanie import PydanticObjectId

from app.domain.models import BulkAction
from app.domain.models.ids import saved_id
from app.domain.status import SHOWN_BY_REQUEST, TRANSITIONS, BulkActionStatus
from app.engine.lifecycle import IllegalTransition, transition
from app.infra.keys import events_channel
from app.infra.redis import get_redis

STORED = [status for status in BulkActionStatus if status not in SHOWN_BY_REQUEST]


async def stored_action(account: str, status: BulkActionStatus) -> BulkAction:
    action = BulkAction(
        id=PydanticObjectId(),
        account_id=account,
        entity_type="CONTACT",
        action_type="INSERT",
        status=status,
    )
    await action.insert()
    return action


async def signals_for(pubsub: object, action_id: str, seconds: float = 0.5) -> int:
    """Change signals for the action received within a moment."""
    count = 0
    deadline = asyncio.get_running_loop().time() + seconds
    while (left := deadline - asyncio.get_running_loop().time()) > 0:
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=left)  # type: ignore[attr-defined]
        if message and json.loads(message["data"])["action"] == action_id:
            count += 1
    return count


@pytest.mark.parametrize("target", STORED)
async def test_each_move_happens_exactly_when_the_table_allows_it(
    database: None, account: str, target: BulkActionStatus
) -> None:
    pubsub = get_redis().pubsub()
    await pubsub.subscribe(events_channel())
    try:
        for current in STORED:
            action = await stored_action(account, current)
            if target not in TRANSITIONS:
                with pytest.raises(IllegalTransition):
                    await transition(saved_id(action), target)
                continue
            moved = await transition(saved_id(action), target, error="walked")
            stored = await BulkAction.get(saved_id(action))
            assert stored is not None
            allowed = current in TRANSITIONS[target]
            if allowed:
                assert moved is not None and moved.status is target, (current, target)
                assert stored.status is target and stored.error == "walked"
                assert await signals_for(pubsub, str(action.id)) == 1, (current, target)
            elif current is target:
                # A repeat of a move already made is confirmed, and changes nothing.
                assert moved is not None and stored.error is None
            else:
                assert moved is None, (current, target)
                assert stored.status is current and stored.error is None
                assert await signals_for(pubsub, str(action.id), 0.2) == 0
    finally:
        await pubsub.aclose()  # type: ignore[no-untyped-call]


async def test_only_from_narrows_the_table(database: None, account: str) -> None:
    running = await stored_action(account, BulkActionStatus.PROCESSING)
    moved = await transition(
        saved_id(running),
        BulkActionStatus.CANCELLED,
        only_from=[BulkActionStatus.QUEUED, BulkActionStatus.SCHEDULED],
    )
    assert moved is None
    with pytest.raises(IllegalTransition):
        await transition(
            saved_id(running), BulkActionStatus.COMPLETED, only_from=[BulkActionStatus.QUEUED]
        )
