"""DATE: a calendar day, given and stored as YYYY-MM-DD text, which sorts as the days do."""

import re
from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from app.domain.entities._base import FieldKind
from app.domain.fields._base import CustomField, CustomKind, kinds

DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def to_day(value: Any) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and DAY.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise PydanticCustomError(
        "date", "{value} is not a date (YYYY-MM-DD)", {"value": repr(value)[:80]}
    )


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
