"""BOOLEAN: true or false (a CSV cell as app.domain.entities.values.booleans reads it)."""

from typing import Any

from app.domain.entities._base import FieldKind
from app.domain.entities.values.booleans import Boolean
from app.domain.fields._base import CustomField, CustomKind, kinds


def annotation(field: CustomField) -> Any:
    return Boolean


kinds.register(
    CustomKind(
        name="BOOLEAN",
        description="True or false.",
        field_kind=FieldKind.BOOLEAN,
        annotation=annotation,
    )
)
