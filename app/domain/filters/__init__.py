"""Audiences: which entities of an account an action targets, as a typed filter.

A filter is checked against the entity's schema when an action is created (`check_filter`),
stored in that checked form, and turned into a MongoDB query when planning reads the
targets (`to_query`). Its operators are a registry: each module of this package registers
the operators of one family, for the field kinds they fit.
"""

from app.domain.entities._base import FieldKind
from app.domain.filters._base import (
    FilterOperator,
    ValueShape,
    check_filter,
    field_kinds,
    operators,
    to_query,
)
from app.domain.filters._bounds import FilterBounds, check_filter_size

__all__ = [
    "FieldKind",
    "FilterBounds",
    "FilterOperator",
    "ValueShape",
    "check_filter",
    "check_filter_size",
    "field_kinds",
    "operators",
    "to_query",
]
