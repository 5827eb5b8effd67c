"""The outcome of each input row of an action, stored in blocks of consecutive rows.

Rows are numbered 1, 2, 3… in input order, so block n holds rows n·100+1 to n·100+100. A chunk
writes one document per block and outcome status among its rows (two chunks meeting inside a
block write one each), under an id made of the action, the block and its first row: a
redelivered chunk writes the same ids, so the first delivery's logs stay.

Why blocks rather than one document per row: a page of logs is one or two equality reads,
never a range over a million documents (FerretDB v1, the development stand-in, only pushes
equality filters down), and a chunk of 1,000 rows inserts 10 documents, not 1,000.

A row an action inserted under the id planned for it (app.domain.models.ids) is logged without
its entity id, which its action and row number give again when it is read: a third of an
INSERT's log bytes. Such rows, and any other whose log is only its row and reason, are stored
as runs of consecutive rows with one reason (`runs`: `{first, last, reason}`; FerretDB v1
stores no arrays of arrays): a block of 100 inserted rows is one run, not 100 entries. A row
whose log is its row, reason and an entity id (an UPDATE's, a DELETE's) goes in a run too,
which carries its rows' ids end to end as 12 bytes each (`ids`): about 15 bytes a row where an
entry of its own took 80. Blocks written before runs (or their ids) existed hold those rows in
`rows`, and read the same. A reason that always says the same (`STANDARD_MESSAGES`: a repeated
key, a key held already, an entity that looked as asked, a cancel) is not stored with each
row: a row of that reason without a message reads with it, so such rows go in runs too.
"""

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from enum import StrEnum
from operator import itemgetter
from typing import Any, ClassVar, NamedTuple, NotRequired, cast

from beanie import Document, PydanticObjectId
from pydantic import Field
from pymongo import ASCENDING, IndexModel
from typing_extensions import TypedDict

from app.domain.models.ids import MAX_PLANNED_ROWS, planned_id, planned_ids

BLOCK_ROWS = 100
# A message is a sentence about the row, not its data: a block stays far below 16 MB.
MAX_MESSAGE_CHARS = 1000


class LogStatus(StrEnum):
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"
    SKIPPED = "SKIPPED"


class LogReason(StrEnum):
    UPDATED = "UPDATED"
    INSERTED = "INSERTED"
    DELETED = "DELETED"
    DUPLICATE_IN_INPUT = "DUPLICATE_IN_INPUT"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    NOT_FOUND = "NOT_FOUND"
    DUPLICATE_KEY = "DUPLICATE_KEY"
    INVALID = "INVALID"
    WRITE_ERROR = "WRITE_ERROR"
    PROCESSING_ERROR = "PROCESSING_ERROR"
    CANCELLED = "CANCELLED"
    UNCHANGED = "UNCHANGED"
    EXPORTED = "EXPORTED"
    # A restore left the entity as it is: someone changed it after the action wrote it.
    CHANGED_SINCE = "CHANGED_SINCE"


# What a row of these reasons says, whichever action logs it: stored once here, not with each
# row (a row of one of them without a message reads with it).
STANDARD_MESSAGES: dict[str, str] = {
    LogReason.DUPLICATE_IN_INPUT: "An earlier row of this action has the same key.",
    LogReason.ALREADY_EXISTS: "An entity with this key already exists.",
    LogReason.UNCHANGED: "The entity already looked as asked.",
    LogReason.CANCELLED: "The action was cancelled before this row was processed.",
}


class ActionLog(NamedTuple):
    """One row's outcome, as it is read back (a page makes one per row it shows: a tuple is
    made in half the time of a frozen dataclass)."""

    row: int
    status: LogStatus
    reason: LogReason
    entity_id: str | None
    message: str | None
    at: datetime
    source_row: int | None = None  # a restore's or a retry's: the original action's row
    batch: int | None = None  # a drip action's: the batch the row ran in


class LoggedRow(TypedDict):
    row: int
    reason: str
    entity_id: NotRequired[str]
    message: NotRequired[str]
    source_row: NotRequired[int]


class LoggedRun(TypedDict):
    """Consecutive rows logged with one reason and nothing else, or nothing but their entity
    ids (`ids`: each row's, as its 12 bytes, in row order)."""

    first: int
    last: int
    reason: str
    ids: NotRequired[bytes]


# A row's log stored in a run with ids: its reason and its entity id's bytes; and rows of a
# block so stored, with their numbers.
IdRow = tuple[str, bytes]
IdRows = list[tuple[int, str, bytes]]
ID_BYTES = 12


