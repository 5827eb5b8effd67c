"""A chunk that planning and its finishing predecessor both find ready is sent once; a
restart of the chains sends what is not done regardless."""

import pytest

from app.domain.models import Chunk
from app.domain.models.ids import saved_id
from app.engine import completion as dispatch
from app.engine.planning import plan_action
from tests.integration.factories import (
    chain_successor,
    insert_rows,
    processing_action,
    queued_action,
    record_sends,
)


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The chunks dispatch sends, in order (sent nowhere)."""
    return record_sends(monkeypatch, dispatch, "send_chunk")


async def test_a_chunk_both_sides_find_ready_is_sent_once(
    database: None, account: str, sent: list[str]
) -> None:
    _, first = await processing_action(account, "CONTACT", "INSERT", insert_rows(["a@x.io"]))
    following = await chain_successor(first)
    await Chunk.get_pymongo_collection().update_one({"_id": first.id}, {"$set": {"done": True}})

    # Planning wrote the chunk and saw its predecessor done; the predecessor, finishing at the
    # same time, saw the chunk written.
    await dispatch.after_planned(following)
    assert await dispatch.queue_following(first)  # the chain goes on
    await dispatch.after_planned(following)
    assert sent == [following.id]

    # A pause and resume, a lost message or a dead worker: the chains restart from MongoDB.
    assert await dispatch.send_ready(first.action_id) == 1
    assert sent == [following.id, following.id]


async def test_planning_sends_each_chunk_once_and_a_restart_sends_again(
    database: None, account: str, sent: list[str]
) -> None:
    action = await queued_action(account)  # one chunk

    await plan_action(str(action.id))
    assert sent == [Chunk.id_for(saved_id(action), 0)]
    # Woken again (a resume, a stall): the chunk is not done, so it goes again.
    await plan_action(str(action.id))
    assert sent == [Chunk.id_for(saved_id(action), 0)] * 2
