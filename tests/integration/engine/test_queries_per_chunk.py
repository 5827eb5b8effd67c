"""A chunk reads what it needs with one query, whatever its size: UPDATE and DELETE find their
500 targets with one `{_id: {$in}, account_id}` find (it was one lookup per id)."""

import pytest
from bson import ObjectId

from app.domain.entities.contact import Contact
from app.domain.models import BulkAction
from app.engine import processing
from tests.integration.commands import COUNTER
from tests.integration.factories import processing_action


@pytest.mark.parametrize("action_type", ["UPDATE", "DELETE"])
async def test_a_chunk_of_500_ids_finds_its_targets_with_one_query(
    database: None, account: str, action_type: str
) -> None:
    ids = [ObjectId() for _ in range(500)]
    await Contact.get_pymongo_collection().insert_many(
        [
            {"_id": i, "account_id": account, "key": f"q{n}@example.com", "data": {}}
            for n, i in enumerate(ids)
        ]
    )
    rows = [{"row": n, "id": str(i)} for n, i in enumerate([*ids, ObjectId()], start=1)]
    extra = {"fields": {"company": "Acme"}} if action_type == "UPDATE" else {}
    action, chunk = await processing_action(account, "CONTACT", action_type, rows, **extra)

    with COUNTER.counting() as commands:
        await processing.process_chunk(str(chunk.id))

    reads = [name for name, target in commands if name == "find" and target == "contacts"]
    assert reads == ["find"], commands
    done = await BulkAction.get(action.id)
    assert done is not None
    assert (done.succeeded, done.failed) == (500, 1)
