"""What an action type is: how it validates input and how it applies one chunk.

A chunk is applied in two steps. `decide` reads what the database holds (which targets exist)
and its answer is stored with the chunk before anything is written; `apply` then writes with
one unordered bulk_write whose operations are idempotent, and maps every row to one outcome.
A redelivered chunk reuses the stored decisions, so it reports what the first attempt would
have reported, whatever that attempt managed to write before it died.
"""

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from bson import ObjectId
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError
from pymongo.operations import DeleteOne, InsertOne, UpdateOne

from app.clock import utcnow
from app.entities import EntitySpec
from app.entities._base import InvalidRecord
from app.models.action_log import LogReason, LogStatus
from app.registry import Registry

Row = dict[str, Any]
WriteOp = InsertOne[Any] | UpdateOne | DeleteOne
DUPLICATE_KEY_CODE = 11000
LOOKUP_CONCURRENCY = 32


@dataclass(frozen=True)
class Outcome:
    row: int
    status: LogStatus
    reason: LogReason
    entity_id: str | None = None
    message: str | None = None


@dataclass(frozen=True)
class ActionInput:
    """What a create names its targets with, as the client sent it."""

    entity_ids: Sequence[Any] | None = None
    fields: Any = None
    records: Sequence[Any] | None = None


@dataclass
class PreparedInput:
    """Validated rows in input order, and fields shared by all targets (UPDATE by ids)."""

    rows: list[Row]
    fields: dict[str, Any] | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class ChunkContext:
    account_id: str
    entity: EntitySpec
    fields: dict[str, Any] | None

    @property
    def collection(self) -> AsyncCollection[Any]:
        return self.entity.document.get_pymongo_collection()


def parse_entity_id(value: Any) -> str:
    if not isinstance(value, str) or not ObjectId.is_valid(value):
        raise InvalidRecord(f"id: {value!r} is not a valid entity id.")
    return str(ObjectId(value))


def data_update(entity: EntitySpec, data: Mapping[str, Any]) -> dict[str, Any]:
    """The $set document for entity fields; the unique key is mirrored into `key`."""
    update: dict[str, Any] = {f"data.{name}": value for name, value in data.items()}
    if entity.unique_field in data:
        update["key"] = data[entity.unique_field]
    update["updated_at"] = utcnow()
    return update


async def bulk_write(collection: AsyncCollection[Any], ops: Sequence[WriteOp]) -> dict[int, Any]:
    """Runs one unordered bulk_write; returns the write errors by operation index.

    Errors of single operations are outcomes of rows; any other error propagates, so the
    chunk is retried.
    """
    if not ops:
        return {}
    try:
        await collection.bulk_write(list(ops), ordered=False)
    except BulkWriteError as exc:
        if exc.details.get("writeConcernErrors"):
            raise
        return {error["index"]: error for error in exc.details.get("writeErrors", [])}
    return {}


def failed_write(row: int, error: Mapping[str, Any], entity_id: str | None = None) -> Outcome:
    duplicate = error.get("code") == DUPLICATE_KEY_CODE
    return Outcome(
        row=row,
        status=LogStatus.FAILED,
        reason=LogReason.DUPLICATE_KEY if duplicate else LogReason.WRITE_ERROR,
        entity_id=entity_id,
        message=str(error.get("errmsg", "write failed")),
    )


class ActionSpec(ABC):
    name: ClassVar[str]
    # Rows name their target by entity id (UPDATE, DELETE) rather than by unique key.
    targets_by_id: ClassVar[bool] = False
    # Rows may create entities, so planning gives each one the id its insert will use.
    creates_entities: ClassVar[bool] = False

    @abstractmethod
    def prepare(self, entity: EntitySpec, given: ActionInput) -> PreparedInput:
        """Validates the create input; errors go to `PreparedInput.errors` with their row."""

    @abstractmethod
    def record_row(self, entity: EntitySpec, record: Any) -> Row:
        """One record (a JSON object, or a CSV row as a dict) as a row; InvalidRecord if bad."""

    @abstractmethod
    def columns(self, entity: EntitySpec) -> tuple[set[str], set[str]]:
        """The CSV columns this action allows, and those it requires."""

    def records_input(self, entity: EntitySpec, records: Sequence[Any]) -> PreparedInput:
        return collect(enumerate(records, start=1), lambda record: self.record_row(entity, record))

    def dedupe_key(self, row: Row) -> str:
        return str(row["id"] if self.targets_by_id else row["key"])

    async def decide(self, ctx: ChunkContext, rows: Sequence[Row]) -> dict[str, Any]:
        return {}

    @abstractmethod
    async def apply(
        self, ctx: ChunkContext, rows: Sequence[Row], decisions: Mapping[str, Any]
    ) -> list[Outcome]:
        """Writes the rows and returns exactly one outcome per row."""


def collect(rows: Iterator[tuple[int, Any]], build: Any) -> PreparedInput:
    """Runs `build(row_number, item)` over numbered input items, gathering row errors."""
    prepared = PreparedInput(rows=[])
    for number, item in rows:
        try:
            prepared.rows.append({"row": number, **build(item)})
        except InvalidRecord as exc:
            prepared.errors.append({"row": number, "message": str(exc)})
    return prepared


class TargetsById(ActionSpec):
    """Actions on entities named by id; `decide` finds which of them exist in the account."""

    targets_by_id = True

    async def decide(self, ctx: ChunkContext, rows: Sequence[Row]) -> dict[str, Any]:
        # Point lookups by _id, run together: FerretDB answers `_id: {$in: …}` and any filter
        # beside _id with a full scan, but a lookup by _id alone with its index.
        limit = asyncio.Semaphore(LOOKUP_CONCURRENCY)

        async def owner(entity_id: str) -> Any:
            async with limit:
                found = await ctx.collection.find_one(
                    {"_id": ObjectId(entity_id)}, {"account_id": 1}
                )
            return found and found.get("account_id")

        ids = list(dict.fromkeys(row["id"] for row in rows))
        owners = await asyncio.gather(*(owner(entity_id) for entity_id in ids))
        return {
            "existing": [i for i, acct in zip(ids, owners, strict=True) if acct == ctx.account_id]
        }


actions: Registry[ActionSpec] = Registry("app.actions", "action type")
