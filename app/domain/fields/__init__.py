"""Custom fields: an account's own fields on an entity type, next to the built-in ones.

A definition names a field and its kind; the kinds are a registry (one module each: text,
number, boolean, date, enumeration, lists), each saying how a value of that kind is checked
and how filters and operations see it. `extended` gives the entity type with an account's
fields added, so that every path that works with a built-in field (records, CSV columns,
filters, operations, exports) works with them unchanged.
"""

from app.domain.fields._base import (
    MAX_FIELDS,
    MAX_UNIQUE_FIELDS,
    CustomField,
    CustomKind,
    check_definition,
    extended,
    kinds,
)

__all__ = [
    "MAX_FIELDS",
    "MAX_UNIQUE_FIELDS",
    "CustomField",
    "CustomKind",
    "check_definition",
    "extended",
    "kinds",
]
