"""The actions store's process copies: what they spare the database."""

import asyncio

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