class LogBlock(Document):
    """The logs of one chunk's rows of one status within one block."""

    id: str  # type: ignore[assignment]  # "<action_id>:<block>:<first row>"
    action_id: PydanticObjectId
    account_id: str
    seq: int  # the chunk's
    batch: int | None = None  # the chunk's drip batch
    block: int
    status: LogStatus
    at: datetime
    rows: list[LoggedRow]
    # Rows whose log is only their row and reason, as runs of consecutive rows.
    runs: list[LoggedRun] = Field(default_factory=list)
    # When it is deleted (LOG_RETENTION_DAYS after `at`): a TTL index on mongod; the sweeper
    # on FerretDB v1, which has none. Blocks written before it existed are kept.
    expires_at: datetime | None = None

    class Settings:
        name = "log_blocks"
        indexes: ClassVar[list[IndexModel]] = [
            # A page of any status reads blocks; a page of one status reads the chunks
            # that have rows of it (their counts say which).
            IndexModel([("action_id", ASCENDING), ("block", ASCENDING)]),
            IndexModel([("action_id", ASCENDING), ("seq", ASCENDING), ("status", ASCENDING)]),
            IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0),
        ]


def block_of(row: int) -> int:
    return (row - 1) // BLOCK_ROWS


def logged_row(
    row: int,
    reason: str,
    entity_id: str | None,
    message: str | None,
    source_row: int | None = None,
) -> LoggedRow:
    logged: LoggedRow = {"row": row, "reason": reason}
    if entity_id is not None:
        logged["entity_id"] = entity_id
    if message is not None:
        logged["message"] = message[:MAX_MESSAGE_CHARS]
    if source_row is not None:
        logged["source_row"] = source_row
    return logged


