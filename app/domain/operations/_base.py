"""Field operations: checking them at create, and the write each one makes on an entity.

An action's operations are stored checked, as `{operation key: {field: value}}` (`unset`
holds `{field: true}`), with field names the entity's own. At the chunk's decide step the
targets' current values are read once; from them each operation gives its change, or none
when the entity already looks as asked (the row is then SKIPPED/UNCHANGED). Changes are
absolute where repeating them would not be idempotent (an increment writes the value it
computed from what was read), so a redelivered chunk never applies one twice.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from app.domain.entities import EntitySpec
from app.domain.entities._base import FieldKind, InvalidRecord
from app.domain.errors import BadUserInput
from app.domain.registry import Registry

# A change to one field: the MongoDB update operator and its argument.
Change = tuple[str, Any]


@dataclass(frozen=True)
class FieldOperation:
    name: str  # as CreateBulkActionInput names it: "unset", "addToList"…
    key: str  # as it is stored: "unset", "add_to_list"…
    kinds: frozenset[FieldKind]
    # The checked value for one field, or InvalidRecord saying why not.
    check: Callable[[EntitySpec, str, Any], Any]
    # The change on a field, from its current value (`present` when the entity has one);
    # None when the field already looks as asked.
    change: Callable[[Any, Any, bool], Change | None]


operations: Registry[FieldOperation] = Registry("app.domain.operations", "field operation")


def check_operations(
    entity: EntitySpec, given: Mapping[str, Any], set_fields: Mapping[str, Any] | None
) -> dict[str, dict[str, Any]]:
    """The operations in their checked, storable form, keyed by operation key."""
    kinds = entity.field_kinds()
    checked: dict[str, dict[str, Any]] = {}
    touched = dict.fromkeys(set_fields or {}, "fields")
    for operation in operations:
        raw = given.get(operation.name)
        if raw is None:
            continue
        if operation.key == "unset":
            if not isinstance(raw, list) or not raw:
                raise BadUserInput("`unset` must be a non-empty list of field names.")
            raw = dict.fromkeys(raw, True)
        if not isinstance(raw, Mapping) or not raw:
            raise BadUserInput(f"`{operation.name}` must be an object of field → value.")
        values: dict[str, Any] = {}
        for field, value in raw.items():
            where = f"{operation.name}.{field}"
            if field not in kinds:
                known = ", ".join(sorted(kinds))
                raise BadUserInput(f"{where}: unknown field for {entity.name}; known: {known}.")
            if field == entity.unique_field and operation.key == "unset":
                raise BadUserInput(f"{where}: the unique key cannot be unset.")
            if kinds[field] not in operation.kinds:
                fits = ", ".join(sorted(kind.value for kind in operation.kinds))
                raise BadUserInput(
                    f"{where}: `{operation.name}` does not apply to a {kinds[field].value} "
                    f"field; it applies to {fits} fields."
                )
            if field in touched:
                raise BadUserInput(
                    f"{where}: the field is already changed by `{touched[field]}`; "
                    "one operation per field."
                )
            touched[field] = operation.name
            try:
                values[field] = operation.check(entity, field, value)
            except InvalidRecord as exc:
                raise BadUserInput(f"{where}: {exc}.") from None
        checked[operation.key] = values
    return checked


def fields_read(stored: Mapping[str, Mapping[str, Any]], data: Mapping[str, Any]) -> set[str]:
    """The fields whose current values decide the changes."""
    return set(data).union(*(values for values in stored.values()))


def changes_for(
    stored: Mapping[str, Mapping[str, Any]],
    data: Mapping[str, Any],
    current: Mapping[str, Any],
    *,
    keep_existing: bool = False,
) -> dict[str, dict[str, Any]]:
    """The update of one entity, `{operator: {field: argument}}` over its `data` fields: the
    values to set (None: clear the field) and the stored operations, against its current
    values. `keep_existing` (existingValues: KEEP) sets only fields that are empty now.
    Empty when it already looks as asked; InvalidRecord, naming the field, when an operation
    would take the field past its bounds (the row fails alone)."""
    update: dict[str, dict[str, Any]] = {}
    steps = [
        ("set", field, value)
        for field, value in data.items()
        if not (keep_existing and not is_empty(current.get(field)))
    ]
    steps += [
        (key, field, value) for key, values in stored.items() for field, value in values.items()
    ]
    for key, field, value in steps:
        operation = by_key(key)
        try:
            found = operation.change(value, current.get(field), field in current)
        except InvalidRecord as exc:
            raise InvalidRecord(f"{field}: {exc}") from None
        if found is not None:
            operator, argument = found
            update.setdefault(operator, {})[field] = argument
    return update


def is_empty(value: Any) -> bool:
    """Whether a field counts as empty: absent, null, an empty text or list."""
    return value is None or value == "" or value == []


def by_key(key: str) -> FieldOperation:
    """The operation stored under `key` (looked up for every field of every row)."""
    try:
        return _by_key()[key]
    except KeyError:
        raise KeyError(f"unknown field operation {key!r}") from None


@cache
def _by_key() -> dict[str, FieldOperation]:
    return {operation.key: operation for operation in operations}
