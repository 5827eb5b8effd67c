"""At-least-once delivery: a chunk processed again after dying part-way reports the same."""

from collections import Counter

import pytest
from bson import ObjectId

from app.domain.entities.contact import Contact
from app.domain.models import BulkAction, BulkActionStatus, Chunk
from app.engine import processing
from app.infra.mongo import chunks
from tests.integration.factories import (
    die_before_recording,
    insert_rows,
    logs_of,
    processing_action,
    seed_contacts,
)


async def reasons(action: BulkAction) -> Counter[str]:
    logs = await logs_of(action)
    return Counter(str(log.reason) for log in logs)


async def test_insert_redone_after_dying_keeps_its_own_inserts(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    emails = [f"redo{i}@example.com" for i in range(3)]
    action, chunk = await processing_action(account, "CONTACT", "INSERT", insert_rows(emails))

    await die_before_recording(monkeypatch, str(chunk.id))
    assert await Contact.find(Contact.account_id == account).count() == 3
    assert await logs_of(action) == []

    await processing.process_chunk(str(chunk.id))
    # A second delivery of a chunk that finished, and one whose "done" mark was lost.
    await processing.process_chunk(str(chunk.id))
    await Chunk.get_pymongo_collection().update_one({"_id": chunk.id}, {"$set": {"done": False}})
    await processing.process_chunk(str(chunk.id))

    done = await BulkAction.get(action.id)
    assert done is not None
    assert (done.succeeded, done.failed, done.skipped) == (3, 0, 0)
    assert done.status is BulkActionStatus.COMPLETED
    assert await reasons(done) == {"INSERTED": 3}
    assert await Contact.find(Contact.account_id == account).count() == 3


async def test_delete_redone_after_dying_still_reports_deleted(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    contacts = [Contact(account_id=account, key=f"d{i}@example.com") for i in range(2)]
    for contact in contacts:
        await contact.insert()
    rows = [{"row": n, "id": str(c.id)} for n, c in enumerate(contacts, start=1)]
    action, chunk = await processing_action(account, "CONTACT", "DELETE", rows)

    await die_before_recording(monkeypatch, str(chunk.id))
    assert await Contact.find(Contact.account_id == account).count() == 0

    await processing.process_chunk(str(chunk.id))
    done = await BulkAction.get(action.id)
    assert done is not None
    assert (done.succeeded, done.failed) == (2, 0)
    assert await reasons(done) == {"DELETED": 2}


async def test_upsert_redone_after_dying_reports_inserted(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    action, chunk = await processing_action(
        account, "CONTACT", "UPSERT", insert_rows(["u1@example.com", "u2@example.com"])
    )
    await die_before_recording(monkeypatch, str(chunk.id))
    await processing.process_chunk(str(chunk.id))
    done = await BulkAction.get(action.id)
    assert done is not None
    assert await reasons(done) == {"INSERTED": 2}
    assert done.succeeded == 2


async def test_update_decisions_name_each_target_once(database: None, account: str) -> None:
    """An UPDATE's stored decisions hold each target's read state once: the targets that
    exist are those it read (no list of them besides), and keys only where the update may
    change them."""
    ids = await seed_contacts(account, [{}] * 3, key=lambda n: f"once{n}@example.com")
    rows = [{"row": n + 1, "id": str(i)} for n, i in enumerate([*ids, ObjectId()])]
    action, chunk = await processing_action(
        account, "CONTACT", "UPDATE", rows, fields={"company": "Acme"}
    )
    await processing.process_chunk(str(chunk.id))

    decided = await chunks.decisions_of(chunk.id)
    assert decided is not None
    assert "existing" not in decided and "keys" not in decided
    assert sorted(decided["current"]) == sorted(str(i) for i in ids)
    assert await reasons(action) == {"UPDATED": 3, "NOT_FOUND": 1}
