"""eq, ne, in, notIn: a field equal to a value, or one of several, or neither."""

from app.domain.entities._base import FieldKind
from app.domain.filters._base import FilterOperator, ValueShape, operators

SCALARS = frozenset(
    {
        FieldKind.TEXT,
        FieldKind.NUMBER,
        FieldKind.BOOLEAN,
        FieldKind.DATE,
        FieldKind.DAY,
        FieldKind.ID,
    }
)

operators.register(FilterOperator("eq", SCALARS, ValueShape.VALUE, lambda path, v: {path: v}))
operators.register(
    FilterOperator("ne", SCALARS, ValueShape.VALUE, lambda path, v: {path: {"$ne": v}})
)
operators.register(
    FilterOperator("in", SCALARS, ValueShape.VALUES, lambda path, v: {path: {"$in": v}})
)
operators.register(
    FilterOperator("notIn", SCALARS, ValueShape.VALUES, lambda path, v: {path: {"$nin": v}})
)
