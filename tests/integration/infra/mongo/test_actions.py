"""The actions store's process copies: what they spare the database."""

import asyncio
from datetime import timedelta

from app.domain.clock import utcnow
from app.domain.models import BulkActionStatus
from app.domain.models.ids import saved_id
from app.infra.mongo import actions
from tests.integration.commands import COUNTER
from tests.integration.factories import stored_action


async def test_chunks_starting_at_once_share_one_read_of_their_action(
    database: None, account: str
) -> None:
    """Every thread of a worker process starts one of an action's first chunks at once:
    they read the action once between them (each read it)."""
    action = await stored_action(account, BulkActionStatus.PROCESSING)
    action_id = saved_id(action)
    with COUNTER.counting() as commands:
        copies = await asyncio.gather(*(actions.as_planned(action_id) for _ in range(4)))
    assert commands == [("find", "bulk_actions")]
    assert all(copy is not None and copy.id == action_id for copy in copies)
    with COUNTER.counting() as commands:
        await actions.as_planned(action_id)
    assert commands == []  # and kept


async def test_the_sweeper_watches_due_scheduled_and_running_actions_only(
    database: None, account: str
) -> None:
    """One query gives the sweeper the scheduled actions now due and the queued or running
    ones; scheduled ones not due yet and ended ones stay out of it."""
    now = utcnow()
    stored = {
        status: await stored_action(account, status)
        for status in (
            BulkActionStatus.QUEUED,
            BulkActionStatus.PROCESSING,
            BulkActionStatus.COMPLETED,
        )
    }
    due, later = (
        await stored_action(account, BulkActionStatus.SCHEDULED),
        await stored_action(account, BulkActionStatus.SCHEDULED),
    )
    for action, at in [(due, now - timedelta(minutes=1)), (later, now + timedelta(days=1))]:
        await actions.set_fields(saved_id(action), scheduled_at=at)
    ours = {saved_id(action) for action in [*stored.values(), due, later]}
    with COUNTER.counting() as commands:
        watched = await actions.to_watch(now)
    # One query; its cursor may ask for more batches when other tests left running actions.
    assert [command for command in commands if command[0] != "getMore"] == [
        ("find", "bulk_actions")
    ]
    assert [action_id for action_id in watched.due if action_id in ours] == [saved_id(due)]
    assert {action_id for action_id in watched.running if action_id in ours} == {
        saved_id(stored[BulkActionStatus.QUEUED]),
        saved_id(stored[BulkActionStatus.PROCESSING]),
    }
