"""Running a chunk's writes: one unordered bulk_write on MongoDB.

The one place that bends for FerretDB (`ferretdb_batches`): FerretDB v1's `update` command
keeps a PostgreSQL connection for every update statement in it until the whole command ends
(`defer` inside its loop over statements), and its pool holds 50. A chunk's bulk_write of 50
updates, or two concurrent ones of 25, takes every connection and then waits for one more:
the server stops answering anything, for good (measured here: a single `bulk_write` of 50
`UpdateOne` never returns; of 5 it takes 20 ms). There, updates go in commands of at most
`FERRETDB_UPDATES_PER_COMMAND` statements, one such command at a time per process, which keeps
a process's share of the pool small whatever the chunk size. On mongod nothing changes.
"""

import asyncio
from collections.abc import Sequence
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError
from pymongo.operations import UpdateOne

from app.domain.actions import WriteOp
from app.infra import db

FERRETDB_UPDATES_PER_COMMAND = 8

_update_turn: asyncio.Lock | None = None


async def bulk_write(collection: AsyncCollection[Any], ops: Sequence[WriteOp]) -> dict[int, Any]:
    """Runs the operations unordered; returns the write errors by operation index.

    Errors of single operations are outcomes of rows; any other error propagates, so the
    chunk is retried.
    """
    if not db.is_ferretdb():
        return await write_unordered(collection, ops)
    errors: dict[int, Any] = {}
    for start, batch in ferretdb_batches(ops):
        async with update_turn():
            found = await write_unordered(collection, batch)
        errors.update({start + index: error for index, error in found.items()})
    return errors


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
        return {error["index"]: error for error in exc.details.get("writeErrors", [])}
    return {}


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


def update_turn() -> asyncio.Lock:
    """One FerretDB update command at a time in this process (its event loop)."""
    global _update_turn
    if _update_turn is None:
        _update_turn = asyncio.Lock()
    return _update_turn
