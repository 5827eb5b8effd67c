"""LIST: a list of strings, like tags (a CSV cell separates them with ';')."""

from typing import Annotated, Any

from pydantic import Field

from app.domain.entities._base import LIST_MAX_ITEMS, FieldKind, ListItems
from app.domain.fields._base import CustomField, CustomKind, kinds


def annotation(field: CustomField) -> Any:
    return Annotated[ListItems, Field(max_length=LIST_MAX_ITEMS)]


kinds.register(
    CustomKind(
        name="LIST",
        description="A list of strings, like tags.",
        field_kind=FieldKind.TEXT_LIST,
        annotation=annotation,
    )
)
