"""Uploads under way: each noted before its first byte is stored, its note removed after its
last. GridFS writes a file's chunks as they fill and its file document only at the end, so a
process killed mid-upload leaves chunks that nothing names; their note is what finds them.

An upload takes at most MAX_UPLOAD_SECONDS (the store refuses one that takes longer), so a
note older than that and a grace is a dead upload's: retention takes it (`take_dead`) and then
deletes what the upload stored, and the note last, so a sweep cut short is done again. An
upload ends only by marking its note ended untaken (`end`), then removes it (`forget`): one
that outlived its time, its note taken, keeps nothing. The mark is what lets an end tried
again after an outage lost its answer tell the same.
"""

from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo.asynchronous.collection import AsyncCollection

from app.domain.clock import utcnow
from app.infra.mongo import db

COLLECTION = "uploads.storing"


def notes() -> AsyncCollection[Any]:
    return db.current_database()[COLLECTION]


async def begin(upload_id: ObjectId, account_id: str) -> None:
    """Notes an upload before its first byte is stored; noting it again changes nothing (a
    note whose answer an outage lost is tried again)."""
    note = {"_id": upload_id, "account_id": account_id, "started_at": utcnow()}
    await db.insert_new(notes(), [note])


async def end(upload_id: ObjectId) -> bool:
    """Marks the note of an upload stored whole as ended; False when retention took it first
    (the upload outlived its time, and what it stored is being deleted). Tried again after an
    outage lost its answer, it answers the same; `forget` then removes the note. The mark and
    retention's take are each made only where the other is not, so one of them holds."""
    marked = await notes().update_one(
        {"_id": upload_id, "taken": {"$exists": False}}, {"$set": {"ended": True}}
    )
    if not db.traits().loses_concurrent_updates:
        return marked.matched_count == 1
    # FerretDB v1 can apply both of two conditional updates of one note made at once, or lose
    # one: which marks the note kept tells.
    ended = {"_id": upload_id, "ended": True, "taken": {"$exists": False}}
    return await notes().find_one(ended, {"_id": 1}) is not None


async def forget(upload_id: ObjectId) -> None:
    """Removes the note of an upload ended, or whose bytes were deleted."""
    await notes().delete_one({"_id": upload_id})


async def take_dead(started_before: datetime, limit: int) -> list[ObjectId]:
    """Notes of uploads started before `started_before`, taken (their uploads can no longer
    end), oldest first: the ids of the uploads whose bytes are to be deleted, then their
    notes (`forget`). Found again when a sweep stops before that."""
    unended = {"ended": {"$exists": False}}
    cursor = notes().find(
        {"started_at": {"$lt": started_before}, **unended},
        {"_id": 1},
        sort=[("started_at", 1)],
        limit=limit,
    )
    found = [doc["_id"] async for doc in cursor]
    if not found:
        return []
    await notes().update_many({"_id": {"$in": found}, **unended}, {"$set": {"taken": True}})
    # Those whose upload ended in the meantime are marked ended, or gone: not these.
    cursor = notes().find({"_id": {"$in": found}, "taken": True, **unended}, {"_id": 1})
    return [doc["_id"] async for doc in cursor]


async def forget_ended(started_before: datetime) -> int:
    """Removes the notes of uploads that ended whole but whose process died before removing
    them (their uploads are kept: what no action names goes with abandoned uploads)."""
    removed = await notes().delete_many({"started_at": {"$lt": started_before}, "ended": True})
    return removed.deleted_count
