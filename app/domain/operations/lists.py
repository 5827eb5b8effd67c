"""addToList, removeFromList: list fields (such as tags) gain or lose values."""

from typing import Any

from app.domain.entities import EntitySpec
from app.domain.entities._base import LIST_MAX_ITEMS, FieldKind, InvalidRecord
from app.domain.operations._base import Change, FieldOperation, operations

LISTS = frozenset({FieldKind.TEXT_LIST})


def check(entity: EntitySpec, field: str, value: Any) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise InvalidRecord("must be a non-empty list of values")
    checked: list[Any] = entity.validate({field: value}, require_key=False)[field]
    return list(dict.fromkeys(checked))


def held(current: Any) -> list[Any]:
    return current if isinstance(current, list) else []


def add(values: list[Any], current: Any, present: bool) -> Change | None:
    there = held(current)
    missing = [value for value in values if value not in there]
    if (size := len(there) + len(missing)) > LIST_MAX_ITEMS:
        raise InvalidRecord(f"would hold {size} items, at most {LIST_MAX_ITEMS} allowed")
    return ("$addToSet", {"$each": missing}) if missing else None


def remove(values: list[Any], current: Any, present: bool) -> Change | None:
    there = [value for value in values if value in held(current)]
    return ("$pullAll", there) if there else None


operations.register(FieldOperation("addToList", "add_to_list", LISTS, check, add))
operations.register(FieldOperation("removeFromList", "remove_from_list", LISTS, check, remove))
