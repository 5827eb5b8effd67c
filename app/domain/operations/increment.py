"""increment: a number field grows (or shrinks) by an amount.

Written as `$inc`, which adds to the number as it is when written: another action's change
made since the chunk read it is kept, not overwritten by a total computed from the read.
The entity records the chunk that added (app.domain.actions.update_by_id), so a chunk
delivered again does not add twice. A field holding something other than a number is
given the amount.
"""

from typing import Any

from app.domain.entities import EntitySpec
from app.domain.entities._base import FieldKind, InvalidRecord
from app.domain.operations._base import Change, FieldOperation, operations
from app.domain.values import is_number, problem


def check(entity: EntitySpec, field: str, value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidRecord(f"{value!r} is not a number")
    checked: int | float = entity.validate({field: value}, require_key=False)[field]
    return checked


def change(amount: int | float, current: Any, present: bool) -> Change | None:
    if amount == 0:
        return None
    number = is_number(current)
    start = current if number else 0
    if (found := problem(start + amount)) is not None:
        raise InvalidRecord(f"{start} + {amount} {found}")  # past what the database stores
    return ("$inc", amount) if number or not present else ("$set", amount)


operations.register(
    FieldOperation("increment", "increment", frozenset({FieldKind.NUMBER}), check, change)
)
