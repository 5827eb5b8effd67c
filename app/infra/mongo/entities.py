"""The entities store: every read and write of the accounts' entities (contacts, companies,
leads…), each kind in its own collection (app.domain.entities).

A chunk reads its targets with one query and writes with one unordered bulk_write, in which
the targets given one same update (an UPDATE setting the same fields on each) are one
`update_many` of their ids, and those deleted on the same conditions one `delete_many`: one
statement where there were as many as targets (on mongod: `writes_by_id_lists`).

FerretDB v1 needs another choice here (`ServerTraits.updates_per_command`): its `update` command
keeps a PostgreSQL connection for every update statement in it until the whole command ends
(`defer` inside its loop over statements), and its pool holds 50. A chunk's bulk_write of 50
updates, or two concurrent ones of 25, takes every connection and then waits for one more:
the server stops answering anything, for good (measured here: a single `bulk_write` of 50
`UpdateOne` never returns; of 5 it takes 20 ms). There, updates go in commands of at most
`FERRETDB_V1.updates_per_command` statements, one such command at a time per process, which keeps
a process's share of the pool small whatever the chunk size. On mongod nothing changes.

One bad row fails alone. A write error of one operation is that row's outcome; a command the
server refuses as a whole for what it holds (FerretDB refuses an insert command whose one
document has an index key PostgreSQL cannot store, after writing the documents before it), or
one the driver cannot encode (a value past validation's bounds: an integer beyond 64 bits), is
split in halves, down to the single operation, so the operations it can store are written and
only those it refuses fail; an `update_many` with an error is sent again as one update per
target, so its targets' outcomes are their own. Operations are idempotent (inserts carry
their planned `_id`), so writing again what the refused command had written already is safe.
If the server refuses every operation, no row is at fault: the error propagates and the chunk
is retried (one the driver cannot encode is its row's fault, whatever the server's state).
Rows are told a short reason; the server's own text, which names its internals, goes
to the worker's log.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

import bson
from bson import ObjectId
from bson.codec_options import CodecOptions
from bson.errors import InvalidDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, ExecutionTimeout, OperationFailure, WriteConcernError
from pymongo.operations import DeleteMany, DeleteOne, InsertOne, UpdateMany, UpdateOne

from app.domain.actions import DeleteById, UpdateById, WriteOp
from app.domain.actions._base import DUPLICATE_KEY_CODE, GONE, STALE
from app.domain.entities import EntitySpec
from app.domain.entities._base import slot_index
from app.infra.mongo import db

log = logging.getLogger(__name__)

# A chunk's read asks for this many documents in its first reply: a chunk holds at most this
# many rows (the largest CHUNK_SIZE), and a reply stays under 16 MB whatever this says;
# servers otherwise send the first 101 and the rest in more round trips.
CHUNK_READ_BATCH = 10_000

_update_turn: asyncio.Lock | None = None

# What goes to the server: a chunk's operations, its UpdateByIds and DeleteByIds made
# PyMongo's (coalesced).
Sent = InsertOne[Any] | UpdateOne | UpdateMany | DeleteOne | DeleteMany
# An operation on one entity by its id, which the store may send with others as one.
ById = UpdateById | DeleteById


class Written(NamedTuple):
    """What sending operations did: the write errors by operation index, and how many
    entities the updates among them matched and the deletes deleted (the server's counts:
    statements that failed are not in them)."""

    errors: dict[int, Any]
    matched: int = 0
    deleted: int = 0

    def then(self, later: "Written", start: int) -> "Written":
        """This and what the operations from `start` on did after it."""
        moved = {start + index: error for index, error in later.errors.items()}
        return Written(
            {**self.errors, **moved},
            self.matched + later.matched,
            self.deleted + later.deleted,
        )


def collection_of(entity: EntitySpec) -> AsyncCollection[Any]:
    return entity.document.get_pymongo_collection()


async def read(
    entity: EntitySpec, query: Mapping[str, Any], projection: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """What a chunk's one query finds, in one reply."""
    return (
        await collection_of(entity).find(query, projection, batch_size=CHUNK_READ_BATCH).to_list()
    )


