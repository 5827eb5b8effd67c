"""Planning an audience: the matches as they were when planning began, each planned once,
even when planning dies half-way and the matches change before it runs again."""

from collections.abc import Sequence
from typing import Any

import pytest
from beanie import PydanticObjectId
from bson import ObjectId

from app.domain.entities import entities
from app.domain.entities.contact import Contact
from app.domain.filters import check_filter
from app.domain.models import BulkAction, BulkActionStatus, Chunk, ChunkRows
from app.domain.rows import Row
from app.engine import planning
from app.infra.mongo import chunks as stored_chunks
from app.infra.redis import liveness
from tests.integration.factories import seed_contacts

CONTACT = entities.get("CONTACT")
IN_GERMANY = {"conditions": [{"field": "country", "eq": "DE"}]}


async def contacts(account: str, count: int, country: str = "DE") -> list[str]:
    data = [{"country": country}] * count
    ids = await seed_contacts(account, data, key=lambda _: f"{ObjectId()}@example.com")
    return [str(i) for i in ids]


async def filter_action(account: str, filter: dict[str, Any]) -> BulkAction:
    action = BulkAction(
        id=PydanticObjectId(),
        account_id=account,
        entity_type="CONTACT",
        action_type="UPDATE",
        status=BulkActionStatus.PROCESSING,
        fields={"company": "Planned"},
        filter=check_filter(CONTACT, filter),
    )
    await action.insert()
    await liveness.touch(str(action.id))  # the suite's sweeper leaves it alone
    return action


async def planned_rows(action: BulkAction) -> list[tuple[int, str]]:
    chunks = await Chunk.find({"action_id": action.id}).sort("+seq").to_list()
    rows = []
    for chunk in chunks:
        stored = await ChunkRows.get(chunk.id)
        assert stored is not None
        rows += [(row["row"], row["id"]) for row in stored.rows]
    return rows


async def test_entities_made_after_planning_began_are_not_targeted(
    database: None, account: str
) -> None:
    before = await contacts(account, 30)
    await contacts(account, 5, country="FR")
    action = await filter_action(account, IN_GERMANY)
    action = await planning.snapshot(action)
    await contacts(account, 10)  # made while planning runs: not targeted
    assert await planning.write_chunks(action) == (30, 1)
    assert await planned_rows(action) == list(enumerate(before, start=1))


class Died(Exception):
    pass


async def test_planning_that_died_goes_on_from_its_last_chunk(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = await contacts(account, 1200)  # chunks of 500 in the suite
    action = await filter_action(account, IN_GERMANY)
    inserted = stored_chunks.insert

    async def dying(made: Sequence[Chunk]) -> None:
        if made[-1].seq > 0:
            raise Died  # after the batch's rows were stored, before its chunks
        await inserted(made)

    with monkeypatch.context() as patch:
        patch.setattr(stored_chunks, "insert", dying)
        with pytest.raises(Died):
            await planning.write_chunks(action)
    # Before it runs again, the first chunk's entities stop matching (the action's own
    # writes could do that): read again from the start, the matches would shift.
    await Contact.get_pymongo_collection().update_many(
        {"_id": {"$in": [ObjectId(i) for i in ids[:100]]}}, {"$set": {"data.country": "FR"}}
    )
    found = await BulkAction.get(action.id)
    assert found is not None
    assert await planning.write_chunks(found) == (1200, 3)
    assert await planned_rows(action) == list(enumerate(ids, start=1))


async def test_rows_a_dead_batch_stored_without_their_chunks_are_not_kept(
    database: None, account: str
) -> None:
    """Planning writes chunks in batches, the rows of a batch first: one that died between
    the two left rows of several chunks after its last. Planning again drops them all, since
    its chunks from there may hold other rows (the matches changed)."""
    action = await filter_action(account, IN_GERMANY)
    action_id = action.id
    assert action_id is not None
    first = planning.chunk_of(
        action, 0, [{"row": 1, "id": str(ObjectId())}], dripped=False, found_in=None
    )
    orphans: dict[str, list[Row]] = {
        Chunk.id_for(action_id, seq): [{"row": seq + 1, "id": str(ObjectId())}]
        for seq in range(1, planning.MAX_WRITE_BATCH + 1)
    }
    await stored_chunks.store_rows({first.id: [{"row": 1, "id": str(ObjectId())}], **orphans})
    await stored_chunks.insert([first])

    planned = await planning.planned_before(action)

    assert (planned.chunks, planned.rows) == (1, 1)
    assert await ChunkRows.find({"_id": {"$in": list(orphans)}}).count() == 0
    assert await ChunkRows.get(first.id) is not None
