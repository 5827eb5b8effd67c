"""Chunks racing other writers: what another action (or the CRM) writes between a chunk's read
and its write is neither overwritten nor turned into a failure of the chunk's rows."""

from collections import Counter
from typing import Any

import pytest
from bson import ObjectId

from app.domain.actions import actions
from app.domain.entities.contact import Contact
from app.domain.models import BulkAction
from app.engine import processing
from tests.integration.engine.test_before_images import die_after_writing, images_of, restored
from tests.integration.factories import logs_of, processing_action, seed_contacts


async def test_an_upsert_updates_what_another_writer_inserted_since_its_read(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two imports of one list at once: each reads that no contact holds a key, and one of
    them inserts it first. The other's insert is refused for the key, so it reads the holder
    and updates it as if it had found it (UPDATED, or UNCHANGED where it looks as asked),
    never FAILED/DUPLICATE_KEY; delivered again, and restored, as a found holder is."""
    emails = ["race0@x.io", "race1@x.io", "race2@x.io"]
    rows = [
        {"row": n, "key": email, "data": {"email": email, "city": "New"}, "new_id": str(ObjectId())}
        for n, email in enumerate(emails, start=1)
    ]
    action, chunk = await processing_action(account, "CONTACT", "UPSERT", rows)
    upsert = actions.get("UPSERT")
    decide = upsert.decide
    theirs: list[ObjectId] = []

    async def read_then_another_writer(ctx: Any, chunk_rows: Any) -> Any:
        decided = await decide(ctx, chunk_rows)
        if not theirs:  # the other import, once: between this chunk's read and its write
            others = [
                {"email": emails[0], "city": "Old", "phone": "1"},
                {"email": emails[1], "city": "New"},
            ]
            theirs.extend(await seed_contacts(account, others))
        return decided

    monkeypatch.setattr(upsert, "decide", read_then_another_writer)
    await die_after_writing(monkeypatch, chunk.id)  # and delivered again
    await processing.process_chunk(chunk.id)

    logs = await logs_of(action)
    assert [(log.reason.value, log.entity_id) for log in logs] == [
        ("UPDATED", str(theirs[0])),
        ("UNCHANGED", str(theirs[1])),
        ("INSERTED", rows[2]["new_id"]),
    ]
    done = await BulkAction.get(action.id)
    assert done is not None and (done.succeeded, done.skipped, done.failed) == (2, 1, 0)
    stored = Contact.get_pymongo_collection().find({"account_id": account}, sort=[("key", 1)])
    assert [doc["data"] async for doc in stored] == [
        {"email": emails[0], "city": "New", "phone": "1"},
        {"email": emails[1], "city": "New"},
        {"email": emails[2], "city": "New"},
    ]

    await restored(account, action, await images_of(action))
    stored = Contact.get_pymongo_collection().find({"account_id": account}, sort=[("key", 1)])
    assert [doc["data"] async for doc in stored] == [
        {"email": emails[0], "city": "Old", "phone": "1"},
        {"email": emails[1], "city": "New"},
    ]
    assert Counter(str(log.reason) for log in await logs_of(action)) == {
        "UPDATED": 1,
        "UNCHANGED": 1,
        "INSERTED": 1,
    }