async def stamps_of(
    entity: EntitySpec, account_id: str, ids: Sequence[str]
) -> dict[str, datetime | None]:
    """The `updated_at` of the account's entities among these ids, by id: one query."""
    query = {"_id": {"$in": [ObjectId(i) for i in ids]}, "account_id": account_id}
    cursor = collection_of(entity).find(query, {"updated_at": 1})
    return {str(doc["_id"]): doc.get("updated_at") async for doc in cursor}


async def newest_id(entity: EntitySpec, account_id: str) -> ObjectId | None:
    """The id of the account's newest entity of this kind, if it has any."""
    newest = await collection_of(entity).find_one(
        {"account_id": account_id}, {"_id": 1}, sort=[("_id", -1)]
    )
    return newest["_id"] if newest else None


async def ids_matching(
    entity: EntitySpec, query: Mapping[str, Any], batch: int
) -> AsyncGenerator[str, None]:
    """The ids of the entities the query matches, in id order, read `batch` at a time."""
    cursor = collection_of(entity).find(query, {"_id": 1}, sort=[("_id", 1)], batch_size=batch)
    try:
        async for found in cursor:
            yield str(found["_id"])
    finally:
        await cursor.close()


async def holds_values(entity: EntitySpec, account_id: str, field: str) -> bool:
    """Whether any of the account's entities has a value in the field."""
    found = await collection_of(entity).find_one(
        {"account_id": account_id, f"data.{field}": {"$ne": None}}, {"_id": 1}
    )
    return found is not None


async def clear_field(entity: EntitySpec, account_id: str, field: str, slot: str | None) -> int:
    """Removes the field's values (and its unique slot) from the account's entities."""
    unset = {f"data.{field}": "", **({slot: ""} if slot else {})}
    held: list[dict[str, Any]] = [{path: {"$exists": True}} for path in unset]
    done = await collection_of(entity).update_many(
        {"account_id": account_id, "$or": held}, {"$unset": unset}
    )
    return done.modified_count


async def index_slot(entity: EntitySpec, slot: int) -> None:
    """Makes sure the slot's unique index is there before a field stores values in it: on
    mongod it was made ahead (sparse, it holds only the entities with a value); where a
    sparse index would hold every entity (FerretDB v1), it is made now, when a field first
    takes the slot (it cannot clash: no entity holds a value there yet)."""
    if db.traits().sparse_indexes_hold_every_document:
        await collection_of(entity).create_indexes([slot_index(slot)])


async def count(entity: EntitySpec, query: Mapping[str, Any], max_time_ms: int) -> int:
    return int(await collection_of(entity).count_documents(query, maxTimeMS=max_time_ms))


async def write(entity: EntitySpec, ops: Sequence[WriteOp]) -> dict[int, Any]:
    """Runs the operations unordered; returns the write errors by operation index.

    Errors of single operations are outcomes of rows; any other error propagates, so the
    chunk is retried.
    """
    return await bulk_write(collection_of(entity), ops)


async def bulk_write(collection: AsyncCollection[Any], ops: Sequence[WriteOp]) -> dict[int, Any]:
    """The chunk's operations, with targets given the same update sent as one `update_many`
    (a chunk that sets the same fields on a thousand targets is one statement, not a
    thousand). A group with an error is written again target by target: its targets' outcomes
    are their own (the updates are idempotent), so one bad target fails alone. A target
    another writer deleted since the chunk's read is that row's error (`gone`)."""
    sent = coalesced(ops, collection.codec_options)
    errors: dict[int, Any] = {}
    again: list[tuple[int, ById]] = []
    first = await sent_unordered(collection, [item.op for item in sent])
    for index, error in first.errors.items():
        if targets := sent[index].targets:
            again.extend(targets)
        else:
            errors[sent[index].at] = error
    found = await sent_unordered(collection, [one_op(op) for _, op in again])
    errors.update({again[index][0]: error for index, error in found.errors.items()})
    updated = [(index, op) for index, op in enumerate(ops) if isinstance(op, UpdateById)]
    if updated and not all_matched(ops, errors, first, bool(again)):
        errors.update(await gone(collection, [item for item in updated if item[0] not in errors]))
    removed = [
        (index, op)
        for index, op in enumerate(ops)
        if isinstance(op, DeleteById) and index not in errors
    ]
    if removed and first.deleted + found.deleted < len(removed):
        errors.update(await not_deleted(collection, removed))
    if ops and len(errors) == len(ops) and all(e.get("refused") for e in errors.values()):
        raise EveryRowRefused(f"the database refused all {len(ops)} writes of the chunk")
    return errors


