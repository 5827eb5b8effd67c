"""The outcome of each input row of an action, stored in blocks of consecutive rows.

Rows are numbered 1, 2, 3… in input order, so block n holds rows n·100+1 to n·100+100. A chunk
writes one document per block its rows fall in (two chunks meeting inside a block write one
each), under an id made of the action, the block and its first row: a redelivered chunk
writes the same ids, so the first delivery's logs stay.

Why blocks rather than one document per row: a page of logs is one or two equality reads,
never a range over a million documents (FerretDB v1, the development stand-in, only pushes
equality filters down), and a chunk of 1,000 rows inserts 10 documents, not 1,000.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from itertools import groupby
from typing import Any, ClassVar, NotRequired

from beanie import Document, PydanticObjectId
from pymongo import ASCENDING, IndexModel
from typing_extensions import TypedDict

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


@dataclass(frozen=True)
class ActionLog:
    """One row's outcome, as it is read back."""

    row: int
    status: LogStatus
    reason: LogReason
    entity_id: str | None
    message: str | None
    at: datetime


class LoggedRow(TypedDict):
    row: int
    status: str
    reason: str
    entity_id: NotRequired[str]
    message: NotRequired[str]


class LogBlock(Document):
    id: str  # type: ignore[assignment]  # "<action_id>:<block>:<first row>"
    action_id: PydanticObjectId
    account_id: str
    block: int
    at: datetime
    rows: list[LoggedRow]

    class Settings:
        name = "log_blocks"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("action_id", ASCENDING), ("block", ASCENDING)]),
        ]


def block_of(row: int) -> int:
    return (row - 1) // BLOCK_ROWS


def logged_row(
    row: int, status: str, reason: str, entity_id: str | None, message: str | None
) -> LoggedRow:
    logged: LoggedRow = {"row": row, "status": status, "reason": reason}
    if entity_id is not None:
        logged["entity_id"] = entity_id
    if message is not None:
        logged["message"] = message[:MAX_MESSAGE_CHARS]
    return logged


def block_documents(
    action_id: PydanticObjectId, account_id: str, at: datetime, rows: Iterable[LoggedRow]
) -> list[dict[str, Any]]:
    """The documents that store these rows (in row order), one per block they fall in."""
    documents = []
    for block, in_block in groupby(rows, key=lambda logged: block_of(logged["row"])):
        stored = list(in_block)
        documents.append(
            {
                "_id": f"{action_id}:{block}:{stored[0]['row']}",
                "action_id": action_id,
                "account_id": account_id,
                "block": block,
                "at": at,
                "rows": stored,
            }
        )
    return documents


def read_rows(documents: Iterable[dict[str, Any]]) -> Iterator[ActionLog]:
    """The rows of a block's documents in row order, each row once (a chunk split after an
    earlier delivery had logged it may log a row under two ids, with the same outcome)."""
    seen: set[int] = set()
    found = sorted(
        ((logged, document["at"]) for document in documents for logged in document["rows"]),
        key=lambda pair: pair[0]["row"],
    )
    for logged, at in found:
        if logged["row"] in seen:
            continue
        seen.add(logged["row"])
        yield ActionLog(
            row=logged["row"],
            status=LogStatus(logged["status"]),
            reason=LogReason(logged["reason"]),
            entity_id=logged.get("entity_id"),
            message=logged.get("message"),
            at=at,
        )


async def read_block(action_id: PydanticObjectId, block: int) -> list[ActionLog]:
    """The logged rows of one block, in row order: one equality read."""
    cursor = LogBlock.get_pymongo_collection().find({"action_id": action_id, "block": block})
    return list(read_rows(await cursor.to_list()))


async def read_rows_of(action_id: PydanticObjectId, rows: Sequence[int]) -> list[ActionLog]:
    """The logged rows among `rows`, read block by block."""
    wanted = set(rows)
    found: list[ActionLog] = []
    for block in sorted({block_of(row) for row in rows}):
        found.extend(log for log in await read_block(action_id, block) if log.row in wanted)
    return found
