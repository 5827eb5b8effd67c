"""NUMBER: an integer or a decimal number; a CSV cell's text is read as one."""

import re
from typing import Annotated, Any

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from app.domain.entities._base import FieldKind
from app.domain.entities.values.numbers import not_a_number as worded
from app.domain.fields._base import CustomField, CustomKind, kinds
from app.domain.values import problem

INTEGER = re.compile(r"^[+-]?\d+$")


def not_a_number(value: Any) -> PydanticCustomError:
    """Why a value is not a number: a cell's text shown, and how to write it where it is one
    written with a decimal comma or separators between thousands."""
    said = (
        worded(value, whole=False)
        if isinstance(value, str)
        else f"{repr(value)[:80]} is not a number"
    )
    return PydanticCustomError("number", "{said}", {"said": said})


def to_number(value: Any) -> int | float:
    """A number as given, or its text read as one: never a boolean, NaN or infinity."""
    if isinstance(value, str):
        text = value.strip()
        if INTEGER.match(text):
            value = int(text)
        else:
            try:
                if "_" in text:  # Python reads "1_0" as 10; a person would not
                    raise ValueError(text)
                value = float(text)
            except ValueError:
                raise not_a_number(value) from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise not_a_number(value)
    if (found := problem(value)) is not None:  # beyond 64 bits, or not finite
        raise PydanticCustomError("number", found)
    return value


def annotation(field: CustomField) -> Any:
    return Annotated[int | float, BeforeValidator(to_number)]


kinds.register(
    CustomKind(
        name="NUMBER",
        description="An integer or a decimal number.",
        field_kind=FieldKind.NUMBER,
        annotation=annotation,
        can_be_unique=True,
    )
)