def all_matched(
    ops: Sequence[WriteOp], errors: dict[int, Any], first: Written, again: bool
) -> bool:
    """Whether the server matched an entity for every update of the chunk, told from its
    count alone: only when no update failed (a failed statement's partial matches would
    blur the count) and none went again target by target."""
    updates = [index for index, op in enumerate(ops) if isinstance(op, UpdateById | UpdateOne)]
    if again or any(index in errors for index in updates):
        return False
    return first.matched == len(updates)


async def gone(
    collection: AsyncCollection[Any], updated: Sequence[tuple[int, UpdateById]]
) -> dict[int, Any]:
    """The updates whose entity is no longer there, as their rows' errors (`gone`), and
    those whose entity is there but not stamped by this write (`stale`: changed by another
    writer since, or a condition unmet, such as an increment made already, which the action
    tells apart): one read, made only when the server matched fewer entities than the chunk
    updated (or a write failed, whose statements' counts are not the rows')."""
    if not updated:
        return {}
    ids = [op.id for _, op in updated]
    found = collection.find(
        {"_id": {"$in": ids}}, {"_id": 1, "updated_at": 1}, batch_size=CHUNK_READ_BATCH
    )
    stamped = {doc["_id"]: doc.get("updated_at") async for doc in found}
    errors: dict[int, Any] = {}
    for index, op in updated:
        if op.id not in stamped:
            errors[index] = dict(GONE_ERROR)
        elif stamped[op.id] != op.update.get("$set", {}).get("updated_at"):
            errors[index] = dict(STALE_ERROR)
    return errors


async def not_deleted(
    collection: AsyncCollection[Any], removed: Sequence[tuple[int, DeleteById]]
) -> dict[int, Any]:
    """The deletes whose entity is still there, as their rows' errors (`stale`: a condition
    unmet, such as a restore's that the entity be unchanged since): one read, made only when
    the server deleted fewer entities than the chunk asked (the others were gone already)."""
    found = collection.find(
        {"_id": {"$in": [op.id for _, op in removed]}}, {"_id": 1}, batch_size=CHUNK_READ_BATCH
    )
    there = {doc["_id"] async for doc in found}
    return {index: dict(STALE_ERROR) for index, op in removed if op.id in there}


class EveryRowRefused(Exception):
    """Every operation of a chunk was refused: not one row's fault (the chunk is retried)."""


class Coalesced(NamedTuple):
    """An operation sent, and the chunk's operation it stands for (`at`), or its group's."""

    op: Sent
    at: int = -1
    targets: tuple[tuple[int, ById], ...] = ()


def coalesced(ops: Sequence[WriteOp], options: CodecOptions[Any]) -> list[Coalesced]:
    """What is sent for the operations: the `UpdateById`s of one same update as one
    `update_many` of their ids, the `DeleteById`s of the same conditions as one
    `delete_many`, every other operation as it is."""
    sent: list[Coalesced] = []
    groups: dict[bytes, list[tuple[int, ById]]] = {}
    grouping = writes_by_id_lists()
    for index, op in enumerate(ops):
        if not isinstance(op, ById):
            sent.append(Coalesced(op, index))
        elif not grouping or (same := alike(op, options)) is None:
            sent.append(Coalesced(one_op(op), index))
        else:
            groups.setdefault(same, []).append((index, op))
    for group in groups.values():
        if len(group) == 1:
            sent.append(Coalesced(one_op(group[0][1]), group[0][0]))
        else:
            sent.append(Coalesced(many_of([op for _, op in group]), -1, tuple(group)))
    return sent


