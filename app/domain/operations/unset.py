"""unset: a field loses its value (never the unique key)."""

from typing import Any

from app.domain.entities import EntitySpec
from app.domain.entities._base import FieldKind
from app.domain.operations._base import Change, FieldOperation, operations


def check(entity: EntitySpec, field: str, value: Any) -> bool:
    return True


def change(value: Any, current: Any, present: bool) -> Change | None:
    return ("$unset", "") if present else None


operations.register(FieldOperation("unset", "unset", frozenset(FieldKind), check, change))
