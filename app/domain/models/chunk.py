"""A slice of an action's rows, processed by one worker message with one bulk_write."""

from bisect import bisect_right
from datetime import datetime
from typing import Any, ClassVar, cast

from beanie import Document, PydanticObjectId
from pydantic import Field
from pymongo import ASCENDING, IndexModel

from app.domain.models.action_log import LogStatus
from app.domain.rows import Decisions, Row

# The field of a chunk that counts its rows of each outcome status.
COUNT_FIELDS = {
    LogStatus.SUCCESS: "succeeded",
    LogStatus.FAILED: "failed",
    LogStatus.SKIPPED: "skipped",
}


class Chunk(Document):
    """A chunk's state. Kept small (its rows are in ChunkRows, under the same id) because
    progress reads every chunk of an action. The id is "<action_id>:<seq>", so a planning
    run that is repeated makes the same chunks."""

    id: str  # type: ignore[assignment]  # "<action_id>:<seq>": a re-planned chunk is the same
    action_id: PydanticObjectId
    account_id: str
    seq: int
    size: int
    dry_run: bool = False  # its action's: admitted without a charge
    # The numbers of its first and last rows (rows are numbered in input order): where its
    # logs are, for a log reader that skips what is not logged yet.
    first_row: int | None = None
    last_row: int | None = None
    done: bool = False
    # A chunk larger than its account's limit is split into parts, chunks of their own whose
    # ids are "<chunk_id>/<n>" and whose `parent` is this chunk's id. The parent then keeps no
    # counts and is done when all its parts are; `parts` says how many there are.
    parent: str | None = None
    parts: int | None = None
    # Outcome counts, written with `done`. Each chunk document has one writer at a time, so
    # these never race, unlike increments of a shared counter (FerretDB v1 loses concurrent
    # updates of one document); an action's progress is the sum over its chunks.
    succeeded: int = 0
    failed: int = 0
    skipped: int = 0
    # The statuses it has rows of, written with the counts: which chunks a log page of one
    # status reads, found by an equality (the counts' `$gt: 0` would read every chunk on
    # FerretDB v1, which filters anything but equalities itself).
    statuses: list[LogStatus] = Field(default_factory=list)
    # When the rate limit let the chunk's writes start, and when they ended (its rows count
    # against the limit in between, and for a window after).
    started_at: datetime | None = None
    written_at: datetime | None = None
    done_at: datetime | None = None

    @staticmethod
    def id_for(action_id: PydanticObjectId, seq: int) -> str:
        return f"{action_id}:{seq}"

    def part_id(self, number: int) -> str:
        return f"{self.id}/{number}"

    class Settings:
        name = "chunks"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("action_id", ASCENDING), ("done", ASCENDING), ("last_row", ASCENDING)]),
            IndexModel(
                [("action_id", ASCENDING), ("statuses", ASCENDING), ("last_row", ASCENDING)]
            ),
        ]


class ChunkRows(Document):
    """A chunk's rows. Written and read as plain documents on the hot path (`store_rows`,
    `rows_of`): validating a thousand rows each way was a tenth of a worker's CPU."""

    id: str  # type: ignore[assignment]  # the chunk's id
    # Each row: {"row": n, "id"?: entity id, "key"?: unique key, "data"?: fields,
    #            "new_id"?: id an insert gives, "dup"?: True when an earlier row had its key}.
    rows: list[Row]

    class Settings:
        name = "chunk_rows"


def rows_document(chunk_id: str, rows: list[Row]) -> dict[str, Any]:
    return {"_id": chunk_id, "rows": rows}


async def rows_of(chunk_id: str) -> list[Row] | None:
    """The chunk's rows as planning stored them (None when they are not stored)."""
    found = await ChunkRows.get_pymongo_collection().find_one({"_id": chunk_id})
    return None if found is None else cast(list[Row], found["rows"])


class ChunkDecision(Document):
    """What the first attempt at a chunk found in the database before writing; reused on
    redelivery so that a chunk processed twice reports the same outcomes.

    A document of its own, inserted once under the chunk's rows id: the unique _id makes
    the first writer win, and lookups by _id are the ones FerretDB answers without a scan.
    """

    id: str  # type: ignore[assignment]
    decisions: Decisions

    class Settings:
        name = "chunk_decisions"


async def store_decisions(rows_id: str, decisions: Decisions) -> None:
    """Stores the first decisions of these rows; raises DuplicateKeyError when some were."""
    await ChunkDecision.get_pymongo_collection().insert_one(
        {"_id": rows_id, "decisions": decisions}
    )


async def decisions_of(rows_id: str) -> Decisions | None:
    found = await ChunkDecision.get_pymongo_collection().find_one({"_id": rows_id})
    return None if found is None else cast(Decisions, found["decisions"])


class StoredRows:
    """An action's rows as planning stored them, asked for in ascending row order: each chunk
    that holds one is read once, and no other (a chunk's first rows, read once, say which)."""

    def __init__(self, action_id: PydanticObjectId) -> None:
        self.action_id = action_id
        self.starts: list[tuple[int, str]] | None = None  # (first row, chunk id), by row
        self.loaded: str | None = None
        self.rows: dict[int, Row] = {}

    async def row(self, number: int) -> Row | None:
        if self.starts is None:
            cursor = Chunk.get_pymongo_collection().find(
                {"action_id": self.action_id, "parent": None}, {"_id": 1, "first_row": 1}
            )
            self.starts = sorted(
                [(c["first_row"], c["_id"]) async for c in cursor if c.get("first_row")]
            )
        at = bisect_right(self.starts, (number, "\uffff")) - 1
        if at < 0:
            return None
        chunk_id = self.starts[at][1]
        if chunk_id != self.loaded:
            stored = await rows_of(chunk_id)
            self.rows = {row["row"]: row for row in stored or []}
            self.loaded = chunk_id
        return self.rows.get(number)
