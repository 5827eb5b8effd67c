"""Before-images under at-least-once delivery: a chunk that died after its writes and is
delivered again keeps the entities' true state before the action, never the state its own
earlier write left; and a restore made from them puts that state back. They are made from the
chunks' decisions and logs (app.engine.planning), so a chunk whose retries ran out after
its writes is undone too; a chunk of an earlier version has the images it stored read back."""

from datetime import timedelta
from typing import Any

import pytest

from app.domain.entities.contact import Contact
from app.domain.models import BulkAction, BulkActionStatus, Chunk, ChunkDecision, LogReason
from app.domain.models.before_image import BeforeImageBlock
from app.domain.models.ids import saved_id
from app.domain.rows import BeforeImage
from app.engine import planning, processing, splitting
from app.infra.mongo import before_images
from tests.integration.factories import die_at, logs_of, processing_action


async def die_after_writing(monkeypatch: pytest.MonkeyPatch, chunk_id: str) -> None:
    """Processes the chunk through its entity writes, then dies before anything else."""
    await die_at(monkeypatch, chunk_id, processing, "record")


async def images_of(action: BulkAction) -> list[BeforeImage]:
    return [image async for image in planning.images_of(action)]


async def restore_action(
    account: str, action: BulkAction, images: list[BeforeImage]
) -> tuple[BulkAction, Chunk]:
    """A restore of the action whose rows are these images, planned into one chunk."""
    return await processing_action(
        account,
        "CONTACT",
        "RESTORE",
        [
            {"row": n, "source_row": image["row"], "id": image["id"], "image": image}
            for n, image in enumerate(images, start=1)
        ],
        restore_of=action.id,
    )


async def restored(account: str, action: BulkAction, images: list[BeforeImage]) -> BulkAction:
    """Runs a restore of the action whose rows are these images, to its end."""
    restore, restore_chunk = await restore_action(account, action, images)
    await processing.process_chunk(str(restore_chunk.id))
    done = await BulkAction.get(restore.id)
    assert done is not None and done.status is BulkActionStatus.COMPLETED
    return done


async def stored_contacts(account: str, count: int, **data: Any) -> list[Contact]:
    contacts = [
        Contact(
            account_id=account,
            key=f"b{n}@example.com",
            data={"email": f"b{n}@example.com", **data},
        )
        for n in range(count)
    ]
    for contact in contacts:
        await contact.insert()
    return contacts


