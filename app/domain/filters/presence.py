"""exists: a field that has a value (true), or has none (false)."""

from app.domain.entities._base import FieldKind
from app.domain.filters._base import FilterOperator, ValueShape, operators

operators.register(
    FilterOperator(
        "exists",
        frozenset(FieldKind),
        ValueShape.FLAG,
        # A null value counts as none: clearing a field may leave one.
        lambda path, wanted: {path: {"$ne": None}} if wanted else {path: None},
    )
)
