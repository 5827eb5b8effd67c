"""ENUM: one of the definition's options, exactly as written there (around spaces aside)."""

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator

from app.domain.entities._base import FieldKind
from app.domain.fields._base import CustomField, CustomKind, kinds


def trimmed(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def annotation(field: CustomField) -> Any:
    return Annotated[Literal.__getitem__(field.options), BeforeValidator(trimmed)]


kinds.register(
    CustomKind(
        name="ENUM",
        description="One of the field's `options`.",
        field_kind=FieldKind.TEXT,
        annotation=annotation,
        takes_options=True,
    )
)
