"""Field operations at the chunk: decided once from what was read, so a chunk delivered again
after its writes neither increments twice nor reports other outcomes."""

from collections import Counter
from typing import Any

import pytest

from app.domain.entities.contact import Contact
from app.engine import processing
from tests.integration.factories import (
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
