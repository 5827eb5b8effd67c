"""Filters over an entity's fields: their kinds, the operator registry, checking and the query.

A checked filter is plain data, safe to store: `{"all": true}`, or `{"conditions": [{"field",
"op", "value"}, …], "any": [<filter>, …]}`: every condition holds and, when `any` is given, at
least one of its filters. Field names and operators are checked against the entity's schema
and values against the field's type, so no raw MongoDB ever comes from a client; the
account scope is added by whoever runs the query.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from bson import ObjectId

from app.domain.entities import EntitySpec
from app.domain.entities._base import FieldKind, InvalidRecord
from app.domain.errors import BadUserInput
from app.domain.registry import Registry
from app.domain.values import problem

MAX_CONDITIONS = 100
MAX_NESTING = 4


class ValueShape(Enum):
    VALUE = "a value of the field"
    VALUES = "a list of values of the field"
    FLAG = "true or false"
    TEXT = "a string"
    TEXTS = "a list of strings"


@dataclass(frozen=True)
class FilterOperator:
    name: str  # as FieldCondition names it: "eq", "hasAny"…
    kinds: frozenset[FieldKind]
    shape: ValueShape
    # The MongoDB condition on one document path, given the checked value.
    condition: Callable[[str, Any], dict[str, Any]]


operators: Registry[FilterOperator] = Registry("app.domain.filters", "filter operator")

# Fields every entity has besides its schema's: where they are stored, and their kind.
META_FIELDS = {
    "id": ("_id", FieldKind.ID),
    "created_at": ("created_at", FieldKind.DATE),
    "updated_at": ("updated_at", FieldKind.DATE),
}


def field_kinds(entity: EntitySpec) -> dict[str, FieldKind]:
    """Every field a filter may name, with its kind."""
    found = {name: kind for name, (_, kind) in META_FIELDS.items()}
    return {**found, **entity.field_kinds()}


def path_of(entity: EntitySpec, field: str) -> str:
    if field in META_FIELDS:
        return META_FIELDS[field][0]
    return f"data.{field}"


def field_value(entity: EntitySpec, field: str, kind: FieldKind, value: Any) -> Any:
    """A value as the field stores it, or InvalidRecord saying why it cannot be one."""
    if value is None:
        raise InvalidRecord("null is not a value here; `exists: false` finds missing fields")
    if (found := problem(value)) is not None:
        raise InvalidRecord(found)
    if kind is FieldKind.ID:
        if not isinstance(value, str) or not ObjectId.is_valid(value):
            raise InvalidRecord(f"{value!r} is not an entity id")
        return ObjectId(value)
    if kind is FieldKind.DATE:
        try:
            parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if parsed is None:
            raise InvalidRecord(f"{value!r} is not an ISO 8601 date-time")
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if kind is FieldKind.NUMBER and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise InvalidRecord(f"{value!r} is not a number")
    if kind is FieldKind.BOOLEAN and not isinstance(value, bool):
        raise InvalidRecord(f"{value!r} is not true or false")
    if kind is FieldKind.TEXT and not isinstance(value, str):
        raise InvalidRecord(f"{value!r} is not a string")
    # The schema's own checks (choices, lengths, the unique key's form and case).
    return entity.validate({field: value}, require_key=False)[field]


def checked_value(
    entity: EntitySpec, field: str, kind: FieldKind, operator: FilterOperator, value: Any
) -> Any:
    shape = operator.shape
    if shape is ValueShape.FLAG:
        if not isinstance(value, bool):
            raise InvalidRecord("must be true or false")
        return value
    if shape in (ValueShape.TEXT, ValueShape.TEXTS):
        texts = value if shape is ValueShape.TEXTS else [value]
        if not isinstance(texts, list) or not texts:
            raise InvalidRecord(f"must be {shape.value}, not empty")
        for text in texts:
            if not isinstance(text, str) or not text or problem(text) is not None:
                raise InvalidRecord(f"{text!r} is not a non-empty string")
        return value
    if shape is ValueShape.VALUES:
        if not isinstance(value, list) or not value:
            raise InvalidRecord("must be a non-empty list of values")
        return [field_value(entity, field, kind, item) for item in value]
    return field_value(entity, field, kind, value)


def check_condition(entity: EntitySpec, raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise BadUserInput(f"{where}: a condition must be an object.")
    kinds = field_kinds(entity)
    field = raw.get("field")
    if field not in kinds:
        known = ", ".join(sorted(kinds))
        raise BadUserInput(
            f"{where}.field: unknown field {field!r} for {entity.name}; known fields: {known}."
        )
    given = [name for name in raw if name != "field"]
    if len(given) != 1:
        raise BadUserInput(f"{where}: give exactly one operator, not {len(given)}.")
    name = given[0]
    try:
        operator = operators.get(name)
    except KeyError:
        known = ", ".join(operators.names())
        raise BadUserInput(f"{where}.{name}: unknown operator; known: {known}.") from None
    kind = kinds[field]
    if kind not in operator.kinds:
        fits = ", ".join(sorted(kind.value for kind in operator.kinds))
        raise BadUserInput(
            f"{where}.{name}: `{name}` does not apply to {field!r}, a {kind.value} field; "
            f"it applies to {fits} fields."
        )
    try:
        value = checked_value(entity, field, kind, operator, raw[name])
    except InvalidRecord as exc:
        raise BadUserInput(f"{where}.{name}: {exc}.") from None
    return {"field": field, "op": name, "value": value}


def check_filter(
    entity: EntitySpec, raw: Any, where: str = "filter", depth: int = 0
) -> dict[str, Any]:
    """The filter in its checked, storable form; BadUserInput naming the offending path."""
    if not isinstance(raw, Mapping):
        raise BadUserInput(f"{where}: a filter must be an object.")
    if depth > MAX_NESTING:
        raise BadUserInput(f"{where}: filters nest at most {MAX_NESTING} deep.")
    if unknown := set(raw) - {"all", "conditions", "any"}:
        raise BadUserInput(f"{where}: unknown keys {sorted(unknown)}.")
    conditions = raw.get("conditions") or []
    groups = raw.get("any") or []
    if not isinstance(conditions, list) or not isinstance(groups, list):
        raise BadUserInput(f"{where}: `conditions` and `any` must be lists.")
    if raw.get("all"):
        if conditions or groups:
            raise BadUserInput(f"{where}: `all: true` takes no conditions.")
        return {"all": True}
    if not conditions and not groups:
        raise BadUserInput(
            f"{where}: the filter has no conditions; to target every entity of the account, "
            "say so with `all: true`."
        )
    if len(conditions) > MAX_CONDITIONS:
        raise BadUserInput(f"{where}.conditions: at most {MAX_CONDITIONS} conditions.")
    checked: dict[str, Any] = {
        "conditions": [
            check_condition(entity, condition, f"{where}.conditions[{n}]")
            for n, condition in enumerate(conditions)
        ]
    }
    if groups:
        checked["any"] = [
            check_filter(entity, group, f"{where}.any[{n}]", depth + 1)
            for n, group in enumerate(groups)
        ]
    return checked


def to_query(entity: EntitySpec, checked: Mapping[str, Any]) -> dict[str, Any]:
    """The MongoDB query of a checked filter (without the account scope)."""
    if checked.get("all"):
        return {}
    parts = [
        operators.get(c["op"]).condition(path_of(entity, c["field"]), c["value"])
        for c in checked.get("conditions", [])
    ]
    if groups := checked.get("any"):
        parts.append({"$or": [to_query(entity, group) for group in groups]})
    if len(parts) == 1:
        return parts[0]
    return {"$and": parts}