async def test_a_redelivered_update_keeps_the_true_before_state(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    contacts = [
        Contact(account_id=account, key=f"b{n}@example.com", data={"email": f"b{n}@example.com"})
        for n in range(3)
    ]
    contacts[0].data |= {"company": "Old", "tags": ["a"]}
    for contact in contacts:
        await contact.insert()
    rows = [{"row": n, "id": str(c.id)} for n, c in enumerate(contacts, start=1)]
    action, chunk = await processing_action(
        account,
        "CONTACT",
        "UPDATE",
        rows,
        fields={"company": "New"},
        operations={"add_to_list": {"tags": ["b"]}},
    )
    before = {str(c.id): await Contact.get(c.id) for c in contacts}

    await die_after_writing(monkeypatch, str(chunk.id))
    written = await Contact.get(contacts[0].id)
    assert written is not None and written.data["company"] == "New"
    assert await images_of(action) == []  # nothing logged: nothing changed yet, as it says

    await processing.process_chunk(str(chunk.id))
    images = {image["id"]: image for image in await images_of(action)}
    assert set(images) == set(before)
    first = images[str(contacts[0].id)]
    assert first["fields"] == {"company": "Old", "tags": ["a"]}
    assert "added" not in first or first["added"] == []
    assert first["was"] == before[str(contacts[0].id)].updated_at  # type: ignore[union-attr]
    second = images[str(contacts[1].id)]
    assert (second["fields"], sorted(second["added"])) == ({}, ["company", "tags"])

    # The restore, also dying after its writes once, puts the true before-state back.
    restore, restore_chunk = await processing_action(
        account,
        "CONTACT",
        "RESTORE",
        [
            {"row": n, "source_row": image["row"], "id": image["id"], "image": image}
            for n, image in enumerate(await images_of(action), start=1)
        ],
        restore_of=action.id,
    )
    await die_after_writing(monkeypatch, str(restore_chunk.id))
    await processing.process_chunk(str(restore_chunk.id))
    done = await BulkAction.get(restore.id)
    assert done is not None and done.status is BulkActionStatus.COMPLETED
    assert {log.reason for log in await logs_of(done)} == {LogReason.UPDATED}
    for contact in contacts:
        now = await Contact.get(contact.id)
        assert now is not None
        assert now.model_dump() == before[str(contact.id)].model_dump()  # type: ignore[union-attr]


async def test_a_chunk_whose_retries_ran_out_after_its_writes_is_restored(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    contacts = await stored_contacts(account, 3, company="Old")
    before = {str(c.id): await Contact.get(c.id) for c in contacts}
    rows = [{"row": n, "id": str(c.id)} for n, c in enumerate(contacts, start=1)]
    action, chunk = await processing_action(
        account, "CONTACT", "UPDATE", rows, fields={"company": "New"}
    )
    await die_after_writing(monkeypatch, str(chunk.id))
    # Its retries are spent: each row is logged as the database shows it, SUCCESS here.
    await processing.fail_chunk(str(chunk.id), "retries spent")
    ended = await BulkAction.get(action.id)
    assert ended is not None and ended.succeeded == 3

    images = await images_of(action)
    assert [image["fields"] for image in images] == [{"company": "Old"}] * 3
    done = await restored(account, action, images)
    assert {log.reason for log in await logs_of(done)} == {LogReason.UPDATED}
    for contact in contacts:
        now = await Contact.get(contact.id)
        assert now is not None
        assert now.model_dump() == before[str(contact.id)].model_dump()  # type: ignore[union-attr]


@pytest.mark.parametrize("decisions", ["without what they read", "deleted"])
async def test_a_chunk_of_an_earlier_version_is_restored_from_the_images_it_stored(
    database: None, account: str, decisions: str
) -> None:
    contacts = await stored_contacts(account, 2, company="Old")
    rows = [{"row": n, "id": str(c.id)} for n, c in enumerate(contacts, start=1)]
    action, chunk = await processing_action(
        account, "CONTACT", "UPDATE", rows, fields={"company": "New"}
    )
    await processing.process_chunk(str(chunk.id))
    made = await images_of(action)
    assert len(made) == 2
    # As an earlier version left it: images stored apart (marked here to tell them), and
    # decisions that do not name the fields read, or none (deleted when the action ended).
    kept = [image.copy() for image in made]
    for image in kept:
        image["fields"] = {"company": "Stored"}
    stamp = made[0]["stamp"]
    await BeforeImageBlock.get_pymongo_collection().insert_one(
        {  # its layout: one document a block, the chunk's stamp once
            "_id": f"{action.id}:0:1",
            "action_id": saved_id(action),
            "block": 0,
            "stamp": stamp,
            "expires_at": stamp + timedelta(days=31),
            "images": [{k: v for k, v in image.items() if k != "stamp"} for image in kept],
        }
    )
    stored_decisions = ChunkDecision.get_pymongo_collection()
    if decisions == "deleted":
        await stored_decisions.delete_one({"_id": chunk.id})
    else:
        await stored_decisions.update_one({"_id": chunk.id}, {"$unset": {"decisions.read": ""}})

    assert [image["fields"] for image in await images_of(action)] == [{"company": "Stored"}] * 2
    rows_of_two = await before_images.images_of_rows(saved_id(action), 2, 2)
    assert [image["row"] for image in rows_of_two] == [2]


async def test_a_split_chunk_is_restored_from_each_part_s_decisions(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(splitting, "send_chunk", no_send)  # this test processes the parts
    contacts = await stored_contacts(account, 5, company="Old")
    before = {str(c.id): await Contact.get(c.id) for c in contacts}
    rows = [{"row": n, "id": str(c.id)} for n, c in enumerate(contacts, start=1)]
    action, chunk = await processing_action(
        account, "CONTACT", "UPDATE", rows, fields={"company": "New"}
    )
    await splitting.split(chunk, 2)
    parent = await Chunk.get(chunk.id)
    assert parent is not None and parent.parts == 3
    for number in reversed(range(3)):  # parts finish in any order
        await processing.process_chunk(parent.part_id(number))

    images = await images_of(action)
    assert [image["row"] for image in images] == [1, 2, 3, 4, 5]
    assert [image["fields"] for image in images] == [{"company": "Old"}] * 5
    done = await restored(account, action, images)
    assert [log.reason for log in await logs_of(done)] == [LogReason.UPDATED] * 5
    for contact in contacts:
        now = await Contact.get(contact.id)
        assert now is not None
        assert now.model_dump() == before[str(contact.id)].model_dump()  # type: ignore[union-attr]


async def no_send(chunk_id: str) -> None:
    pass
