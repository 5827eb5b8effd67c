"""Chunks racing other writers: what another action (or the CRM) writes between a chunk's read
and its write is neither overwritten nor turned into a failure of the chunk's rows, and a
target it deletes meanwhile is not logged as written."""

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from bson import ObjectId

from app.domain.actions.update import Update
from app.domain.entities.contact import Contact
from app.domain.models import BulkAction
from app.engine import completion, processing
from app.infra.mongo import chunks
from app.infra.mongo import entities as stored_entities
from tests.integration.engine.test_before_images import (
    die_after_writing,
    images_of,
    restore_action,
    restored,
)
from tests.integration.factories import (
    Died,
    after_the_read,
    logs_of,
    processing_action,
    seed_contacts,
)


def upsert_rows(emails: list[str]) -> list[dict[str, Any]]:
    """UPSERT rows of these emails, each setting city "New"."""
    return [
        {"row": n, "key": email, "data": {"email": email, "city": "New"}, "new_id": str(ObjectId())}
        for n, email in enumerate(emails, start=1)
    ]


async def die_after_new_decisions(monkeypatch: pytest.MonkeyPatch, chunk_id: str) -> None:
    """Processes the chunk until it has stored the decisions its writes made it take again
    (an UPSERT row beaten to its insert), and dies before writing by them."""

    async def store_then_die(*given: Any) -> None:
        await replace_decisions(*given)
        raise Died

    replace_decisions = chunks.replace_decisions
    with monkeypatch.context() as patch:
        patch.setattr(chunks, "replace_decisions", store_then_die)
        with pytest.raises(Died):
            await processing.process_chunk(chunk_id)


@pytest.mark.parametrize("die", [die_after_writing, die_after_new_decisions])
async def test_an_upsert_updates_what_another_writer_inserted_since_its_read(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch, die: Any
) -> None:
    """Two imports of one list at once: each reads that no contact holds a key, and one of
    them inserts it first. The other's insert is refused for the key, so it reads the holder
    and updates it as if it had found it (UPDATED, or UNCHANGED where it looks as asked),
    never FAILED/DUPLICATE_KEY; delivered again (after its writes, or after it stored what
    it decided again, before writing by it), and restored, as a found holder is."""
    emails = ["race0@x.io", "race1@x.io", "race2@x.io"]
    rows = upsert_rows(emails)
    action, chunk = await processing_action(account, "CONTACT", "UPSERT", rows)
    theirs: list[ObjectId] = []

    async def other_import() -> None:
        if not theirs:  # once, though each delivery reads
            others = [
                {"email": emails[0], "city": "Old", "phone": "1"},
                {"email": emails[1], "city": "New"},
            ]
            theirs.extend(await seed_contacts(account, others))

    after_the_read(monkeypatch, "UPSERT", other_import)
    await die(monkeypatch, chunk.id)  # and delivered again
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


