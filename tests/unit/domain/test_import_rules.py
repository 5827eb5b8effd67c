"""Import rules on rows from records or a CSV: what matchBy, emptyValues and existingValues
make of a row, and of its change to an entity."""

from typing import Any

import pytest

from app.domain.actions import ImportRules, actions
from app.domain.actions._base import entity_update
from app.domain.entities import entities
from app.domain.entities._base import InvalidRecord
from app.domain.errors import BadUserInput
from app.domain.fields import CustomField, extended
from app.domain.operations import changes_for

CONTACT = extended(
    entities.get("CONTACT"),
    (CustomField("external_id", "TEXT", unique=True, slot=1), CustomField("nick", "TEXT")),
)
UPSERT, UPDATE, DELETE, INSERT = (actions.get(n) for n in ("UPSERT", "UPDATE", "DELETE", "INSERT"))
BY_EXTERNAL = ImportRules(match_by="external_id")


def test_an_upsert_row_matched_by_a_custom_field_may_lack_the_key() -> None:
    row = UPSERT.record_row(CONTACT, {"external_id": " X1 ", "nick": "A"}, BY_EXTERNAL)
    assert row == {"data": {"external_id": "X1", "nick": "A"}, "match": "X1"}
    assert UPSERT.dedupe_key(row) == "X1"
    with pytest.raises(InvalidRecord, match="external_id: required"):
        UPSERT.record_row(CONTACT, {"email": "a@b.co"}, BY_EXTERNAL)


def test_update_rows_matched_by_email_are_normalised_and_exclude_the_match_field() -> None:
    rules = ImportRules(match_by="email")
    row = UPDATE.record_row(CONTACT, {"email": " A@B.co ", "nick": "x"}, rules)
    assert row == {"match": "a@b.co", "data": {"nick": "x"}}
    assert UPDATE.columns(CONTACT, rules)[1] == {"email"}
    assert DELETE.record_row(CONTACT, {"external_id": "X"}, BY_EXTERNAL) == {"match": "X"}


@pytest.mark.parametrize(
    ("action", "rules", "said"),
    [
        ("UPSERT", ImportRules(match_by="id"), "use UPDATE"),
        ("UPSERT", ImportRules(match_by="nick"), "not a unique field"),
        ("UPDATE", ImportRules(match_by="first_name"), "not a unique field"),
        ("INSERT", ImportRules(clear_empty=True), "does not take `emptyValues`"),
        ("DELETE", ImportRules(keep_existing=True), "takes no emptyValues"),
        ("DELETE", ImportRules(decimal_comma=True), "decimalMark or dateOrder"),
        ("INSERT", ImportRules(decimal_comma=True, match_by="email"), "does not take `matchBy`"),
        (
            "EXPORT",
            ImportRules(decimal_comma=True),
            "takes no emptyValues, existingValues, decimalMark",
        ),
        ("EXPORT", ImportRules(clear_empty=True), "EXPORT writes no fields"),
        ("DELETE", ImportRules(date_order="DAY_FIRST"), "decimalMark or dateOrder"),
    ],
)
def test_rules_an_action_cannot_take_are_refused(
    action: str, rules: ImportRules, said: str
) -> None:
    with pytest.raises(BadUserInput, match=said):
        actions.get(action).check_rules(CONTACT, rules, True)
    if action == "UPDATE":
        with pytest.raises(BadUserInput, match="goes with `records` or a CSV"):
            UPDATE.check_rules(CONTACT, ImportRules(match_by="email"), False)


@pytest.mark.parametrize("action", ["INSERT", "UPSERT", "UPDATE"])
def test_rows_that_write_fields_take_a_decimal_mark_and_a_date_order(action: str) -> None:
    rules = ImportRules(decimal_comma=True, date_order="MONTH_FIRST")
    actions.get(action).check_rules(CONTACT, rules, True)


@pytest.mark.parametrize(
    ("clear", "given", "kept"),
    [
        (False, {"nick": None, "city": "Oslo"}, {"city": "Oslo"}),
        (True, {"nick": None}, {"nick": None}),
    ],
)
def test_empty_values_are_left_out_or_kept_to_clear(
    clear: bool, given: dict[str, Any], kept: dict[str, Any]
) -> None:
    record = {"id": "0" * 24, **given}
    row = UPDATE.record_row(CONTACT, record, ImportRules(clear_empty=clear))
    assert row["data"] == kept


def test_the_unique_key_is_never_cleared() -> None:
    with pytest.raises(InvalidRecord, match="cannot be cleared"):
        UPDATE.record_row(CONTACT, {"id": "0" * 24, "email": None}, ImportRules(clear_empty=True))


@pytest.mark.parametrize(
    ("now", "given", "keep", "change"),
    [
        ({}, {"nick": "n"}, True, {"$set": {"nick": "n"}}),
        ({"nick": ""}, {"nick": "n"}, True, {"$set": {"nick": "n"}}),
        ({"nick": "o"}, {"nick": "n"}, True, {}),
        ({"nick": "o"}, {"nick": "n"}, False, {"$set": {"nick": "n"}}),
        ({"nick": "o"}, {"nick": None}, False, {"$unset": {"nick": ""}}),
        ({"nick": "o"}, {"nick": None}, True, {}),
        ({}, {"nick": None}, False, {}),
    ],
)
def test_existing_values_kept_or_overwritten(
    now: dict[str, Any], given: dict[str, Any], keep: bool, change: dict[str, Any]
) -> None:
    assert changes_for({}, given, now, keep_existing=keep) == change


def test_a_unique_custom_field_keeps_its_slot_in_step() -> None:
    stamp: Any = "t"
    set_it = entity_update(CONTACT, {"$set": {"external_id": "X"}}, stamp)
    assert set_it == {"$set": {"data.external_id": "X", "unique_1": "X", "updated_at": "t"}}
    cleared = entity_update(CONTACT, {"$unset": {"external_id": ""}}, stamp)
    assert cleared["$unset"] == {"data.external_id": "", "unique_1": ""}
