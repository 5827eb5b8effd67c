"""A row's before-image, made from its chunk's decisions (ActionSpec.images_of): what each
action type's decide step read before the write, for the row its logs say it changed."""

from datetime import UTC, datetime

from app.domain.actions import ActionSpec, actions
from app.domain.entities import entities
from app.domain.models.action_log import ActionLog, LogReason, LogStatus
from app.domain.rows import BeforeImage, Decisions

CONTACT = entities.get("CONTACT")
STAMP = datetime(2026, 12, 1, tzinfo=UTC)
WAS = datetime(2026, 11, 1, tzinfo=UTC)
A, B = "6b15e1418b4efbdadb6f7f54", "6b15e1418b4efbdadb6f7f55"


def logged(row: int, entity_id: str, reason: LogReason) -> ActionLog:
    return ActionLog(row, LogStatus.SUCCESS, reason, entity_id, None, STAMP)


def image_of(spec: ActionSpec, log: ActionLog, decisions: Decisions) -> BeforeImage | None:
    """The image of one row, as its chunk's images are made."""
    (image,) = spec.images_of(CONTACT, [log], decisions)
    return image


def update_decisions(read: list[str] | None) -> Decisions:
    decisions: Decisions = {
        "current": {A: {"company": "Old", "email": "a@example.com"}, B: {}},
        "versions": {A: WAS, B: None},
        "keys": {A: "a@example.com", B: "b@example.com"},
        "stamp": STAMP,
    }
    if read is not None:
        decisions["read"] = read
    return decisions


def test_an_update_image_holds_every_field_read_and_those_the_entity_lacked() -> None:
    spec = actions.get("UPDATE")
    decisions = update_decisions(["company", "email", "tags"])
    image = image_of(spec, logged(1, A, LogReason.UPDATED), decisions)
    assert image == {
        "row": 1,
        "id": A,
        "stamp": STAMP,
        "fields": {"company": "Old", "email": "a@example.com"},
        "added": ["tags"],
        "was": WAS,
        "key": "a@example.com",  # the unique field was read: the update may change it
    }
    lacking = image_of(spec, logged(2, B, LogReason.UPDATED), decisions)
    assert lacking is not None
    assert (lacking["fields"], lacking["added"]) == ({}, ["company", "email", "tags"])


def test_an_update_image_keeps_no_key_where_the_update_could_not_change_it() -> None:
    decisions = update_decisions(["company"])
    decisions.pop("keys")
    image = image_of(actions.get("UPDATE"), logged(1, A, LogReason.UPDATED), decisions)
    assert image is not None and "key" not in image and image["fields"] == {"company": "Old"}


def test_decisions_stored_before_they_named_what_they_read_make_no_update_image() -> None:
    # That chunk stored its images apart, and those are read back instead.
    decisions = update_decisions(None)
    for name in ("UPDATE", "UPSERT"):
        spec = actions.get(name)
        assert image_of(spec, logged(1, A, LogReason.UPDATED), decisions) is None


def test_an_upsert_image_is_an_update_image_or_absent_for_a_row_it_inserted() -> None:
    spec = actions.get("UPSERT")
    decisions = update_decisions(["company"])
    updated = image_of(spec, logged(1, A, LogReason.UPDATED), decisions)
    assert updated is not None and updated["fields"] == {"company": "Old"}
    inserted = image_of(spec, logged(2, B, LogReason.INSERTED), decisions)
    assert inserted == {"row": 2, "id": B, "stamp": STAMP, "absent": True}


def test_a_delete_image_is_the_whole_document_its_decide_step_read() -> None:
    document = {"_id": A, "account_id": "acc", "data": {"company": "Old"}}
    decisions: Decisions = {"existing": [A], "documents": [document], "stamp": STAMP}
    spec = actions.get("DELETE")
    image = image_of(spec, logged(3, A, LogReason.DELETED), decisions)
    assert image == {"row": 3, "id": A, "stamp": STAMP, "document": document}
    assert image_of(spec, logged(4, B, LogReason.DELETED), decisions) is None
    # A chunk's rows at once, one image each, in their order.
    both = [logged(4, B, LogReason.DELETED), logged(3, A, LogReason.DELETED)]
    assert spec.images_of(CONTACT, both, decisions) == [None, image]


def test_an_insert_image_comes_from_its_log_alone() -> None:
    spec = actions.get("INSERT")
    image = image_of(spec, logged(5, A, LogReason.INSERTED), {})
    assert image == {"row": 5, "id": A, "absent": True}
