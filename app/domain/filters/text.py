"""prefix: text fields that start with a string, in any case."""

import re

from app.domain.entities._base import FieldKind
from app.domain.filters._base import FilterOperator, ValueShape, operators

operators.register(
    FilterOperator(
        "prefix",
        frozenset({FieldKind.TEXT}),
        ValueShape.TEXT,
        lambda path, start: {path: {"$regex": f"^{re.escape(start)}", "$options": "i"}},
    )
)
