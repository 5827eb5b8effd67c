"""ENUM: one of the definition's options, stored as written there; text names one in any
case, spaces around aside (app.domain.entities.as_option)."""

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator

from app.domain.entities._base import FieldKind, as_option
from app.domain.fields._base import CustomField, CustomKind, kinds


def annotation(field: CustomField) -> Any:
    return Annotated[Literal.__getitem__(field.options), BeforeValidator(as_option(field.options))]


kinds.register(
    CustomKind(
        name="ENUM",
        description="One of the field's `options`.",
        field_kind=FieldKind.TEXT,
        annotation=annotation,
        takes_options=True,
    )
)
