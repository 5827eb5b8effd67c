"""The drip gate against MongoDB and Redis, with an injected clock (a window that closes
cannot be waited for in real time): no batch starts outside the window, the next opening
resumes, a batch starts once, and a delivery that died after placing its chunk finds its
batch again rather than taking a second one."""

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, time, timedelta

import pytest

from app.domain.drip import Pace, Window
from app.domain.models import BulkAction, BulkActionStatus, Chunk, ChunkRows
from app.domain.models.ids import saved_id
from app.engine import dripping
from app.engine.dripping import Held, Placed, gate
from app.infra.mongo import actions as stored_actions
from app.infra.mongo import chunks, drips
from app.infra.redis.tasks import MESSAGE_HORIZON
from tests.integration.factories import insert_rows, processing_action

OFFICE_HOURS = Pace(100, timedelta(minutes=10), frozenset(range(5)), Window(time(9), time(17)))
FRIDAY = datetime(2026, 12, 4, tzinfo=UTC)
MONDAY_OPENS = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.fixture
async def actions_made() -> AsyncIterator[list[BulkAction]]:
    """The actions a test made, ended after it: their chunks are the test's alone, and the
    suite's sweeper would otherwise wake them once their sign of life ran out and run them
    (inserting rows other tests' counts would see)."""
    made: list[BulkAction] = []
    yield made
    for action in made:
        await stored_actions.set_fields(saved_id(action), status=str(BulkActionStatus.CANCELLED))


async def drip_chunks(account: str, count: int, pace: Pace, made: list[BulkAction]) -> list[Chunk]:
    """A planned drip action of `count` chunks of 100 rows under `pace`."""
    rows = insert_rows([f"gate{n}@example.com" for n in range(count * 100)])
    action, first = await processing_action(account, "CONTACT", "INSERT", rows[:100])
    made.append(action)
    await drips.set_pace(saved_id(action), account, pace)
    made = [first.model_copy(update={"dripped": True})]
    await Chunk.get_pymongo_collection().update_one({"_id": first.id}, {"$set": {"dripped": True}})
    for seq in range(1, count):
        chunk = Chunk(
            id=Chunk.id_for(saved_id(action), seq),
            action_id=saved_id(action),
            account_id=account,
            seq=seq,
            size=100,
            dripped=True,
        )
        await ChunkRows(id=chunk.id, rows=rows[seq * 100 : seq * 100 + 100]).insert()
        await chunk.insert()
        made.append(chunk)
    return made


def clock_at(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    def move(to: datetime) -> None:
        monkeypatch.setattr(dripping, "stored_now", lambda: to)

    return move


async def test_no_batch_starts_outside_the_window_and_the_next_opening_resumes(
    database: None,
    account: str,
    monkeypatch: pytest.MonkeyPatch,
    actions_made: list[BulkAction],
) -> None:
    first, second, third = await drip_chunks(account, 3, OFFICE_HOURS, actions_made)
    move = clock_at(monkeypatch)

    move(FRIDAY.replace(hour=16, minute=45))
    placed = await gate(first)
    assert isinstance(placed, Placed) and placed.chunk.batch == 1

    move(FRIDAY.replace(hour=16, minute=50))  # batch 2 is due at 16:55
    assert await gate(second) == Held(5 * 60 * 1000)
    move(FRIDAY.replace(hour=16, minute=55))
    placed = await gate(second)
    assert isinstance(placed, Placed) and placed.chunk.batch == 2

    # Batch 3 is due at 17:05, after the window closed: it waits for Monday's opening,
    # coming back to look at the message horizon meanwhile.
    move(FRIDAY.replace(hour=17, minute=5))
    assert await gate(third) == Held(int(MESSAGE_HORIZON.total_seconds() * 1000))
    move(datetime(2026, 12, 7, 8, 30, tzinfo=UTC))  # Monday morning: not open yet
    assert await gate(third) == Held(30 * 60 * 1000)
    move(MONDAY_OPENS)
    placed = await gate(third)
    assert isinstance(placed, Placed) and placed.chunk.batch == 3

    found = await drips.batches_of(first.action_id)
    assert [(batch.number, batch.started_at, batch.rows) for batch in found] == [
        (1, FRIDAY.replace(hour=16, minute=45), 100),
        (2, FRIDAY.replace(hour=16, minute=55), 100),
        (3, MONDAY_OPENS, 100),
    ]


async def test_a_chunk_placed_by_a_delivery_that_died_keeps_its_batch(
    database: None,
    account: str,
    monkeypatch: pytest.MonkeyPatch,
    actions_made: list[BulkAction],
) -> None:
    first, second = await drip_chunks(account, 2, Pace(100, timedelta(seconds=30)), actions_made)
    move = clock_at(monkeypatch)
    move(FRIDAY)
    assert isinstance(await gate(first), Placed)
    # The delivery died after the batch recorded the chunk, before the chunk said so.
    await Chunk.get_pymongo_collection().update_one({"_id": first.id}, {"$set": {"batch": None}})
    move(FRIDAY + timedelta(seconds=40))  # the next batch is due: it must not take it
    again = await gate(first)
    assert isinstance(again, Placed) and again.chunk.batch == 1
    placed = await gate(second)
    assert isinstance(placed, Placed) and placed.chunk.batch == 2
    found = await drips.batches_of(first.action_id)
    assert [(batch.number, batch.rows, batch.chunks) for batch in found] == [
        (1, 100, (first.id,)),
        (2, 100, (second.id,)),
    ]
    # A repeated delivery of a placed chunk is let through in its batch, nothing counted again.
    repeated = await gate((await chunks.get(second.id)) or second)
    assert isinstance(repeated, Placed) and repeated.chunk.batch == 2
    assert [batch.rows for batch in await drips.batches_of(first.action_id)] == [100, 100]


async def test_a_chunk_larger_than_a_batch_is_split_into_batches(
    database: None,
    account: str,
    monkeypatch: pytest.MonkeyPatch,
    actions_made: list[BulkAction],
) -> None:
    (chunk,) = await drip_chunks(account, 1, Pace(40, timedelta(seconds=30)), actions_made)
    monkeypatch.setattr(dripping, "split", record_split := SplitCalls())
    assert await gate(chunk) == dripping.Split()
    assert record_split.calls == [(chunk.id, 40)]


class SplitCalls:
    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []

    async def __call__(self, chunk: Chunk, size: int) -> None:
        self.calls.append((chunk.id, size))
