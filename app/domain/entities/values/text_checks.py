"""Checks of a field's text that pydantic's own validation cannot make, named on the field.

Some cells read as valid values but are not what the sheet meant: a spreadsheet's
locale or its number formats mangled them (app.domain.entities.values.numbers, .phones). A field
names its check in its type's metadata (`Annotated[int, TextCheck(...)]`), which pydantic
leaves alone; validation runs the checks of the fields a record gives as text, before
pydantic, at the cost of a dict lookup a field (a validator of pydantic's, called from Rust
for every value, cost three times a field's own validation).
"""

from collections.abc import Callable
from typing import Annotated, Any, NamedTuple, get_args, get_origin

from pydantic import BaseModel

SHOWN_CHARACTERS = 40


def shown(text: str) -> str:
    """A cell's text as an error names it: quoted, and cut short where it is long."""
    return repr(text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS] + "…")


class TextCheck(NamedTuple):
    """Why a field's text would be misread, if it would (None: it reads as it should)."""

    check: Callable[[str], str | None]


def text_checks(model: type[BaseModel]) -> tuple[tuple[str, Callable[[str], str | None]], ...]:
    """The checks the model's fields name, by field."""
    return tuple(
        (name, found.check)
        for name, info in model.model_fields.items()
        for found in metadata_of(info.annotation)
        if isinstance(found, TextCheck)
    )


def metadata_of(annotation: Any) -> list[Any]:
    """The Annotated metadata of a type, or of its members where it is a union."""
    if get_origin(annotation) is Annotated:
        return list(annotation.__metadata__)
    return [found for member in get_args(annotation) for found in metadata_of(member)]