@pytest.mark.parametrize(
    "change",
    [
        {"fields": {"city": "Paris"}},  # one same update: one update_many where lists are taken
        {"operations": {"increment": {"score": 5}}},  # conditioned on the chunk: made once
    ],
    ids=["set", "increment"],
)
async def test_an_update_whose_target_another_writer_deleted_since_its_read_is_not_found(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch, change: dict[str, Any]
) -> None:
    """Another action (or the CRM) deletes two of the targets between the chunk's read and its
    write: their rows are FAILED/NOT_FOUND, as if the read had not found them, never UPDATED
    for an entity that is not there; the others UPDATED. Delivered again after its writes, the
    chunk tells the same, and a restore brings back only what it changed."""
    ids = await seed_contacts(account, [{"city": "Rome", "score": 1} for _ in range(4)])
    rows = [{"row": n, "id": str(entity_id)} for n, entity_id in enumerate(ids, start=1)]
    action, chunk = await processing_action(account, "CONTACT", "UPDATE", rows, **change)
    collection = Contact.get_pymongo_collection()
    after_the_read(
        monkeypatch, "UPDATE", lambda: collection.delete_many({"_id": {"$in": [ids[1], ids[3]]}})
    )
    await die_after_writing(monkeypatch, chunk.id)  # and delivered again
    await processing.process_chunk(chunk.id)

    logs = await logs_of(action)
    assert [(log.status.value, log.reason.value, log.entity_id) for log in logs] == [
        ("SUCCESS", "UPDATED", str(ids[0])),
        ("FAILED", "NOT_FOUND", str(ids[1])),
        ("SUCCESS", "UPDATED", str(ids[2])),
        ("FAILED", "NOT_FOUND", str(ids[3])),
    ]
    assert logs[1].message == "The entity was deleted while the action ran."
    done = await BulkAction.get(action.id)
    assert done is not None and (done.succeeded, done.skipped, done.failed) == (2, 0, 2)
    stored = collection.find({"account_id": account}, sort=[("_id", 1)])
    expected = {"city": "Paris", "score": 1} if "fields" in change else {"city": "Rome", "score": 6}
    assert [(doc["_id"], doc["data"]) async for doc in stored] == [
        (ids[0], expected),
        (ids[2], expected),
    ]

    await restored(account, action, await images_of(action))
    stored = collection.find({"account_id": account}, sort=[("_id", 1)])
    assert [doc["data"] async for doc in stored] == [{"city": "Rome", "score": 1}] * 2


