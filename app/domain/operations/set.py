"""set (the action's `fields`, or a record's values): a field gets a value, or loses it for
an empty value under `emptyValues: CLEAR`."""

from typing import Any

from app.domain.entities._base import FieldKind
from app.domain.operations._base import Change, FieldOperation, operations


def change(value: Any, current: Any, present: bool) -> Change | None:
    if value is None:  # an empty value under emptyValues: CLEAR
        return ("$unset", "") if present and current is not None else None
    return None if present and current == value else ("$set", value)


# Checked as whole records by the entity's schema, so `check` is never asked.
operations.register(
    FieldOperation("fields", "set", frozenset(FieldKind), lambda e, f, v: v, change)
)