def alike(op: ById, options: CodecOptions[Any]) -> bytes | None:
    """What operations sent as one share: the update and conditions, as BSON (`encoded`)."""
    if isinstance(op, UpdateById):
        return encoded(op.update, options, op.where)
    found = encoded({}, options, op.where)
    return None if found is None else b"delete" + found


def many_of(group: Sequence[ById]) -> UpdateMany | DeleteMany:
    """The one operation of a group of alike ones, on the list of their ids."""
    first = group[0]
    ids: dict[str, Any] = {"_id": {"$in": [op.id for op in group]}}
    if isinstance(first, UpdateById):
        return UpdateMany(ids | dict(first.where or {}), first.update)
    return DeleteMany(ids | dict(first.where or {}))


def one_op(op: ById) -> UpdateOne | DeleteOne:
    if isinstance(op, UpdateById):
        return one_update(op)
    return DeleteOne({"_id": op.id} if op.where is None else {"_id": op.id, **op.where})


def writes_by_id_lists() -> bool:
    """Whether targets given one same update (or deleted on the same conditions) go as one
    `update_many` (`delete_many`) of their ids: not where the server reads the whole
    collection for `_id: {$in}` (FerretDB v1.24.2 as released); there one update a target,
    each found by its `_id`, cost less database CPU (bench/cost's UPDATE at 1b937d5 and
    01bfb1e: 5.5 ms a row against 7.3). Elsewhere one `delete_many` of 1,000 ids cost the
    scripts' FerretDB 98 µs of CPU a row, where 1,000 `DeleteOne`s cost 1,222."""
    return not db.traits().reads_all_for_id_lists


def encoded(
    update: Mapping[str, Any], options: CodecOptions[Any], where: Mapping[str, Any] | None = None
) -> bytes | None:
    """The update (and its conditions) as BSON, which tells equal updates apart exactly (1,
    1.0 and True differ); None if it cannot be encoded (sent alone, the driver says why)."""
    try:
        found = bson.encode(update, codec_options=options)
        return found if where is None else found + bson.encode(where, codec_options=options)
    except (InvalidDocument, TypeError, ValueError, OverflowError):
        return None


def one_update(op: UpdateById) -> UpdateOne:
    return UpdateOne({"_id": op.id} if op.where is None else {"_id": op.id, **op.where}, op.update)


async def sent_unordered(collection: AsyncCollection[Any], ops: Sequence[Sent]) -> Written:
    """Sends the operations in the commands the server takes (`command_batches`)."""
    written = Written({})
    for start, batch in command_batches(ops):
        async with update_turn():
            written = written.then(await write_unordered(collection, batch), start)
    return written


def command_batches(ops: Sequence[Sent]) -> list[tuple[int, Sequence[Sent]]]:
    """The commands a chunk's operations go in: one on mongod, small ones on FerretDB."""
    per_command = db.traits().updates_per_command
    return [(0, ops)] if per_command is None else update_batches(ops, per_command)


async def write_unordered(collection: AsyncCollection[Any], ops: Sequence[Sent]) -> Written:
    if not ops:
        return Written({})
    try:
        done = await collection.bulk_write(list(ops), ordered=False)
    except BulkWriteError as exc:
        if exc.details.get("writeConcernErrors"):
            raise
        errors = {error["index"]: for_row(error) for error in exc.details.get("writeErrors", [])}
        return Written(errors, exc.details.get("nMatched", 0), exc.details.get("nRemoved", 0))
    except OperationFailure as exc:
        if not refused_for_content(exc):
            raise
        if len(ops) == 1:
            if names_a_duplicate_key(exc):
                return Written({0: for_row({"code": DUPLICATE_KEY_CODE, "errmsg": str(exc)})})
            return Written({0: for_row({"code": exc.code, "errmsg": str(exc)}, refused=True)})
        return await written_in_halves(collection, ops)
    except UNENCODABLE as exc:
        # The driver cannot encode an operation (an integer beyond 64 bits): it raised before
        # sending the batch that holds it, and may have sent batches before it. The row is
        # at fault whatever the server's state: not a refusal that a retry may get past.
        if len(ops) == 1:
            log.warning("the driver cannot encode a row's write: %r", exc)
            return Written({0: {"code": None, "errmsg": UNENCODABLE_REASON}})
        return await written_in_halves(collection, ops)
    return Written({}, done.matched_count, done.deleted_count)


