"""Input shapes shared by action types: targets by id, or records of field values."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cached_property, partial
from typing import Any

from bson import ObjectId

from app.domain.actions._base import (
    DUPLICATE_KEY_CODE,
    ActionInput,
    ActionSpec,
    ChunkContext,
    ImportRules,
    PreparedInput,
    collect,
    parse_entity_id,
    slot_values,
)
from app.domain.entities import EntitySpec
from app.domain.entities._base import FieldKind, InvalidRecord
from app.domain.entities.csv_cells import CsvCells
from app.domain.entities.values.days import slashed_day
from app.domain.entities.values.numbers import comma_number
from app.domain.errors import BadUserInput
from app.domain.filters import check_filter
from app.domain.rows import KeyHolder, Row, RowBody


def forbid(action: str, **given: Any) -> None:
    for name, value in given.items():
        if value is not None:
            raise BadUserInput(f"{action} does not take `{name}`.")


def filter_input(entity: EntitySpec, raw: Any) -> PreparedInput:
    """Targets named by a filter: no rows now; planning reads the matching entities."""
    return PreparedInput(rows=[], filter=check_filter(entity, raw))


def ids_input(entity_ids: Sequence[Any]) -> PreparedInput:
    return collect(enumerate(entity_ids, start=1), lambda item: {"id": parse_entity_id(item)})


def row_with_id(
    entity: EntitySpec,
    record: Any,
    rules: ImportRules,
    *,
    with_fields: bool,
    text_checked: bool = False,
) -> RowBody:
    """A record `{id, ...fields}` (or the matchBy field instead of `id`): fields required when
    `with_fields`, forbidden otherwise."""
    if not isinstance(record, dict):
        raise InvalidRecord("A record must be a JSON object.")
    by = rules.match_by or "id"
    record = read_as_written(entity, record, rules)
    rest = {name: value for name, value in record.items() if name != by}
    row: RowBody = (
        {"id": parse_entity_id(record.get("id"))}
        if by == "id"
        else {"match": match_value(entity, by, record.get(by))}
    )
    if with_fields:
        if not rest:
            raise InvalidRecord(f"A record needs at least one field to set besides `{by}`.")
        # Only empty values under SKIP: a row that changes nothing (SKIPPED/UNCHANGED).
        row["data"] = entity.validate(
            emptied(rest, rules), require_key=False, text_checked=text_checked
        )
    elif rest:
        raise InvalidRecord(f"Only `{by}` is allowed here, not {', '.join(sorted(rest))}.")
    return row


def match_value(entity: EntitySpec, field: str, value: Any) -> Any:
    """A row's value of the field it is matched by, normalised as the field stores it."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidRecord(f"{field}: required, since rows are matched by it.")
    if field == "id":
        return parse_entity_id(value)
    if field == entity.unique_field:
        return entity.normalise_key(value)
    return entity.validate({field: value}, require_key=False)[field]


def emptied(record: Any, rules: ImportRules) -> Any:
    """A record under `emptyValues`: an empty value (null, an empty CSV cell) is left out
    (SKIP) or kept as None, which clears the field (CLEAR; never the unique key)."""
    if rules.clear_empty or not isinstance(record, dict) or None not in record.values():
        return record
    return {name: value for name, value in record.items() if value is not None}


def ruled(entity: EntitySpec, record: Any, rules: ImportRules) -> Any:
    """A record's values as the rules read them (`emptyValues`, `decimalMark`,
    `dateOrder`), to be validated."""
    return read_as_written(entity, emptied(record, rules), rules)


def read_as_written(entity: EntitySpec, record: Any, rules: ImportRules) -> Any:
    """A record's text as its rows write numbers and days (`decimalMark`, `dateOrder`), its
    matchBy field's too."""
    if rules.decimal_comma:
        record = entity.with_text_read(record, FieldKind.NUMBER, comma_number)
    if rules.date_order is not None:
        day_first = rules.date_order == "DAY_FIRST"
        record = entity.with_text_read(
            record, FieldKind.DAY, partial(slashed_day, day_first=day_first)
        )
    return record


class KeyedRecords(ActionSpec):
    """Actions whose input is `records` of field values that carry the unique key."""

    creates_entities = True

    def prepare(self, entity: EntitySpec, given: ActionInput) -> PreparedInput:
        forbid(self.name, entityIds=given.entity_ids, fields=given.fields, filter=given.filter)
        if given.records is None:
            raise BadUserInput(
                f"{self.name} needs its rows: `records`, a CSV `file` or an `uploadId`."
            )
        return self.records_input(entity, given.records, given.rules)

    def record_row(
        self, entity: EntitySpec, record: Any, rules: ImportRules, text_checked: bool = False
    ) -> RowBody:
        return keyed_row(entity, record, rules, text_checked)

    def columns(self, entity: EntitySpec, rules: ImportRules) -> tuple[set[str], set[str]]:
        return set(entity.field_names), {rules.match_by or entity.unique_field}

    def key_of(self, entity: EntitySpec, value: Any, rules: ImportRules) -> str:
        if self.key_field(entity, rules) == entity.unique_field:
            return entity.checked_key(value)  # the common case, done the cheaper way
        return super().key_of(entity, value, rules)


