"""BOOLEAN: true or false (a CSV cell may say true/false, yes/no, 1/0, on/off)."""

from typing import Any

from app.domain.entities._base import FieldKind
from app.domain.fields._base import CustomField, CustomKind, kinds


def annotation(field: CustomField) -> Any:
    return bool


kinds.register(
    CustomKind(
        name="BOOLEAN",
        description="True or false.",
        field_kind=FieldKind.BOOLEAN,
        annotation=annotation,
    )
)
