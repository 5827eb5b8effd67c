"""Field operations at the chunk: decided once from what was read, so a chunk delivered again
after its writes neither increments twice nor reports other outcomes."""

from collections import Counter
from typing import Any

import pytest

from app.domain.clock import stored_now
from app.domain.entities.contact import Contact
from app.engine import processing
from tests.integration.engine.test_before_images import images_of, restored
from tests.integration.factories import (
    after_the_read,
    contact_documents,
    die_before_recording,
    logs_of,
    processing_action,
    store_contacts,
)


async def test_a_redelivered_increment_is_applied_once(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    data: list[dict[str, Any]] = [{"score": 10}, {"score": 10}, {"tags": ["vip"]}]  # last: from 0
    docs = contact_documents(account, data, key=lambda n: f"i{n}@x.io")
    await store_contacts(docs)
    rows = [{"row": n + 1, "id": str(doc["_id"])} for n, doc in enumerate(docs)]
    action, chunk = await processing_action(
        account,
        "CONTACT",
        "UPDATE",
        rows,
        operations={"increment": {"score": 5}, "add_to_list": {"tags": ["vip"]}},
    )

    await die_before_recording(monkeypatch, chunk.id)
    await processing.process_chunk(chunk.id)

    found = Contact.get_pymongo_collection().find({"account_id": account}, sort=[("_id", 1)])
    assert [doc["data"].get("score") async for doc in found] == [15, 15, 5]
    logs = await logs_of(action)
    assert Counter(str(log.reason) for log in logs) == {"UPDATED": 3}


async def test_an_increment_adds_to_what_another_writer_wrote_since_the_read(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between a chunk's read and its write another action (or the CRM) may change the
    number: the increment adds to the number as it is then, never writing back a total
    computed from the read, which would undo that change. A field holding no number (null)
    is given the amount."""
    data: list[dict[str, Any]] = [{"score": 10}, {"score": 10}, {}, {"score": None}]
    docs = contact_documents(account, data, key=lambda n: f"w{n}@x.io")
    await store_contacts(docs)
    rows = [{"row": n + 1, "id": str(doc["_id"])} for n, doc in enumerate(docs)]
    action, chunk = await processing_action(
        account, "CONTACT", "UPDATE", rows, operations={"increment": {"score": 5}}
    )
    collection = Contact.get_pymongo_collection()
    after_the_read(
        monkeypatch,
        "UPDATE",
        lambda: collection.update_many(
            {"account_id": account, "data.score": {"$type": "number"}},
            {"$inc": {"data.score": 100}, "$set": {"updated_at": stored_now()}},
        ),
    )
    await processing.process_chunk(chunk.id)

    found = collection.find({"account_id": account}, sort=[("_id", 1)])
    assert [doc["data"].get("score") async for doc in found] == [115, 115, 5, 5]
    assert Counter(str(log.reason) for log in await logs_of(action)) == {"UPDATED": 4}

    # Restored, the increment is taken back and the other writer's change stays; a number
    # the increment gave to a field without one goes (as the field was).
    monkeypatch.undo()  # the other writer is done
    await restored(account, action, await images_of(action))
    found = collection.find({"account_id": account}, sort=[("_id", 1)])
    assert [doc["data"].get("score", "absent") async for doc in found] == [110, 110, "absent", None]