def block_documents(
    action_id: PydanticObjectId,
    account_id: str,
    seq: int,
    at: datetime,
    rows: Iterable[tuple[LogStatus, LoggedRow]],
    expires_at: datetime | None = None,
    batch: int | None = None,
) -> list[dict[str, Any]]:
    """The documents that store a chunk's rows (of drip `batch`): one per block and status
    among them, in that order, each its rows in row order: those logged with more than their
    row, reason and an ObjectId's id in `rows`, the others in `runs` (`stored_form`)."""
    as_stored = stored_form(action_id)
    groups: dict[tuple[int, LogStatus], tuple[list[LoggedRow], list[tuple[int, str]], IdRows]] = {}
    for status, logged in rows:  # every row of every chunk: the fewest calls
        place = ((logged["row"] - 1) // BLOCK_ROWS, status)
        if (group := groups.get(place)) is None:
            group = groups[place] = ([], [], [])
        kept = as_stored(logged)
        if isinstance(kept, str):
            group[1].append((logged["row"], kept))
        elif isinstance(kept, tuple):
            group[2].append((logged["row"], *kept))
        else:
            group[0].append(kept)
    documents = []
    for (block, status), (stored, plain, with_ids) in sorted(groups.items()):
        stored.sort(key=by_row)  # a chunk's outcomes come in row order: a walk
        plain.sort()
        with_ids.sort()
        runs = sorted(runs_of(plain) + id_runs_of(with_ids), key=by_first)
        first = min([logged["row"] for logged in stored[:1]] + [run["first"] for run in runs[:1]])
        documents.append(
            {
                "_id": f"{action_id}:{block}:{first}",
                "action_id": action_id,
                "account_id": account_id,
                "seq": seq,
                **({} if batch is None else {"batch": batch}),
                "block": block,
                "status": str(status),
                "at": at,
                "expires_at": expires_at,
                "rows": stored,
                **({"runs": runs} if runs else {}),
            }
        )
    return documents


def runs_of(rows: list[tuple[int, str]]) -> list[LoggedRun]:
    """Rows and reasons in row order as runs of consecutive rows with one reason."""
    runs: list[LoggedRun] = []
    for row, reason in rows:
        if runs and (last := runs[-1])["last"] == row - 1 and last["reason"] == reason:
            last["last"] = row
        elif not runs or runs[-1]["last"] != row:  # a row twice keeps its first entry
            runs.append({"first": row, "last": row, "reason": reason})
    return runs


def id_runs_of(rows: IdRows) -> list[LoggedRun]:
    """Rows, reasons and packed entity ids in row order as runs of consecutive rows with one
    reason, each with its rows' ids end to end."""
    runs: list[LoggedRun] = []
    ids: list[list[bytes]] = []
    for row, reason, packed in rows:
        if runs and (last := runs[-1])["last"] == row - 1 and last["reason"] == reason:
            last["last"] = row
            ids[-1].append(packed)
        elif not runs or runs[-1]["last"] != row:  # a row twice keeps its first entry
            runs.append({"first": row, "last": row, "reason": reason})
            ids.append([packed])
    for run, packed_ids in zip(runs, ids, strict=True):
        run["ids"] = b"".join(packed_ids)
    return runs


def packed_id(entity_id: str | None) -> bytes | None:
    """An entity id as a run stores it: an ObjectId's 12 bytes, which read back as the same
    text (None for any other id, which is stored as it is)."""
    if entity_id is None or len(entity_id) != 2 * ID_BYTES:
        return None
    try:
        packed = bytes.fromhex(entity_id)
    except ValueError:
        return None
    return packed if packed.hex() == entity_id else None


by_row = itemgetter("row")
by_first = itemgetter("first")


def stored_form(action_id: PydanticObjectId) -> Callable[[LoggedRow], LoggedRow | str | IdRow]:
    """A row's log as stored: an insert under its planned id leaves the id out (`entity_of`),
    and a log that is then only its row and reason is that reason, for a run; one that is
    only its row, reason and an ObjectId's text is the reason and the id's bytes, for a run
    with ids. Made once per chunk, as it runs for every row: planned_ids works out their
    common prefix once."""
    planned = planned_ids(action_id)
    inserted = str(LogReason.INSERTED)

    def stored(logged: LoggedRow) -> LoggedRow | str | IdRow:
        if (said := logged.get("message")) is not None and said == STANDARD_MESSAGES.get(
            logged["reason"]
        ):
            logged = cast(LoggedRow, {k: v for k, v in logged.items() if k != "message"})
        if len(logged) == 2:
            return logged["reason"]
        number = logged["row"]
        if (
            logged["reason"] == inserted
            and 0 < number < MAX_PLANNED_ROWS
            and logged.get("entity_id") == planned(number)
        ):
            if len(logged) == 3:
                return inserted
            kept = dict(logged)
            del kept["entity_id"]
            return cast(LoggedRow, kept)
        if len(logged) == 3 and (packed := packed_id(logged.get("entity_id"))) is not None:
            return logged["reason"], packed
        return logged

    return stored


# What a row of a run holds besides its row and reason.
NOTHING_MORE: dict[str, Any] = {}


def entity_of(
    document: dict[str, Any], row: int, reason: str, logged: dict[str, Any]
) -> str | None:
    """A logged row's entity id: stored, or for an insert, the id planned for its row."""
    if (entity_id := logged.get("entity_id")) is not None:
        return str(entity_id)
    if reason == LogReason.INSERTED:
        return planned_id(document["action_id"], row)
    return None


def rows_of_run(run: dict[str, Any], after: int) -> Iterator[tuple[int, dict[str, Any]]]:
    """The rows of a run after row `after`, each with what its log holds besides its row and
    reason: nothing, or its entity id (read from the run's `ids`)."""
    rows = range(max(run["first"], after + 1), run["last"] + 1)
    if (ids := run.get("ids")) is None:
        return ((row, NOTHING_MORE) for row in rows)
    first = run["first"]
    return (
        (row, {"entity_id": ids[(row - first) * ID_BYTES : (row - first + 1) * ID_BYTES].hex()})
        for row in rows
    )


# Stored statuses and reasons as their members, looked up without the enums' own call.
STATUSES: dict[str, LogStatus] = {str(status): status for status in LogStatus}
REASONS: dict[str, LogReason] = {str(reason): reason for reason in LogReason}


def read_rows(documents: Iterable[dict[str, Any]], after: int = 0) -> Iterator[ActionLog]:
    """The rows after row `after` of these documents, in row order, each row once (a chunk
    split after an earlier delivery had logged it may log a row under two ids, with the same
    outcome). Each log is made when it is asked for: a page that is full makes no more."""
    documents = list(documents)
    found: list[tuple[int, dict[str, Any], str, dict[str, Any]]] = [
        (logged["row"], logged, logged["reason"], document)
        for document in documents
        for logged in document["rows"]
        if logged["row"] > after
    ]
    found += [
        (row, logged, run["reason"], document)
        for document in documents
        for run in document.get("runs", ())
        for row, logged in rows_of_run(run, after)
    ]
    found.sort(key=itemgetter(0))
    seen: set[int] = set()
    for row, logged, reason, document in found:
        if row in seen:
            continue
        seen.add(row)
        yield ActionLog(
            row=row,
            status=STATUSES.get(document["status"]) or LogStatus(document["status"]),
            reason=REASONS.get(reason) or LogReason(reason),
            entity_id=entity_of(document, row, reason, logged),
            message=logged.get("message", STANDARD_MESSAGES.get(reason)),
            at=document["at"],
            source_row=logged.get("source_row"),
            batch=document.get("batch"),
        )