def keyed_row(
    entity: EntitySpec, record: Any, rules: ImportRules, text_checked: bool = False
) -> RowBody:
    """A record of field values that carries the entity's unique key, or the matchBy field
    instead (a row that matches no entity then needs the key to be inserted)."""
    by = rules.match_by or entity.unique_field
    data = entity.validate(
        ruled(entity, record, rules),
        require_key=by == entity.unique_field,
        text_checked=text_checked,
    )
    row: RowBody = {"data": data}
    if data.get(entity.unique_field) is not None:
        row["key"] = data[entity.unique_field]
    if by != entity.unique_field:
        row["match"] = match_value(entity, by, data.get(by))
    return row


def match_of(row: Row) -> Any:
    """The value a keyed row is matched by: its matchBy field's, else its unique key."""
    return row["match"] if "match" in row else row["key"]


def new_entity(ctx: ChunkContext, row: Row, now: datetime) -> dict[str, Any]:
    """The document a row inserts, under the id planning gave it (fields a row clears are
    simply absent)."""
    data = row["data"]
    if None in data.values():
        data = {name: value for name, value in data.items() if value is not None}
    document = {
        "_id": ObjectId(row["new_id"]),
        "account_id": ctx.account_id,
        "key": row["key"],
        "data": data,
        "created_at": now,
        "updated_at": now,
    }
    if ctx.entity.unique_slots:  # most entities have no unique custom field: a third less
        document.update(slot_values(ctx.entity, data))
    return document


async def matches_of(ctx: ChunkContext, rows: Sequence[Row]) -> list[KeyHolder]:
    """The entities holding the rows' match keys (matchBy), as `{key, id}`: one query on the
    field's index (the unique key's, a unique custom field's slot)."""
    values = list(dict.fromkeys(row["match"] for row in rows if "match" in row))
    if not values or ctx.rules.match_by is None:
        return []
    path = ctx.entity.match_path(ctx.rules.match_by)
    found = await ctx.read({"account_id": ctx.account_id, path: {"$in": values}}, {path: 1})
    return [{"key": doc[path], "id": str(doc["_id"])} for doc in found if path in doc]


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


class CsvFile:
    """What reading the rows of one CSV file needs: its action type, entity, rules and
    columns (a field's name each, or None for a column to ignore)."""

    def __init__(
        self,
        spec: ActionSpec,
        entity: EntitySpec,
        rules: ImportRules,
        columns: Sequence[str | None],
    ) -> None:
        self.spec, self.entity, self.rules = spec, entity, rules
        self.columns, self.width = columns, len(columns)
        # The columns up to the last one read (those after it are ignored: nameless, or
        # ignored by `columnMap`).
        self.read_width = max((n + 1 for n, name in enumerate(columns) if name), default=0)

    def fitted(self, values: Sequence[str]) -> Sequence[str] | None:
        """The values of a row not as wide as the header, one a column; None when they do
        not fit it. Empty cells past the header's last column are left out (a sheet's stray
        trailing commas), and a row may end before the ignored columns the header ends with:
        either way the cells read are where the header says, as in a row of its width."""
        if len(values) > self.width:
            if any(cell.strip() for cell in values[self.width :]):
                return None
            return values[: self.width]
        if len(values) < self.read_width:
            return None
        return [*values, *[""] * (self.width - len(values))]


class CsvRows(CsvFile):
    """A CSV file's rows, each its values named by the columns, as rows
    (`ActionSpec.record_row`); a row that cannot be used says why (logged FAILED/INVALID).
    Where each field's cell is comes from the columns, once for a whole file."""

    @cached_property
    def cells(self) -> CsvCells:
        return self.entity.csv_cells_of(self.columns)

    def __call__(self, number: int, values: Sequence[str]) -> Row:
        fitted = values if len(values) == self.width else self.fitted(values)
        if fitted is None:
            return {"row": number, "invalid": f"Expected {self.width} values, found {len(values)}."}
        try:
            # Its text was read as UTF-8 without NUL (app.infra.files.csv_records): storable.
            record = self.cells(fitted)
            body = self.spec.record_row(self.entity, record, self.rules, text_checked=True)
            return {"row": number, **body}
        except InvalidRecord as exc:
            return {"row": number, "invalid": str(exc)}


class CsvKeys(CsvFile):
    """The dedupe key of `CsvRows`' row for a CSV row's values when that row is valid, read
    from the key's cell alone (a fifth of the whole row's cost: planning reads every row's
    key and only few rows whole); None when that cell already makes the row invalid. Where
    the cell is comes from the columns, once for a whole file."""

    @cached_property
    def by(self) -> str:
        return self.spec.key_field(self.entity, self.rules)

    @cached_property
    def at(self) -> int | None:
        # A field named twice: the record keeps the last cell, as CsvCells does.
        return max((i for i, name in enumerate(self.columns) if name == self.by), default=None)

    @cached_property
    def cells(self) -> CsvCells:
        return self.entity.csv_cells_of([self.by])

    def __call__(self, values: Sequence[str]) -> str | None:
        if len(values) != self.width and self.fitted(values) is None:
            return None
        value = None if self.at is None else self.cells.cell(self.by, values[self.at])
        try:
            return self.spec.key_of(self.entity, value, self.rules)
        except InvalidRecord:
            return None
