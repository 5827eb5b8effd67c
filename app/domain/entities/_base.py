"""What an entity type is: a pydantic schema of its fields, a unique key and a collection."""

import dataclasses
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from functools import cached_property, lru_cache
from typing import Annotated, Any, ClassVar, Literal, Protocol, get_args, get_origin

from beanie import Document
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)
from pymongo import ASCENDING, IndexModel

from app.domain.clock import utcnow
from app.domain.entities.csv_cells import CsvCells
from app.domain.entities.record_schema import record_schema
from app.domain.entities.values.numbers import NUMBER_PARSING, not_a_number
from app.domain.entities.values.text_checks import text_checks
from app.domain.registry import Registry
from app.domain.values import problem, text_problem

# The longest unique key: an email address's limit (RFC 5321); a domain's is 253. Bounded so no
# database refuses its index entry (PostgreSQL's btree under FerretDB takes about 2.7 KB).
MAX_KEY_LENGTH = 254
# Marks that show nothing and come with text copied from web pages and right-to-left
# documents (zero-width spaces and joiners, direction marks, a byte order mark): around a
# key they are left out, where they made a key no clean copy of it matched.
INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"
# The slots unique custom fields are mirrored into (app.domain.fields.MAX_UNIQUE_FIELDS).
UNIQUE_SLOTS = (1, 2, 3)


class FieldKind(Enum):
    """What a field holds, as filters and operations see it."""

    TEXT = "text"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    TEXT_LIST = "text list"
    ID = "id"
    DAY = "calendar date"  # YYYY-MM-DD text (a custom DATE field)


class CustomFieldLike(Protocol):
    """An account's custom field as the entity type sees it (app.domain.fields)."""

    @property
    def name(self) -> str: ...
    @property
    def field_kind(self) -> FieldKind: ...
    @property
    def slot(self) -> int | None: ...
    @property
    def hidden(self) -> bool: ...


# A list field's item (a tag): bounded, as every text is, and so is the list; never empty
# nor holding ';', which separates the items of a CSV cell, so a list exported as a cell
# reads back as it was (constraints checked in pydantic-core, a Python call a row cheaper).
LIST_ITEM_PATTERN = r"^[^;]*$"
ListItem = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=LIST_ITEM_PATTERN)
]
ListItems = list[ListItem]
LIST_MAX_ITEMS = 100


