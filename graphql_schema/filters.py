"""The filter inputs: an audience of entities, typed, never raw MongoDB.

They are turned into plain data here and checked against the entity's schema by
app.domain.filters, which says which operator fits which field.
"""

from typing import Any, Optional

import strawberry
from strawberry.scalars import JSON


@strawberry.input(description="One field's condition: exactly one operator set.")
class FieldCondition:
    field: str = strawberry.field(description="A field of the entity type (see `Entity.data`).")
    eq: JSON | None = strawberry.field(default=strawberry.UNSET, description="Equals this value.")
    ne: JSON | None = strawberry.field(
        default=strawberry.UNSET, description="Does not equal this value (or is absent)."
    )
    in_: list[JSON] | None = strawberry.field(
        name="in", default=strawberry.UNSET, description="Equals one of these values."
    )
    not_in: list[JSON] | None = strawberry.field(
        default=strawberry.UNSET, description="Equals none of these values."
    )
    exists: bool | None = strawberry.field(
        default=strawberry.UNSET, description="The field has a value (true) or none (false)."
    )
    lt: JSON | None = strawberry.field(
        default=strawberry.UNSET, description="Number or date fields: below this."
    )
    lte: JSON | None = strawberry.field(
        default=strawberry.UNSET, description="Number or date fields: at most this."
    )
    gt: JSON | None = strawberry.field(
        default=strawberry.UNSET, description="Number or date fields: above this."
    )
    gte: JSON | None = strawberry.field(
        default=strawberry.UNSET, description="Number or date fields: at least this."
    )
    prefix: str | None = strawberry.field(
        default=strawberry.UNSET, description="Text fields starting with this, in any case."
    )
    has_any: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="List fields (tags) holding one of these."
    )
    has_all: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="List fields (tags) holding all of these."
    )
    has_none: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="List fields (tags) holding none of these."
    )


@strawberry.input(
    description="Every condition holds, and one of the `any` filters when given. A filter "
    "with no conditions must say `all: true` to target every entity of the account."
)
class EntityFilter:
    all: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="True: every entity of the account (the only way to ask for all of them).",
    )
    conditions: list[FieldCondition] | None = strawberry.field(
        default=strawberry.UNSET, description="Conditions that must all hold."
    )
    any: Optional[list["EntityFilter"]] = strawberry.field(  # noqa: UP045 (a forward reference)
        default=strawberry.UNSET, description="Filters of which at least one must hold."
    )


OPERATORS = {
    "eq": "eq",
    "ne": "ne",
    "in_": "in",
    "not_in": "notIn",
    "exists": "exists",
    "lt": "lt",
    "lte": "lte",
    "gt": "gt",
    "gte": "gte",
    "prefix": "prefix",
    "has_any": "hasAny",
    "has_all": "hasAll",
    "has_none": "hasNone",
}


def raw_filter(given: EntityFilter) -> dict[str, Any]:
    """The filter as plain data, with only what the client set."""
    raw: dict[str, Any] = {}
    if given.all is not strawberry.UNSET and given.all is not None:
        raw["all"] = given.all
    if given.conditions is not strawberry.UNSET and given.conditions is not None:
        raw["conditions"] = [
            {
                "field": condition.field,
                **{
                    name: getattr(condition, attribute)
                    for attribute, name in OPERATORS.items()
                    if getattr(condition, attribute) is not strawberry.UNSET
                },
            }
            for condition in given.conditions
        ]
    if given.any is not strawberry.UNSET and given.any is not None:
        raw["any"] = [raw_filter(group) for group in given.any]
    return raw
