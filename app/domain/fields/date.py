"""DATE: a calendar day, given and stored as YYYY-MM-DD text, which sorts as the days do.

Spreadsheets write days as their locale does. Besides YYYY-MM-DD, a day is read where its
writing says which part is which: `03.12.2026` (day, month, year: dots are never month
first) and a day at midnight as databases and Excel export them (`2026-12-03 00:00:00`,
`2026-12-03T00:00:00Z`), and `2026/12/03` (slashes, the year first). A day written with
slashes otherwise is read as the action's `dateOrder` says (app.domain.entities.values.days),
and refused without it, saying why: `12/3/2026` is the 3rd of December in the US and the
12th of March in Britain; so is a day as Excel numbers
them (`46359`, a cell formatted as a number), saying which day that is in Excel's usual
count (days since 1899-12-30; workbooks made on old Macs count from 1904).
"""

import re
from datetime import date, timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from app.domain.entities._base import FieldKind
from app.domain.entities.values.days import SLASHED, year_first
from app.domain.fields._base import CustomField, CustomKind, kinds

DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ]00:00(?::00(?:\.0+)?)?(?:Z|[+-]00:?00)?)?$")
DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
# Days as Excel numbers them: 1900-03-01 is 61 (Excel counts a 29 February 1900), 9999-12-31
# is 2958465; five digits are the years 1927 to 2173.
EXCEL_DAY = re.compile(r"^\d{5}$")
EXCEL_EPOCH = date(1899, 12, 30)


def to_day(value: Any) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if (found := DAY.match(text)) is not None:
            year, month, day = found.groups()
        elif (found := DOTTED.match(text)) is not None:
            day, month, year = found.groups()
        elif (slashed := year_first(text)) is not None:
            return slashed
        else:
            raise not_a_day(value)
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            pass
    raise not_a_day(value)


def not_a_day(value: Any) -> PydanticCustomError:
    said = "{value} is not a date (YYYY-MM-DD)"
    text = value.strip() if isinstance(value, str) else ""
    if SLASHED.match(text):
        said += (
            ": with slashes the month may come first or the day: say which with dateOrder "
            "(DAY_FIRST or MONTH_FIRST)"
        )
    elif EXCEL_DAY.match(text):
        day = EXCEL_EPOCH + timedelta(days=int(text))
        said += (
            f": a day as a spreadsheet numbers it ({day.isoformat()} in Excel's usual count); "
            "format the column as a date and save the file again"
        )
    return PydanticCustomError("date", said, {"value": repr(value)[:80]})


def annotation(field: CustomField) -> Any:
    return Annotated[date, BeforeValidator(to_day)]


kinds.register(
    CustomKind(
        name="DATE",
        description="A calendar day, YYYY-MM-DD.",
        field_kind=FieldKind.DAY,
        annotation=annotation,
    )
)
