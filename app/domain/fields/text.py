"""TEXT: a string, trimmed; a unique one is bounded like a unique key, so its index holds it."""

from typing import Annotated, Any

from pydantic import StringConstraints

from app.domain.entities._base import MAX_KEY_LENGTH, FieldKind
from app.domain.fields._base import CustomField, CustomKind, kinds

MAX_TEXT = 1000


def annotation(field: CustomField) -> Any:
    return Annotated[
        str, StringConstraints(max_length=MAX_KEY_LENGTH if field.unique else MAX_TEXT)
    ]


kinds.register(
    CustomKind(
        name="TEXT",
        description=f"A string of up to {MAX_TEXT} characters ({MAX_KEY_LENGTH} if unique).",
        field_kind=FieldKind.TEXT,
        annotation=annotation,
        can_be_unique=True,
    )
)
