"""set (the action's `fields`, or a record's values): a field gets a value."""

from typing import Any

from app.domain.entities._base import FieldKind
from app.domain.operations._base import Change, FieldOperation, operations


def change(value: Any, current: Any, present: bool) -> Change | None:
    return None if present and current == value else ("$set", value)


# Checked as whole records by the entity's schema, so `check` is never asked.
operations.register(
    FieldOperation("fields", "set", frozenset(FieldKind), lambda e, f, v: v, change)
)
