"""lt, lte, gt, gte: numbers, date-times and calendar dates below or above a bound."""

from collections.abc import Callable
from typing import Any

from app.domain.entities._base import FieldKind
from app.domain.filters._base import FilterOperator, ValueShape, operators

ORDERED = frozenset({FieldKind.NUMBER, FieldKind.DATE, FieldKind.DAY})


def bound(op: str) -> Callable[[str, Any], dict[str, Any]]:
    return lambda path, value: {path: {op: value}}


for name in ("lt", "lte", "gt", "gte"):
    operators.register(FilterOperator(name, ORDERED, ValueShape.VALUE, bound(f"${name}")))
