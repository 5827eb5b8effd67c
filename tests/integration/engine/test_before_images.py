"""Before-images under at-least-once delivery: a chunk that died after its writes and is
delivered again keeps the entities' true state before the action, never the state its own
earlier write left; and a restore made from them puts that state back."""

import pytest

from app.domain.entities.contact import Contact
from app.domain.models import BulkAction, BulkActionStatus, LogReason
from app.domain.models.ids import saved_id
from app.engine import processing
from app.infra.mongo import before_images
from tests.integration.factories import die_at, logs_of, processing_action


async def die_after_writing(monkeypatch: pytest.MonkeyPatch, chunk_id: str) -> None:
    """Processes the chunk through its entity writes, then dies before anything else."""
    await die_at(monkeypatch, chunk_id, before_images, "store")


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
    assert await before_images.images_of_block(saved_id(action), 0) == []

    await processing.process_chunk(str(chunk.id))
    images = {
        image["id"]: image for image in await before_images.images_of_block(saved_id(action), 0)
    }
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
            for n, image in enumerate(
                await before_images.images_of_block(saved_id(action), 0), start=1
            )
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