async def test_an_upsert_whose_holder_another_writer_deleted_since_its_read_inserts_it(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The holder of a row's key is deleted between the chunk's read and its update: the row
    is decided again as nothing holding its key, and inserted under its planned id
    (INSERTED), never UPDATED for an entity that is not there nor failed for what the
    action exists to do; delivered again and restored as a row that found no holder."""
    emails = ["gone0@x.io", "gone1@x.io"]
    held = await seed_contacts(account, [{"email": email, "city": "Old"} for email in emails])
    rows = upsert_rows(emails)
    action, chunk = await processing_action(account, "CONTACT", "UPSERT", rows)
    collection = Contact.get_pymongo_collection()
    after_the_read(monkeypatch, "UPSERT", lambda: collection.delete_one({"_id": held[0]}))
    await die_after_writing(monkeypatch, chunk.id)  # and delivered again
    await processing.process_chunk(chunk.id)

    logs = await logs_of(action)
    assert [(log.reason.value, log.entity_id) for log in logs] == [
        ("INSERTED", rows[0]["new_id"]),
        ("UPDATED", str(held[1])),
    ]
    done = await BulkAction.get(action.id)
    assert done is not None and (done.succeeded, done.skipped, done.failed) == (2, 0, 0)
    stored = collection.find({"account_id": account}, sort=[("key", 1)])
    assert [(str(doc["_id"]), doc["data"]) async for doc in stored] == [
        (rows[0]["new_id"], {"email": emails[0], "city": "New"}),
        (str(held[1]), {"email": emails[1], "city": "New"}),
    ]

    await restored(account, action, await images_of(action))
    stored = collection.find({"account_id": account}, sort=[("key", 1)])
    assert [doc["data"] async for doc in stored] == [{"email": emails[1], "city": "Old"}]


@pytest.mark.parametrize("die", [die_after_writing, die_after_new_decisions])
@pytest.mark.parametrize("action_type", ["UPDATE", "UPSERT"])
async def test_a_field_another_writer_fills_since_the_read_is_kept_under_keep(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch, action_type: str, die: Any
) -> None:
    """`existingValues: KEEP` fills only empty fields. Another writer (the CRM, writing
    without the platform's stamp) fills one between the chunk's read and its write: that
    value is kept, never overwritten; the row is decided again on what the entity holds
    now: UNCHANGED where nothing is left to fill, UPDATED with the fields still empty
    otherwise. Delivered again, the chunk tells the same, and a restore takes back only
    what it wrote."""
    seeded: list[dict[str, Any]] = [{}, {}, {}, {"city": "Oslo"}]
    ids = await seed_contacts(
        account, [{"email": f"c{n}@example.com", **data} for n, data in enumerate(seeded)]
    )
    wanted = {"city": "Paris", "phone": "555"}
    rows: list[dict[str, Any]] = [
        {"row": 1, "data": {"city": "Paris"}},
        {"row": 2, "data": {"city": "Paris"}},
        {"row": 3, "data": wanted},
        {"row": 4, "data": {"city": "Paris"}},
    ]
    for n, row in enumerate(rows):
        if action_type == "UPDATE":
            row["id"] = str(ids[n])
        else:
            email = f"c{n}@example.com"
            row.update(key=email, new_id=str(ObjectId()), data={"email": email, **row["data"]})
    action, chunk = await processing_action(
        account, "CONTACT", action_type, rows, existing_values="KEEP"
    )
    collection = Contact.get_pymongo_collection()

    async def the_crm() -> None:
        for entity_id in ids[1:3]:
            await collection.update_one({"_id": entity_id}, {"$set": {"data.city": "Rome"}})

    after_the_read(monkeypatch, action_type, the_crm)
    await die(monkeypatch, chunk.id)  # and delivered again
    await processing.process_chunk(chunk.id)

    logs = await logs_of(action)
    assert [(log.status.value, log.reason.value) for log in logs] == [
        ("SUCCESS", "UPDATED"),
        ("SKIPPED", "UNCHANGED"),
        ("SUCCESS", "UPDATED"),
        ("SKIPPED", "UNCHANGED"),
    ]
    stored = collection.find({"account_id": account}, sort=[("_id", 1)])
    cities = [({k: v for k, v in doc["data"].items() if k != "email"}) async for doc in stored]
    assert cities == [
        {"city": "Paris"},
        {"city": "Rome"},
        {"city": "Rome", "phone": "555"},
        {"city": "Oslo"},
    ]

    await restored(account, action, await images_of(action))
    stored = collection.find({"account_id": account}, sort=[("_id", 1)])
    cities = [({k: v for k, v in doc["data"].items() if k != "email"}) async for doc in stored]
    assert cities == [{}, {"city": "Rome"}, {"city": "Rome"}, {"city": "Oslo"}]


async def test_a_row_whose_fields_another_writer_keeps_filling_fails_unwritten_under_keep(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each time the row is decided again, another writer has filled one more of its empty
    fields: after KEEP_ROUNDS writes found the entity changed, the row is FAILED saying so,
    and nothing of it is written (FAILED is the truth: the entity holds the other's values)."""
    (entity_id,) = await seed_contacts(account, [{"email": "k@example.com"}])
    row = {
        "row": 1,
        "id": str(entity_id),
        "data": {"city": "Paris", "phone": "1", "job_title": "X"},
    }
    action, chunk = await processing_action(
        account, "CONTACT", "UPDATE", [row], existing_values="KEEP"
    )
    collection = Contact.get_pymongo_collection()
    theirs = iter([("city", "Rome"), ("phone", "2"), ("job_title", "Boss")])

    async def the_crm() -> None:
        field, value = next(theirs)
        await collection.update_one({"_id": entity_id}, {"$set": {f"data.{field}": value}})

    after_the_read(monkeypatch, "UPDATE", the_crm)
    read_again = Update.read_again

    async def read_then_the_crm(self: Update, *given: Any) -> Any:
        decided = await read_again(self, *given)
        await the_crm()
        return decided

    monkeypatch.setattr(Update, "read_again", read_then_the_crm)
    await processing.process_chunk(chunk.id)

    (log,) = await logs_of(action)
    assert (log.status.value, log.reason.value, log.message) == (
        "FAILED",
        "WRITE_ERROR",
        "Another writer kept changing the entity while the action ran.",
    )
    stored = await collection.find_one({"_id": entity_id})
    assert stored is not None and stored["data"] == {
        "email": "k@example.com",
        "city": "Rome",
        "phone": "2",
        "job_title": "Boss",
    }


async def delivered_again(chunk_id: str) -> None:
    await processing.process_chunk(chunk_id)


async def retries_spent(chunk_id: str) -> None:
    await processing.fail_chunk(chunk_id, "the database kept refusing")


@pytest.mark.parametrize("then", [delivered_again, retries_spent])
async def test_of_two_deletes_racing_for_an_entity_one_logs_it_deleted(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch, then: Any
) -> None:
    """Two DELETE actions both read two entities before either deletes them: the one that
    deletes them first logs them DELETED; the other logs them FAILED/NOT_FOUND ("another
    action deleted…") and its other targets DELETED, so the two actions' counts add up to
    what was deleted, also when it dies after its delete and is delivered again or its
    retries run out. Each restore puts back only what its action deleted, and a restored
    entity can be deleted again."""
    ids = await seed_contacts(account, [{"city": "Rome"} for _ in range(4)])
    rows = [{"row": n, "id": str(entity_id)} for n, entity_id in enumerate(ids, start=1)]
    mine, my_chunk = await processing_action(account, "CONTACT", "DELETE", rows)
    theirs, their_chunk = await processing_action(account, "CONTACT", "DELETE", rows[:2])
    raced: list[bool] = []
    record = completion.record

    async def the_other_delete() -> None:
        if not raced:  # once, before this chunk's first write; that one ends whole
            raced.append(True)
            with monkeypatch.context() as patch:
                patch.setattr(processing, "record", record)
                await processing.process_chunk(their_chunk.id)

    after_the_read(monkeypatch, "DELETE", the_other_delete)
    await die_after_writing(monkeypatch, my_chunk.id)
    await then(my_chunk.id)

    their_logs = await logs_of(theirs)
    assert [(log.reason.value, log.entity_id) for log in their_logs] == [
        ("DELETED", str(ids[0])),
        ("DELETED", str(ids[1])),
    ]
    my_logs = await logs_of(mine)
    assert [(log.reason.value, log.entity_id) for log in my_logs][2:] == [
        ("DELETED", str(ids[2])),
        ("DELETED", str(ids[3])),
    ]
    assert all(log.status.value == "FAILED" for log in my_logs[:2])
    if then is delivered_again:
        assert [log.reason.value for log in my_logs[:2]] == ["NOT_FOUND"] * 2
        assert my_logs[0].message == "Another action deleted this entity while this one ran."
    done = [await BulkAction.get(action.id) for action in (mine, theirs)]
    assert [(action.succeeded, action.failed) for action in done if action] == [(2, 2), (2, 0)]
    collection = Contact.get_pymongo_collection()
    assert await collection.count_documents({"account_id": account}) == 0

    await restored(account, mine, await images_of(mine))
    left = collection.find({"account_id": account}, sort=[("_id", 1)])
    assert [doc["_id"] async for doc in left] == ids[2:]
    await restored(account, theirs, await images_of(theirs))
    assert await collection.count_documents({"account_id": account}) == 4

    again, again_chunk = await processing_action(account, "CONTACT", "DELETE", rows)
    await processing.process_chunk(again_chunk.id)
    assert [log.reason.value for log in await logs_of(again)] == ["DELETED"] * 4
    assert await collection.count_documents({"account_id": account}) == 0


@pytest.mark.parametrize("undone", ["INSERT", "UPDATE"])
async def test_a_restore_never_logs_as_put_back_what_another_writer_changed_since_its_read(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch, undone: str
) -> None:
    """Another writer changes an entity between a restore chunk's read and its write: the
    write's condition (the entity as the action left it) does not hold, so the entity keeps
    that writer's change, and its row is SKIPPED/CHANGED_SINCE, never logged DELETED or
    UPDATED for a write that was not made; the other row is put back. Delivered again
    after its writes, the restore tells the same."""
    if undone == "INSERT":
        rows = upsert_rows(["undo0@x.io", "undo1@x.io"])
        action, chunk = await processing_action(account, "CONTACT", "INSERT", rows)
        ids = [ObjectId(row["new_id"]) for row in rows]
    else:
        ids = await seed_contacts(account, [{"city": "Rome"}, {"city": "Rome"}])
        rows = [{"row": n, "id": str(entity_id)} for n, entity_id in enumerate(ids, start=1)]
        action, chunk = await processing_action(
            account, "CONTACT", "UPDATE", rows, fields={"city": "Paris"}
        )
    await processing.process_chunk(chunk.id)
    collection = Contact.get_pymongo_collection()
    changed: list[bool] = []

    async def another_writer() -> None:
        if not changed:
            changed.append(True)
            theirs = {"data.city": "Theirs", "updated_at": datetime.now(UTC)}
            await collection.update_one({"_id": ids[0]}, {"$set": theirs})

    after_the_read(monkeypatch, "RESTORE", another_writer)
    restore, restore_chunk = await restore_action(account, action, await images_of(action))
    await die_after_writing(monkeypatch, restore_chunk.id)  # and delivered again
    await processing.process_chunk(restore_chunk.id)

    logs = await logs_of(restore)
    put_back = "DELETED" if undone == "INSERT" else "UPDATED"
    assert [(log.status.value, log.reason.value) for log in logs] == [
        ("SKIPPED", "CHANGED_SINCE"),
        ("SUCCESS", put_back),
    ]
    stored = collection.find({"account_id": account}, sort=[("_id", 1)])
    left = {doc["_id"]: doc["data"]["city"] async for doc in stored}
    assert left == (
        {ids[0]: "Theirs"} if undone == "INSERT" else {ids[0]: "Theirs", ids[1]: "Rome"}
    )


@pytest.mark.parametrize("then", [delivered_again, retries_spent])
async def test_a_delete_that_claimed_its_targets_and_died_before_deleting_them(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch, then: Any
) -> None:
    """A DELETE chunk claims its targets, then dies before its delete (the database refused
    it; a kill there is the same to what is stored). Delivered again, it finds its own
    claims and deletes them (DELETED, never "another action deleted…"). Its retries run out
    instead: its rows are FAILED and the entities still there, and it lets go of its claims,
    so a later DELETE deletes them (DELETED), not NOT_FOUND "another action deleted…" for
    entities that exist."""
    ids = await seed_contacts(account, [{"city": "Rome"} for _ in range(3)])
    rows = [{"row": n, "id": str(entity_id)} for n, entity_id in enumerate(ids, start=1)]
    action, chunk = await processing_action(account, "CONTACT", "DELETE", rows)

    async def refused(*_: Any) -> dict[int, Any]:
        raise RuntimeError("the database refused the delete")

    with monkeypatch.context() as patch:
        patch.setattr(stored_entities, "write", refused)
        with pytest.raises(RuntimeError):
            await processing.process_chunk(chunk.id)
    await then(chunk.id)
    collection = Contact.get_pymongo_collection()
    if then is delivered_again:
        assert [log.reason.value for log in await logs_of(action)] == ["DELETED"] * 3
        assert await collection.count_documents({"account_id": account}) == 0
        return
    assert [log.status.value for log in await logs_of(action)] == ["FAILED"] * 3
    assert await collection.count_documents({"account_id": account}) == 3

    again, again_chunk = await processing_action(account, "CONTACT", "DELETE", rows)
    await processing.process_chunk(again_chunk.id)
    assert [log.reason.value for log in await logs_of(again)] == ["DELETED"] * 3
    assert await collection.count_documents({"account_id": account}) == 0
