"""A slice of an action's rows, processed by one worker message with one bulk_write."""

from datetime import datetime
from typing import ClassVar

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
    """A chunk's state. Kept small (its rows are in its upload, or in ChunkRows under the same
    id) because progress reads every chunk of an action. The id is "<action_id>:<seq>", so a
    planning run that is repeated makes the same chunks."""

    id: str  # type: ignore[assignment]  # "<action_id>:<seq>": a re-planned chunk is the same
    action_id: PydanticObjectId
    account_id: str
    seq: int
    size: int
    dry_run: bool = False  # its action's: admitted without a charge
    # Of an action made with a drip: it runs in one of the action's batches (app.engine.
    # dripping), whose number is set once it is given one.
    dripped: bool = False
    batch: int | None = None
    # The numbers of its first and last rows (rows are numbered in input order): where its
    # logs are, for a log reader that skips what is not logged yet.
    first_row: int | None = None
    last_row: int | None = None
    # Where its rows are when they are not stored in ChunkRows: the byte range of its
    # action's upload that holds them, read and validated again each time the chunk runs
    # (app.infra.files.chunk_rows); and which of them repeat an earlier row's key.
    upload_from: int | None = None
    upload_to: int | None = None
    repeats: list[int] = Field(default_factory=list)
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
    """A chunk's rows. Written and read as plain documents on the hot path (the chunks
    store, app.infra.mongo.chunks): validating a thousand rows each way was a tenth of a
    worker's CPU."""

    id: str  # type: ignore[assignment]  # the chunk's id
    # Each row: {"row": n, "id"?: entity id, "key"?: unique key, "data"?: fields,
    #            "new_id"?: id an insert gives, "dup"?: True when an earlier row had its key}.
    rows: list[Row]

    class Settings:
        name = "chunk_rows"


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


class DeletionClaim(Document):
    """A DELETE chunk's claim to delete one entity, its `_id` the entity's: two DELETE actions
    that both read the entity before either deleted it both try to claim it, and the one whose
    claim is stored first deletes it (app.infra.mongo.claims.deletions). Kept while the action
    may be restored; a restore that puts the entity back lets go of it."""

    id: PydanticObjectId  # the entity's
    action_id: PydanticObjectId
    chunk_id: str

    class Settings:
        name = "deletion_claims"
        # Retention lets an action's claims go.
        indexes: ClassVar[list[IndexModel]] = [IndexModel([("action_id", ASCENDING)])]
