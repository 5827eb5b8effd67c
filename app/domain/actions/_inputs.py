"""Input shapes shared by action types: targets by id, or records of field values."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bson import ObjectId

from app.domain.actions._base import (
    DUPLICATE_KEY_CODE,
    ActionInput,
    ActionSpec,
    ChunkContext,
    PreparedInput,
    collect,
    parse_entity_id,
)
from app.domain.entities import EntitySpec
from app.domain.entities._base import InvalidRecord
from app.domain.errors import BadUserInput
from app.domain.filters import check_filter
from app.domain.rows import Row, RowBody


def forbid(action: str, **given: Any) -> None:
    for name, value in given.items():
        if value is not None:
            raise BadUserInput(f"{action} does not take `{name}`.")


def filter_input(entity: EntitySpec, raw: Any) -> PreparedInput:
    """Targets named by a filter: no rows now; planning reads the matching entities."""
    return PreparedInput(rows=[], filter=check_filter(entity, raw))


def ids_input(entity_ids: Sequence[Any]) -> PreparedInput:
    return collect(enumerate(entity_ids, start=1), lambda item: {"id": parse_entity_id(item)})


def row_with_id(entity: EntitySpec, record: Any, *, with_fields: bool) -> RowBody:
    """A record `{id, ...fields}`: fields required when `with_fields`, forbidden otherwise."""
    if not isinstance(record, dict):
        raise InvalidRecord("A record must be a JSON object.")
    rest = {name: value for name, value in record.items() if name != "id"}
    row: RowBody = {"id": parse_entity_id(record.get("id"))}
    if with_fields:
        if not rest:
            raise InvalidRecord("A record needs at least one field to set besides `id`.")
        row["data"] = entity.validate(rest, require_key=False)
    elif rest:
        raise InvalidRecord(f"Only `id` is allowed here, not {', '.join(sorted(rest))}.")
    return row


class KeyedRecords(ActionSpec):
    """Actions whose input is `records` of field values that carry the unique key."""

    creates_entities = True

    def prepare(self, entity: EntitySpec, given: ActionInput) -> PreparedInput:
        forbid(self.name, entityIds=given.entity_ids, fields=given.fields, filter=given.filter)
        if given.records is None:
            raise BadUserInput(
                f"{self.name} needs its rows: `records`, a CSV `file` or an `uploadId`."
            )
        return self.records_input(entity, given.records)

    def record_row(self, entity: EntitySpec, record: Any) -> RowBody:
        return keyed_row(entity, record)

    def columns(self, entity: EntitySpec) -> tuple[set[str], set[str]]:
        return set(entity.field_names), {entity.unique_field}


def keyed_row(entity: EntitySpec, record: Any) -> RowBody:
    """A record of field values that carries the entity's unique key."""
    data = entity.validate(record, require_key=True)
    return {"key": data[entity.unique_field], "data": data}


def new_entity(ctx: ChunkContext, row: Row, now: datetime) -> dict[str, Any]:
    """The document a row inserts, under the id planning gave it."""
    return {
        "_id": ObjectId(row["new_id"]),
        "account_id": ctx.account_id,
        "key": row["key"],
        "data": row["data"],
        "created_at": now,
        "updated_at": now,
    }


def clashes(errors: Mapping[int, Any]) -> list[int]:
    """Indexes of the operations refused for a duplicate key."""
    return [index for index, error in errors.items() if error.get("code") == DUPLICATE_KEY_CODE]


async def holders_of(ctx: ChunkContext, keys: Sequence[str]) -> dict[str, str]:
    """Who holds each key now. A holder with the id a row was given means an earlier
    delivery of the same chunk inserted it."""
    if not keys:
        return {}
    found = await ctx.read(
        {"account_id": ctx.account_id, "key": {"$in": list(keys)}}, {"_id": 1, "key": 1}
    )
    return {doc["key"]: str(doc["_id"]) for doc in found}


def csv_row(
    spec: ActionSpec,
    entity: EntitySpec,
    columns: Sequence[str | None],
    number: int,
    values: Sequence[str],
) -> Row:
    """A CSV row's values, named by `columns` (None ignores one), as a row; a row that
    cannot be used says why (logged FAILED/INVALID)."""
    if len(values) != len(columns):
        return {"row": number, "invalid": f"Expected {len(columns)} values, found {len(values)}."}
    named = {name: value for name, value in zip(columns, values, strict=True) if name}
    try:
        return {"row": number, **spec.record_row(entity, entity.csv_record(named))}
    except InvalidRecord as exc:
        return {"row": number, "invalid": str(exc)}