async def written_in_halves(collection: AsyncCollection[Any], ops: Sequence[Sent]) -> Written:
    """The operations written again in two halves, down to the operation the server or the
    driver refuses (the others are idempotent: written twice, they hold what they did; an
    increment is made once, app.domain.actions.update_by_id)."""
    middle = len(ops) // 2
    first = await write_unordered(collection, ops[:middle])
    return first.then(await write_unordered(collection, ops[middle:]), middle)


def refused_for_content(exc: OperationFailure) -> bool:
    """The server refused the command for what it holds, not for a passing fault (which a
    retry of the chunk gets over): not retryable, not a time limit, not a write concern."""
    if isinstance(exc, ExecutionTimeout | WriteConcernError):
        return False
    return not (exc.has_error_label("RetryableWriteError") or exc.code in PASSING_FAULT_CODES)


def names_a_duplicate_key(exc: OperationFailure) -> bool:
    """Whether a command split down to one update was refused for a unique index (FerretDB v1:
    `ServerTraits.duplicate_updates_fail_the_command`); mongod answers code 11000 instead."""
    return db.traits().duplicate_updates_fail_the_command and "SQLSTATE 23505" in str(exc)


# What PyMongo raises for an operation it cannot encode as BSON, before sending it.
UNENCODABLE = (InvalidDocument, OverflowError)
# Server error codes of passing faults: shutdowns, elections, interruptions, network, limits.
PASSING_FAULT_CODES = frozenset(
    {6, 7, 50, 89, 91, 112, 189, 262, 9001, 10107, 11600, 11601, 11602, 13435, 13436}
)
SHOWN_REASONS = {DUPLICATE_KEY_CODE: "Another entity of the account holds this unique key."}
REFUSED = "The database refused to store this row."
UNENCODABLE_REASON = "A value of this row is beyond what the database stores (a 64-bit integer)."
LOGGED_ERROR_CHARS = 500
# A row's error where its target was deleted by another writer since the chunk's read.
GONE_ERROR = {"code": None, "errmsg": "The entity was deleted while the action ran.", GONE: True}
# A row's error where its target is there but not as its write left it (`STALE`).
STALE_ERROR = {"code": None, "errmsg": "Another writer changed the entity.", STALE: True}


def for_row(error: Mapping[str, Any], refused: bool = False) -> dict[str, Any]:
    """A write error as a row's outcome tells it: its code and a short reason. The server's
    text, which names its internals, is logged here."""
    code = error.get("code")
    if code != DUPLICATE_KEY_CODE:
        # The server's text can quote the whole row: a few hundred characters tell why.
        said = str(error.get("errmsg"))[:LOGGED_ERROR_CHARS]
        log.warning("the database refused a row's write (code %s): %s", code, said)
    shown = {"code": code, "errmsg": REFUSED if code is None else SHOWN_REASONS.get(code, REFUSED)}
    return {**shown, "refused": True} if refused else shown


def update_batches(ops: Sequence[Sent], per_command: int) -> list[tuple[int, Sequence[Sent]]]:
    """The operations cut into consecutive batches of at most `per_command` update statements
    each (inserts and deletes ride along), with each batch's first index."""
    batches: list[tuple[int, Sequence[Sent]]] = []
    start = updates = 0
    for index, op in enumerate(ops):
        if isinstance(op, UpdateOne | UpdateMany):
            if updates == per_command:
                batches.append((start, ops[start:index]))
                start, updates = index, 0
            updates += 1
    if start < len(ops):
        batches.append((start, ops[start:]))
    return batches


def update_turn() -> contextlib.AbstractAsyncContextManager[object]:
    """Where commands are cut small (FerretDB), one at a time in this process (its loop)."""
    global _update_turn
    if db.traits().updates_per_command is None:
        return contextlib.nullcontext()
    if _update_turn is None:
        _update_turn = asyncio.Lock()
    return _update_turn
