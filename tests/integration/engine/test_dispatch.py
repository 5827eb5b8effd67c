"""A chunk that planning and its finishing predecessor both find ready is sent once; a
restart of the chains sends what is not done regardless; a message whose send failed after
its mark sends when it comes back."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from app.domain.models import Chunk
from app.domain.models.ids import saved_id
from app.engine import completion as dispatch
from app.engine import planning
from app.engine.planning import plan_action
from app.infra.mongo import db
from app.infra.redis import tasks
from app.infra.settings import get_settings
from tests.integration.commands import COUNTER
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
    await dispatch.after_planned([following])
    assert await dispatch.queue_following(first)  # the chain goes on
    await dispatch.after_planned([following])
    assert sent == [following.id]

    # A pause and resume, a lost message or a dead worker: the chains restart from MongoDB.
    assert await dispatch.send_ready(first.action_id) == 1
    assert sent == [following.id, following.id]


@contextmanager
def delivered(message_id: str, attempt: str) -> Iterator[None]:
    """As the work of a delivery of a message (workers.runtime sets it for each)."""
    token = tasks.delivery.set(tasks.Delivery(message_id, attempt))
    try:
        yield
    finally:
        tasks.delivery.reset(token)


async def test_a_message_whose_send_failed_after_its_mark_sends_when_it_comes_back(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen in the outage test: Redis went away between a chunk's send mark and its send, and
    the message, delivered again once Redis was back, found the mark and sent nothing: the
    chain stopped. It finds its own mark now; any other message still finds the chunk sent."""
    _, first = await processing_action(account, "CONTACT", "INSERT", insert_rows(["a@x.io"]))
    following = await chain_successor(first)

    async def redis_goes_away(chunk_id: str) -> None:
        raise RedisConnectionError("Error 111 connecting to Redis. Connection refused.")

    monkeypatch.setattr(dispatch, "send_chunk", redis_goes_away)
    with delivered("message-1", "first"), pytest.raises(RedisConnectionError):
        await dispatch.send_once(following.id)

    sent = record_sends(monkeypatch, dispatch, "send_chunk")
    with delivered("message-2", "first"):
        await dispatch.send_once(following.id)  # planning, say: the mark says it is sent
    assert sent == []
    with delivered("message-1", "second"):
        await dispatch.send_once(following.id)  # the same message, delivered again
    assert sent == [following.id]
    with delivered("message-1", "second"):
        await dispatch.send_once(following.id)  # and asking again: it is sent
    assert sent == [following.id]


async def test_planning_sends_each_chunk_once_and_a_restart_sends_again(
    database: None, account: str, sent: list[str]
) -> None:
    action = await queued_action(account)  # one chunk

    await plan_action(str(action.id))
    assert sent == [Chunk.id_for(saved_id(action), 0)]
    # Woken again (a resume, a stall): the chunk is not done, so it goes again.
    await plan_action(str(action.id))
    assert sent == [Chunk.id_for(saved_id(action), 0)] * 2


async def test_planning_reads_its_action_once(
    database: None, account: str, sent: list[str]
) -> None:
    """The planner reads the action when it starts it; having set the chunk count, it knows
    it and does not read the action again to see whether it ended."""
    action = await queued_action(account)
    with COUNTER.counting() as commands:
        await plan_action(str(action.id))
    # FerretDB v1 has the move to PROCESSING read back (it may lose concurrent updates).
    moved = 1 if db.traits().loses_concurrent_updates else 0
    assert commands.count(("find", "bulk_actions")) == 1 + moved, commands


async def test_planning_writes_its_chunks_in_growing_batches(
    database: None, account: str, sent: list[str]
) -> None:
    """The first chunk alone (processing starts with it), then the other chains' first
    chunks (7), then batches of 8: one insert each, and one read of the chunks before them in
    their chains for a batch that has any (it was an insert and a read per chunk)."""
    size, n = get_settings().chunk_size, get_settings().chunks_in_flight
    action = await queued_action(account, records=size * 19 + 1)  # 20 chunks

    with COUNTER.counting() as commands:
        assert await planning.write_chunks(action) == (size * 19 + 1, 20)

    assert commands.count(("insert", "chunks")) == 4  # 1, 7, 8 and the last 4
    assert commands.count(("find", "chunks")) == 2  # those with seq 8-15 and 16-19
    # None done yet: only the first chunk of each chain is sent.
    assert sent == [Chunk.id_for(saved_id(action), seq) for seq in range(n)]
