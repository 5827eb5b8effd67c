"""hasAny, hasAll, hasNone: list fields (such as tags) holding some, all or none of values."""

from app.domain.entities._base import FieldKind
from app.domain.filters._base import FilterOperator, ValueShape, operators

LISTS = frozenset({FieldKind.TEXT_LIST})

operators.register(
    FilterOperator("hasAny", LISTS, ValueShape.TEXTS, lambda path, v: {path: {"$in": v}})
)
operators.register(
    FilterOperator("hasAll", LISTS, ValueShape.TEXTS, lambda path, v: {path: {"$all": v}})
)
operators.register(
    FilterOperator("hasNone", LISTS, ValueShape.TEXTS, lambda path, v: {path: {"$nin": v}})
)
