"""DATE: a calendar day, given and stored as YYYY-MM-DD text, which sorts as the days do.

Spreadsheets write days as their locale does. Besides YYYY-MM-DD, a day is read where its
writing says which part is which: `03.12.2026` (day, month, year: dots are never month
first) and a day at midnight as databases and Excel export them (`2026-12-03 00:00:00`,
`2026-12-03T00:00:00Z`). A day written with slashes is refused, saying why: `12/3/2026` is
the 3rd of December in the US and the 12th of March in Britain.
"""

import re
from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from app.domain.entities._base import FieldKind
from app.domain.fields._base import CustomField, CustomKind, kinds

DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ]00:00(?::00(?:\.0+)?)?(?:Z|[+-]00:?00)?)?$")
DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
SLASHED = re.compile(r"^\d{1,4}/\d{1,2}/\d{1,4}$")


def to_day(value: Any) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if (found := DAY.match(text)) is not None:
            year, month, day = found.groups()
        elif (found := DOTTED.match(text)) is not None:
            day, month, year = found.groups()
        else:
            raise not_a_day(value)
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            pass
    raise not_a_day(value)


def not_a_day(value: Any) -> PydanticCustomError:
    said = "{value} is not a date (YYYY-MM-DD)"
    if isinstance(value, str) and SLASHED.match(value.strip()):
        said += ": with slashes the month may come first or the day"
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