def as_option(options: Sequence[str]) -> Callable[[Any], Any]:
    """A validator that reads text naming one of the options, case and spaces around aside,
    as the option is written (other systems send "New" for "new"); where two options are
    spelt alike but for case, only their exact spellings name them."""
    exact = set(options)
    folded: dict[str, list[str]] = {}
    for option in options:
        folded.setdefault(option.casefold(), []).append(option)
    alone = {spelt: named[0] for spelt, named in folded.items() if len(named) == 1}

    def read(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        text = value.strip()
        return text if text in exact else alone.get(text.casefold(), text)

    return read


def bare_type(kind: Any) -> Any:
    """A type without its constraints and validators (Annotated's): the type tells."""
    while get_origin(kind) is Annotated:
        kind = get_args(kind)[0]
    return kind


def kind_of(annotation: Any) -> FieldKind:
    kinds = [kind for kind in get_args(annotation) or (annotation,) if kind is not type(None)]
    kind = bare_type(kinds[0] if len(kinds) == 1 else annotation)
    if get_origin(kind) is list:
        return FieldKind.TEXT_LIST
    if get_origin(kind) is Literal or kind is str:
        return FieldKind.TEXT
    if kind is bool:
        return FieldKind.BOOLEAN
    if kind in (int, float):
        return FieldKind.NUMBER
    if kind is datetime:
        return FieldKind.DATE
    raise TypeError(f"no field kind for {annotation!r}")


class InvalidRecord(ValueError):
    """A record that cannot become an entity; the message says why, for a person."""


class EntityFields(BaseModel):
    """Base of every entity schema: unknown fields are errors, strings are trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def slot_path(slot: int) -> str:
    return f"unique_{slot}"


def slot_index(slot: int) -> IndexModel:
    """A unique custom field's slot's index: sparse, so entities without a value do not
    clash (and are not in it)."""
    return IndexModel(
        [("account_id", ASCENDING), (slot_path(slot), ASCENDING)], unique=True, sparse=True
    )


class EntityDocument(Document):
    """One stored entity. `key` is the normalised unique key, unique per account."""

    account_id: str
    key: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    class Settings:
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("account_id", ASCENDING), ("key", ASCENDING)], unique=True),
        ]
        # The unique custom fields' slots (app.infra.mongo.db.create_indexes makes them ahead
        # or, where a sparse index would hold every entity, entities.index_slot on need).
        slot_indexes: ClassVar[list[IndexModel]] = [slot_index(slot) for slot in UNIQUE_SLOTS]
        # The account's entities in id order (pages of entities, a filter's targets, the
        # newest): an order no other index gives (app.infra.mongo.db.create_indexes).
        order_indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("account_id", ASCENDING), ("_id", ASCENDING)]),
        ]


def check_field_names(record: Mapping[str, Any], allowed: AbstractSet[str], entity: str) -> None:
    if record.keys() <= allowed:
        return  # known fields, as almost every record's are: told in C
    # Every row of a file has the same names: checked once (frozenset() of a frozenset, as
    # EntitySpec.field_names is, returns it as it is).
    if (found := names_problem(tuple(record), frozenset(allowed), entity)) is not None:
        raise InvalidRecord(found)


@lru_cache(maxsize=1024)
def names_problem(names: tuple[Any, ...], allowed: frozenset[str], entity: str) -> str | None:
    """Why a record with these field names cannot be used, or None."""
    try:
        check_names(names, allowed, entity)
    except InvalidRecord as exc:
        return str(exc)
    return None


def check_names(names: tuple[Any, ...], allowed: AbstractSet[str], entity: str) -> None:
    for name in names:
        if not isinstance(name, str) or not name:
            raise InvalidRecord("Field names must be non-empty strings.")
        if (found := text_problem(name)) is not None:
            raise InvalidRecord(f"Field names {found}.")
        if "." in name or name.startswith("$"):
            raise InvalidRecord(
                f"Field name {name!r} is not allowed: names may not contain '.' or start with '$'."
            )
        if name not in allowed:
            known = ", ".join(sorted(allowed))
            raise InvalidRecord(f"Unknown field {name!r} for {entity}; known fields: {known}.")


def describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "record"
        parts.append(f"{where}: {worded(item)}")
    return "; ".join(parts)


def worded(item: Any) -> str:
    """An error's message, said for a person where pydantic's names a constraint instead."""
    context = item.get("ctx") or {}
    if item["type"] == "string_pattern_mismatch" and context.get("pattern") == LIST_ITEM_PATTERN:
        return "an item cannot hold ';', which separates the items of a CSV cell"
    if item["type"] == "string_too_short" and isinstance(item["loc"][-1], int):
        return "an item cannot be empty"
    if item["type"] in NUMBER_PARSING and isinstance(given := item.get("input"), str):
        return not_a_number(given, whole=item["type"] == "int_parsing")
    return str(item["msg"])


@dataclass(frozen=True)
class EntitySpec:
    name: str
    # What it is, in a sentence: the GraphQL EntityType value's description.
    description: str
    document: type[EntityDocument]
    fields: type[EntityFields]
    unique_field: str
    key_pattern: re.Pattern[str]
    # How a key is also written, read as the key (COMPANY: its web address for its domain).
    bare_key: Callable[[str], str] | None = None
    # The fields audiences filter on most: indexed with the account on mongod.
    filtered_fields: tuple[str, ...] = ()
    # An account's custom fields (app.domain.fields.extended adds them to `fields`).
    custom: tuple[CustomFieldLike, ...] = ()
    # Other names CSV headers give a built-in field, by field, as other tools export it
    # ("Email Address"); read like the field's own name, and after it.
    aliases: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict, compare=False)

    def filter_indexes(self) -> list[IndexModel]:
        fields = [f"data.{name}" for name in self.filtered_fields] + ["created_at", "updated_at"]
        return [IndexModel([("account_id", ASCENDING), (path, ASCENDING)]) for path in fields]

    @cached_property
    def field_names(self) -> frozenset[str]:
        return frozenset(self.fields.model_fields)  # asked for every row: made once

    @cached_property
    def text_checks(self) -> tuple[tuple[str, Callable[[str], str | None]], ...]:
        """The checks of their text its fields name (app.domain.entities.values.text_checks)."""
        return text_checks(self.fields)

    def field_kinds(self) -> dict[str, FieldKind]:
        return dict(self.kinds)

    @cached_property
    def kinds(self) -> dict[str, FieldKind]:
        """Every field's kind, custom ones included (worked out once)."""
        custom = {field.name: field.field_kind for field in self.custom if not field.hidden}
        return {
            name: custom.get(name) or kind_of(info.annotation)
            for name, info in self.fields.model_fields.items()
        }

    @property
    def list_fields(self) -> frozenset[str]:
        """Fields holding lists, which a CSV cell gives as values separated by ';'."""
        return self.of_kind[FieldKind.TEXT_LIST]

    @cached_property
    def of_kind(self) -> dict[FieldKind, frozenset[str]]:
        """Its fields by kind (worked out once)."""
        return {
            kind: frozenset(n for n, k in self.kinds.items() if k is kind) for kind in FieldKind
        }

    def with_text_read(
        self, record: Any, kind: FieldKind, read: Callable[[str], str | None]
    ) -> Any:
        """A record whose fields of `kind` given as text have it read by `read` (an import
        rule's reading: `1.234,5` with a decimal comma) into the text they take, or kept as
        it is (None); a ValueError of `read`, saying why, makes the record invalid, never
        a value other than the one meant."""
        fields = self.of_kind[kind]
        if not fields or not isinstance(record, dict):
            return record  # validation says what is wrong with a record not a dict
        made = dict(record)
        for name in fields.intersection(record):
            if (text := record[name]).__class__ is str:
                try:
                    if (value := read(text)) is not None:
                        made[name] = value
                except ValueError as exc:
                    raise InvalidRecord(f"{name}: {exc}.") from None
        return made

    @cached_property
    def unique_slots(self) -> dict[str, str]:
        """The top-level field each unique custom field's value is mirrored into, by field:
        one sparse unique index per slot keeps it unique per account."""
        return {field.name: slot_path(field.slot) for field in self.custom if field.slot}

    def match_path(self, field: str) -> str:
        """Where a match key's normalised value is stored (and indexed)."""
        if field == "id":
            return "_id"
        if field == self.unique_field:
            return "key"
        return self.unique_slots[field]

    def csv_cells_of(self, columns: Sequence[str | None]) -> CsvCells:
        """The reader of CSV rows of cells in these columns (a field's name each, or None for
        a column to ignore) as records, worked out once for a whole file (CsvCells says how)."""
        return CsvCells(columns, self.list_fields)

    def csv_cells(self, entity_id: str, data: Mapping[str, Any], columns: list[str]) -> list[str]:
        """An entity as a CSV row that `csv_cells_of` its columns reads back: lists joined with ';',
        booleans as true/false, missing values empty."""
        cells = []
        for name in columns:
            value = entity_id if name == "id" else data.get(name)
            if value is None:
                cells.append("")
            elif isinstance(value, bool):
                cells.append("true" if value else "false")
            elif isinstance(value, list):
                cells.append(";".join(str(item) for item in value))
            else:
                cells.append(str(value))
        return cells

    def export_columns(self) -> list[str]:
        return ["id", *self.fields.model_fields]

    def normalise_key(self, value: Any) -> str:
        if not isinstance(value, str):
            raise InvalidRecord(f"{self.unique_field}: must be a string.")
        key = value.strip().lower()
        if not key.isascii():
            # One spelling of each letter: `ë` typed, or `e` and a combining diaeresis as
            # macOS and some exports write it, is one key.
            key = unicodedata.normalize("NFC", key.strip(INVISIBLE).strip())
        if self.bare_key is not None:
            key = self.bare_key(key)
        if len(key) > MAX_KEY_LENGTH:
            raise InvalidRecord(
                f"{self.unique_field}: {len(key):,} characters, at most {MAX_KEY_LENGTH} allowed."
            )
        if not self.key_pattern.match(key):
            raise InvalidRecord(
                f"{self.unique_field}: {value!r} is not a valid {self.unique_field}."
            )
        return key

    def checked_key(self, value: Any) -> str:
        """The unique key a CSV cell's value (text checked: see `validate`) gives a record,
        as `validate` normalises it; InvalidRecord when the value makes every record with it
        invalid. A third of validating a record of the key alone."""
        if value is not None:
            try:
                value = record_schema(self.fields).validate_field(self.unique_field, value)
            except ValidationError:
                raise InvalidRecord(f"{self.unique_field}: not a valid key.") from None
        if value is None:
            raise InvalidRecord(f"{self.unique_field}: required.")
        return self.normalise_key(value)

    def validate(
        self, record: Any, *, require_key: bool, text_checked: bool = False
    ) -> dict[str, Any]:
        """Checks a record of field values and returns it cleaned, unique key normalised.
        `text_checked`: its values are text the database stores as it is (a CSV row's: its
        reader decoded it as UTF-8 and refused NUL), which is then not checked again."""
        # A dict, as every row's record is, is told in C before the ABC's slower check.
        if type(record) is not dict and not isinstance(record, Mapping):
            raise InvalidRecord("A record must be a JSON object.")
        check_field_names(record, self.field_names, self.name)
        for name, check in self.text_checks:
            if (value := record.get(name)).__class__ is str and (said := check(value)):
                raise InvalidRecord(f"{name}: {said}")
        if not text_checked:
            for name, value in record.items():
                if (found := problem(value)) is not None:
                    raise InvalidRecord(f"{name}: {found}.")
        try:
            data = record_schema(self.fields).validate(record)
        except ValidationError as exc:
            raise InvalidRecord(describe(exc)) from None
        if self.unique_field in data:
            if data[self.unique_field] is None:
                said = "required" if require_key else "the unique key cannot be cleared"
                raise InvalidRecord(f"{self.unique_field}: {said}.")
            data[self.unique_field] = self.normalise_key(data[self.unique_field])
        elif require_key:
            raise InvalidRecord(f"{self.unique_field}: required.")
        return data


entities: Registry[EntitySpec] = Registry("app.domain.entities", "entity type")
