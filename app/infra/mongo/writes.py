"""Running a chunk's writes: one unordered bulk_write on MongoDB.

The one place that bends for FerretDB (`ferretdb_batches`): FerretDB v1's `update` command
keeps a PostgreSQL connection for every update statement in it until the whole command ends
(`defer` inside its loop over statements), and its pool holds 50. A chunk's bulk_write of 50
updates, or two concurrent ones of 25, takes every connection and then waits for one more:
the server stops answering anything, for good (measured here: a single `bulk_write` of 50
`UpdateOne` never returns; of 5 it takes 20 ms). There, updates go in commands of at most
`FERRETDB_UPDATES_PER_COMMAND` statements, one such command at a time per process, which keeps
a process's share of the pool small whatever the chunk size. On mongod nothing changes.

One bad row fails alone. A write error of one operation is that row's outcome; a command the
server refuses as a whole for what it holds (FerretDB refuses an insert command whose one
document has an index key PostgreSQL cannot store, after writing the documents before it) is
split in halves, down to the single operation, so the operations it can store are written and
only those it refuses fail. Operations are idempotent (inserts carry their planned `_id`), so
writing again what the refused command had written already is safe. If every operation is
refused, no row is at fault: the error propagates and the chunk is retried. Rows are told a
short reason; the server's own text, which names its internals, goes to the worker's log.
"""

import asyncio
import contextlib
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, ExecutionTimeout, OperationFailure, WriteConcernError
from pymongo.operations import UpdateOne

from app.domain.actions import WriteOp
from app.domain.actions._base import DUPLICATE_KEY_CODE
from app.infra.mongo import db

log = logging.getLogger(__name__)

FERRETDB_UPDATES_PER_COMMAND = 8

_update_turn: asyncio.Lock | None = None


async def bulk_write(collection: AsyncCollection[Any], ops: Sequence[WriteOp]) -> dict[int, Any]:
    """Runs the operations unordered; returns the write errors by operation index.

    Errors of single operations are outcomes of rows; any other error propagates, so the
    chunk is retried.
    """
    errors: dict[int, Any] = {}
    for start, batch in command_batches(ops):
        async with update_turn():
            found = await write_unordered(collection, batch)
        errors.update({start + index: error for index, error in found.items()})
    if ops and len(errors) == len(ops) and all(e.get("refused") for e in errors.values()):
        raise EveryRowRefused(f"the database refused all {len(ops)} writes of the chunk")
    return errors


class EveryRowRefused(Exception):
    """Every operation of a chunk was refused: not one row's fault (the chunk is retried)."""


def command_batches(ops: Sequence[WriteOp]) -> list[tuple[int, Sequence[WriteOp]]]:
    """The commands a chunk's operations go in: one on mongod, FerretDB's batches there."""
    return ferretdb_batches(ops) if db.is_ferretdb() else [(0, ops)]


async def write_unordered(
    collection: AsyncCollection[Any], ops: Sequence[WriteOp]
) -> dict[int, Any]:
    if not ops:
        return {}
    try:
        await collection.bulk_write(list(ops), ordered=False)
    except BulkWriteError as exc:
        if exc.details.get("writeConcernErrors"):
            raise
        return {error["index"]: for_row(error) for error in exc.details.get("writeErrors", [])}
    except OperationFailure as exc:
        if not refused_for_content(exc):
            raise
        if len(ops) == 1:
            return {0: for_row({"code": exc.code, "errmsg": str(exc)}, refused=True)}
        middle = len(ops) // 2
        first = await write_unordered(collection, ops[:middle])
        second = await write_unordered(collection, ops[middle:])
        return {**first, **{middle + index: error for index, error in second.items()}}
    return {}


def refused_for_content(exc: OperationFailure) -> bool:
    """The server refused the command for what it holds, not for a passing fault (which a
    retry of the chunk gets over): not retryable, not a time limit, not a write concern."""
    if isinstance(exc, ExecutionTimeout | WriteConcernError):
        return False
    return not (exc.has_error_label("RetryableWriteError") or exc.code in PASSING_FAULT_CODES)


# Server error codes of passing faults: shutdowns, elections, interruptions, network, limits.
PASSING_FAULT_CODES = frozenset(
    {6, 7, 50, 89, 91, 112, 189, 262, 9001, 10107, 11600, 11601, 11602, 13435, 13436}
)
SHOWN_REASONS = {DUPLICATE_KEY_CODE: "Another entity of the account holds this unique key."}
REFUSED = "The database refused to store this row."


def for_row(error: Mapping[str, Any], refused: bool = False) -> dict[str, Any]:
    """A write error as a row's outcome tells it: its code and a short reason. The server's
    text, which names its internals, is logged here."""
    code = error.get("code")
    if code != DUPLICATE_KEY_CODE:
        log.warning("the database refused a row's write (code %s): %s", code, error.get("errmsg"))
    shown = {"code": code, "errmsg": REFUSED if code is None else SHOWN_REASONS.get(code, REFUSED)}
    return {**shown, "refused": True} if refused else shown


def ferretdb_batches(ops: Sequence[WriteOp]) -> list[tuple[int, Sequence[WriteOp]]]:
    """The operations cut into consecutive batches of at most FERRETDB_UPDATES_PER_COMMAND
    updates each (inserts and deletes ride along), with each batch's first index."""
    batches: list[tuple[int, Sequence[WriteOp]]] = []
    start = updates = 0
    for index, op in enumerate(ops):
        if isinstance(op, UpdateOne):
            if updates == FERRETDB_UPDATES_PER_COMMAND:
                batches.append((start, ops[start:index]))
                start, updates = index, 0
            updates += 1
    if start < len(ops):
        batches.append((start, ops[start:]))
    return batches


def update_turn() -> contextlib.AbstractAsyncContextManager[object]:
    """On FerretDB, one update command at a time in this process (its event loop)."""
    global _update_turn
    if not db.is_ferretdb():
        return contextlib.nullcontext()
    if _update_turn is None:
        _update_turn = asyncio.Lock()
    return _update_turn
