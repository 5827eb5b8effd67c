"""`dateOrder`: days written with slashes are read in the order the action names (the day
first, or the month), whatever else is written as before; a text with slashes that is no
such day fails its row saying why, never read as another day."""

import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.actions import ImportRules, actions
from app.domain.entities import entities
from app.domain.entities._base import InvalidRecord
from app.domain.entities.values.days import slashed_day
from app.domain.fields import CustomField, extended

CONTACT = extended(entities.get("CONTACT"), (CustomField("renewal", "DATE"),))
DAY_FIRST, MONTH_FIRST = ImportRules(date_order="DAY_FIRST"), ImportRules(date_order="MONTH_FIRST")
INSERT, UPSERT, UPDATE = (actions.get(name) for name in ("INSERT", "UPSERT", "UPDATE"))


@pytest.mark.parametrize(
    ("text", "day_first", "read"),
    [
        ("31/12/2026", True, "2026-12-31"),
        ("12/31/2026", False, "2026-12-31"),
        ("3/4/2026", True, "2026-04-03"),
        ("3/4/2026", False, "2026-03-04"),
        (" 03/04/2026 ", True, "2026-04-03"),
        ("2026/12/31", True, "2026-12-31"),
        ("2026/12/31", False, "2026-12-31"),
        ("2026-12-31", True, None),
        ("31.12.2026", False, None),
    ],
)
def test_days_with_slashes_are_read_in_the_order_given(
    text: str, day_first: bool, read: str | None
) -> None:
    assert slashed_day(text, day_first) == read


@pytest.mark.parametrize(
    ("text", "day_first", "said"),
    [
        ("12/31/2026", True, "'12/31/2026' is not a date with the day first (dateOrder DAY_FIRST)"),
        ("31/12/2026", False, "is not a date with the month first (dateOrder MONTH_FIRST)"),
        ("31/12/26", True, "'31/12/26' is not a date: write its year with four digits"),
        ("29/02/2027", True, "with the day first"),
    ],
)
def test_a_text_with_slashes_that_is_no_such_day_says_why(
    text: str, day_first: bool, said: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(said)):
        slashed_day(text, day_first)


@given(st.dates(min_value=date(1000, 1, 1)))
def test_any_day_written_with_slashes_in_either_order_reads_back_as_itself(day: date) -> None:
    assert slashed_day(f"{day.day}/{day.month}/{day.year}", True) == day.isoformat()
    assert slashed_day(f"{day.month:02}/{day.day:02}/{day.year}", False) == day.isoformat()


def test_a_row_s_days_are_read_in_its_order_and_its_text_as_it_is() -> None:
    record = {"email": "a@b.co", "renewal": "3/4/2026", "company": "3/4/2026 Ltd"}
    assert INSERT.record_row(CONTACT, record, DAY_FIRST)["data"]["renewal"] == "2026-04-03"
    row = UPSERT.record_row(CONTACT, record, MONTH_FIRST)
    assert (row["data"]["renewal"], row["data"]["company"]) == ("2026-03-04", "3/4/2026 Ltd")
    updated = UPDATE.record_row(CONTACT, {"id": "0" * 24, "renewal": "2026-05-06"}, DAY_FIRST)
    assert updated["data"]["renewal"] == "2026-05-06"  # written as before, read as before


def test_without_an_order_a_day_with_slashes_fails_its_row_saying_how_to_name_it() -> None:
    with pytest.raises(InvalidRecord, match="say which with dateOrder"):
        INSERT.record_row(CONTACT, {"email": "a@b.co", "renewal": "3/4/2026"}, ImportRules())
    with pytest.raises(InvalidRecord, match="renewal: '13/13/2026' is not a date with the day"):
        INSERT.record_row(CONTACT, {"email": "a@b.co", "renewal": "13/13/2026"}, DAY_FIRST)
