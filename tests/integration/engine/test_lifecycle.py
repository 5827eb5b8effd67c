"""Walks the lifecycle table against the database: every move it allows is made and
announced, every other one leaves the action as it was.

The actions are marked alive, so the suite's workers (whose sweeper wakes actions that show
no sign of life) leave them alone while the walk goes on."""

import pytest

from app.domain.models import BulkAction
from app.domain.models.ids import saved_id
from app.domain.status import SHOWN_BY_REQUEST, TRANSITIONS, BulkActionStatus
from app.engine import lifecycle
from app.engine.lifecycle import IllegalTransition, transition
from tests.integration.factories import stored_action

STORED = [status for status in BulkActionStatus if status not in SHOWN_BY_REQUEST]


class Announcements:
    """Records the change signals `transition` publishes."""

    def __init__(self) -> None:
        self.actions: list[str] = []

    async def __call__(self, action_id: object, account_id: str) -> None:
        self.actions.append(str(action_id))


@pytest.mark.parametrize("target", STORED)
async def test_each_move_happens_exactly_when_the_table_allows_it(
    database: None, account: str, target: BulkActionStatus, monkeypatch: pytest.MonkeyPatch
) -> None:
    announced = Announcements()
    monkeypatch.setattr(lifecycle, "publish_change", announced)
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
            assert announced.actions.count(str(action.id)) == 1, (current, target)
        elif current is target:
            # A repeat of a move already made is confirmed, and changes nothing.
            assert moved is not None and stored.error is None
        else:
            assert moved is None, (current, target)
            assert stored.status is current and stored.error is None
            assert str(action.id) not in announced.actions


async def test_only_from_narrows_the_table(database: None, account: str) -> None:
    running = await stored_action(account, BulkActionStatus.PROCESSING)
    moved = await transition(
        saved_id(running),
        BulkActionStatus.FAILED,
        only_from=[BulkActionStatus.QUEUED, BulkActionStatus.SCHEDULED],
    )
    assert moved is None
    with pytest.raises(IllegalTransition):
        await transition(
            saved_id(running), BulkActionStatus.COMPLETED, only_from=[BulkActionStatus.QUEUED]
        )
