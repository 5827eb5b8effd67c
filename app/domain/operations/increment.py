"""increment: a number field grows (or shrinks) by an amount.

Written as the value computed from what the chunk read, not as `$inc`: a chunk delivered
again writes the same value again instead of adding twice.
"""

from typing import Any

from app.domain.entities import EntitySpec
from app.domain.entities._base import FieldKind, InvalidRecord
from app.domain.operations._base import Change, FieldOperation, operations
from app.domain.values import problem


def check(entity: EntitySpec, field: str, value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidRecord(f"{value!r} is not a number")
    checked: int | float = entity.validate({field: value}, require_key=False)[field]
    return checked


def change(amount: int | float, current: Any, present: bool) -> Change | None:
    if amount == 0:
        return None
    start = current if isinstance(current, int | float) and not isinstance(current, bool) else 0
    if (found := problem(total := start + amount)) is not None:
        raise InvalidRecord(f"{start} + {amount} {found}")  # past what the database stores
    return ("$set", total)


operations.register(
    FieldOperation("increment", "increment", frozenset({FieldKind.NUMBER}), check, change)
)
