"""Custom field kinds: what each accepts, how a CSV cell reads as one, and the clear reason
a bad value fails with, the field named."""

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.entities import entities
from app.domain.entities._base import FieldKind, InvalidRecord
from app.domain.fields import CustomField, extended, kinds

CONTACT = entities.get("CONTACT")
FIELDS = (
    CustomField("plan", "ENUM", ("free", "pro")),
    CustomField("seats", "NUMBER"),
    CustomField("vip", "BOOLEAN"),
    CustomField("renewal", "DATE"),
    CustomField("groups", "LIST"),
    CustomField("note", "TEXT"),
    CustomField("external_id", "TEXT", unique=True, slot=2),
    CustomField("gone", "TEXT", hidden=True, unique=True, slot=1),
)
EXTENDED = extended(CONTACT, FIELDS)


def test_every_kind_registers_one_module() -> None:
    assert kinds.names() == ["BOOLEAN", "DATE", "ENUM", "LIST", "NUMBER", "TEXT"]


def test_the_extended_entity_knows_each_fields_kind_and_slot() -> None:
    assert {name: EXTENDED.kinds[name] for name in ("plan", "seats", "renewal", "groups")} == {
        "plan": FieldKind.TEXT,
        "seats": FieldKind.NUMBER,
        "renewal": FieldKind.DAY,
        "groups": FieldKind.TEXT_LIST,
    }
    assert "gone" not in EXTENDED.field_names  # hidden: not usable
    assert EXTENDED.unique_slots == {"gone": "unique_1", "external_id": "unique_2"}  # kept
    assert "groups" in EXTENDED.list_fields
    custom = ["plan", "seats", "vip", "renewal", "groups", "note", "external_id"]
    assert EXTENDED.export_columns() == [*CONTACT.export_columns(), *custom]
    assert extended(CONTACT, FIELDS) is EXTENDED  # made once per set of fields
    assert extended(CONTACT, ()) is CONTACT


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ({"seats": "42"}, {"seats": 42}),
        ({"seats": " 4.5 "}, {"seats": 4.5}),
        ({"seats": 7}, {"seats": 7}),
        ({"vip": "yes"}, {"vip": True}),
        ({"vip": "0"}, {"vip": False}),
        ({"renewal": "2028-02-29"}, {"renewal": "2028-02-29"}),
        ({"renewal": " 3.12.2026 "}, {"renewal": "2026-12-03"}),  # as a German sheet writes it
        ({"renewal": "29.02.2028"}, {"renewal": "2028-02-29"}),
        ({"renewal": "2026-12-03 00:00:00"}, {"renewal": "2026-12-03"}),  # a day, exported
        ({"renewal": "2026-12-03T00:00:00.000Z"}, {"renewal": "2026-12-03"}),
        ({"renewal": "2026/12/3"}, {"renewal": "2026-12-03"}),
        ({"plan": " pro "}, {"plan": "pro"}),
        ({"groups": ["a", "b"]}, {"groups": ["a", "b"]}),
        ({"external_id": "  X-1 "}, {"external_id": "X-1"}),
    ],
)
def test_good_values_are_stored_normalised(given: dict[str, Any], stored: dict[str, Any]) -> None:
    assert EXTENDED.validate(given, require_key=False) == stored


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ({"seats": "lots"}, "seats: 'lots' is not a number"),
        ({"seats": True}, "seats: True is not a number"),
        ({"seats": "nan"}, "seats: must be a finite number"),
        ({"seats": "1_000"}, "seats: '1_000' is not a number"),
        ({"seats": "3,5"}, "seats: '3,5' is not a number: the decimal mark is '.'"),
        ({"seats": "1,000"}, "seats: '1,000' is not a number: write it without separators"),
        (
            {"seats": "$1,000.00"},
            "seats: '$1,000.00' is not a number: write it as a plain number, without '$'",
        ),
        (
            {"seats": "50 %"},
            "seats: '50 %' is not a number: write it as a plain number, without '%'",
        ),
        ({"seats": 2**70}, "seats: is beyond a 64-bit integer"),
        ({"plan": "gold"}, "plan: Input should be 'free' or 'pro'"),
        ({"renewal": "31/01/2027"}, "renewal: '31/01/2027' is not a date (YYYY-MM-DD): with"),
        ({"renewal": "12/3/2026"}, "the month may come first or the day: say which with dateOrder"),
        ({"renewal": "46359"}, "a day as a spreadsheet numbers it (2026-12-03 in Excel's"),
        ({"renewal": "30.02.2027"}, "renewal: '30.02.2027' is not a date (YYYY-MM-DD)"),
        ({"renewal": "2026-12-03 10:00"}, "renewal: '2026-12-03 10:00' is not a date"),
        ({"renewal": "2027-02-30"}, "renewal: '2027-02-30' is not a date"),
        ({"renewal": "2027-01-31T10:00:00Z"}, "renewal: "),
        ({"vip": "maybe"}, "vip: "),
        ({"external_id": "x" * 255}, "external_id: "),
        ({"note": "x" * 1001}, "note: "),
        ({"groups": [f"x{n}" for n in range(101)]}, "groups: "),
        ({"gone": "x"}, "Unknown field 'gone'"),
    ],
)
def test_bad_values_fail_with_the_field_named(given: dict[str, Any], reason: str) -> None:
    with pytest.raises(InvalidRecord) as raised:
        EXTENDED.validate(given, require_key=False)
    assert str(raised.value).startswith(reason) or reason in str(raised.value)


@given(st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_any_64_bit_integer_reads_back_from_its_text(number: int) -> None:
    assert EXTENDED.validate({"seats": str(number)}, require_key=False) == {"seats": number}


def test_a_csv_row_reads_cells_by_kind_and_empty_cells_as_none() -> None:
    record = EXTENDED.csv_cells_of(["groups", "seats", "note"])(["a; b;", "3", "  "])
    assert record == {"groups": ["a", "b"], "seats": "3", "note": None}
