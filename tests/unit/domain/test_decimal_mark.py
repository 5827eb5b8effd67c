"""`decimalMark: COMMA`: numbers written as text with a decimal comma, as spreadsheets in
much of Europe write them, are read as the numbers meant; text that is not such a number
fails its row, never read as another number."""

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.actions import ImportRules, actions
from app.domain.entities import entities
from app.domain.entities._base import InvalidRecord
from app.domain.entities.values.numbers import read_decimal_comma
from app.domain.fields import CustomField, extended

COMMA = ImportRules(decimal_comma=True)
COMPANY = extended(entities.get("COMPANY"), (CustomField("margin", "NUMBER"),))
INSERT, UPSERT, UPDATE = (actions.get(name) for name in ("INSERT", "UPSERT", "UPDATE"))


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("3,5", "3.5"),
        ("1.234,56", "1234.56"),
        ("1.000", "1000"),
        ("12.345.678", "12345678"),
        ("1 234,5", "1234.5"),
        ("1\u00a0234,5", "1234.5"),
        ("1\u202f234", "1234"),
        ("1'234,5", "1234.5"),
        (" -0,25 ", "-0.25"),
        ("+7", "+7"),
        ("1234,5", "1234.5"),
    ],
)
def test_numbers_written_with_a_decimal_comma_are_read(text: str, read: str) -> None:
    assert read_decimal_comma(text) == read


@pytest.mark.parametrize(
    "text", ["1.5", "1,234.5", "1.23", "1.2345", "1.234.5", "1 234.5", "3,", ",5", "1.234,5€", "e3"]
)
def test_text_that_is_no_number_written_with_a_decimal_comma_is_not_read(text: str) -> None:
    assert read_decimal_comma(text) is None


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2), st.sampled_from(". '"))
def test_any_number_a_comma_locale_writes_reads_back_as_itself(
    number: Decimal, thousands: str
) -> None:
    written = f"{number:,.2f}".replace(",", "\x00").replace(".", ",").replace("\x00", thousands)
    assert Decimal(read_decimal_comma(written) or "nan") == number


def test_a_row_s_numbers_are_read_with_its_decimal_comma_and_its_text_as_it_is() -> None:
    row = INSERT.record_row(
        COMPANY,
        {
            "domain": "acme.de",
            "name": "Acme 1.234,56",
            "annual_revenue": "1.234.567,89",
            "employee_count": "1.000",
            "margin": "-0,5",
        },
        COMMA,
    )
    assert row["data"] == {
        "domain": "acme.de",
        "name": "Acme 1.234,56",
        "annual_revenue": 1234567.89,
        "employee_count": 1000,
        "margin": -0.5,
    }


@pytest.mark.parametrize(
    ("field", "cell", "said"),
    [
        (
            "annual_revenue",
            "1.5",
            "annual_revenue: '1.5' is not a number written with a decimal comma",
        ),
        ("employee_count", "2,5", "employee_count"),
        ("margin", "3 €", "without '€'"),
    ],
)
def test_text_no_comma_number_fails_its_row_saying_why(field: str, cell: str, said: str) -> None:
    for action in (INSERT, UPSERT):
        with pytest.raises(InvalidRecord, match=said):
            action.record_row(COMPANY, {"domain": "acme.de", field: cell}, COMMA)
    with pytest.raises(InvalidRecord, match=said):
        UPDATE.record_row(COMPANY, {"id": "0" * 24, field: cell}, COMMA)


def test_numbers_given_as_numbers_and_a_point_file_are_as_before() -> None:
    record = {"domain": "acme.de", "annual_revenue": 1234.5, "employee_count": 7}
    assert INSERT.record_row(COMPANY, record, COMMA)["data"]["annual_revenue"] == 1234.5
    point = INSERT.record_row(
        COMPANY, {"domain": "acme.de", "annual_revenue": "1.5"}, ImportRules()
    )
    assert point["data"]["annual_revenue"] == 1.5


def test_a_row_matched_by_a_number_is_matched_by_the_number_its_sheet_wrote() -> None:
    """An UPDATE matched by a unique NUMBER field: `12.345` under COMMA is 12345, in the
    row and in the key planning reads alone from its cell."""
    company = extended(
        entities.get("COMPANY"), (CustomField("ext_no", "NUMBER", unique=True, slot=1),)
    )
    rules = ImportRules(match_by="ext_no", decimal_comma=True)
    row = UPDATE.record_row(company, {"ext_no": "12.345", "annual_revenue": "1,5"}, rules)
    assert row == {"match": 12345, "data": {"annual_revenue": 1.5}}
    assert UPDATE.key_of(company, "12.345", rules) == UPDATE.dedupe_key(row)
    with pytest.raises(InvalidRecord, match=re.escape("ext_no: '12.5' is not a number written")):
        UPDATE.record_row(company, {"ext_no": "12.5", "name": "x"}, rules)
