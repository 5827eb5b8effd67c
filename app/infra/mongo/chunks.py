"""The chunks store: every read and write of chunks (app.domain.models.chunk), their stored
rows and their first attempt's decisions.

Rows and decisions are read and written as plain documents on the hot path: validating a
thousand rows each way was a tenth of a worker's CPU. Each chunk document has one writer at a
time (its counts are written once, with `done`), so nothing here races on FerretDB.
"""

from collections import Counter
from collections.abc import AsyncGenerator, Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from beanie import PydanticObjectId

from app.domain.clock import utcnow
from app.domain.models import BulkAction, Chunk, ChunkDecision, ChunkRows, LogStatus
from app.domain.models.chunk import COUNT_FIELDS
from app.domain.models.ids import saved_id
from app.domain.progress import Counters, final_counters
from app.domain.rows import Decisions, Row
from app.infra.mongo import db
from app.infra.mongo.db import insert_new, insert_new_documents

# Chunk documents per reply when summing counts: about 100 bytes each as projected.
CHUNKS_PER_REPLY = 10_000
# Chunk ids per reply when deleting what an action keeps by chunk.
IDS_PER_REPLY = 1000


async def get(chunk_id: str) -> Chunk | None:
    return await Chunk.get(chunk_id)


async def get_many(chunk_ids: Sequence[str]) -> dict[str, Chunk]:
    """The chunks of these ids that exist, with one query."""
    return {c.id: c for c in await Chunk.find({"_id": {"$in": list(chunk_ids)}}).to_list()}


async def of_action(action_id: PydanticObjectId) -> list[Chunk]:
    return await Chunk.find({"action_id": action_id}).to_list()


async def insert(chunks: Sequence[Chunk]) -> None:
    """Stores new chunks; those an earlier run stored stay as they are."""
    await insert_new_documents(chunks)


async def store_rows(rows_by_chunk: Mapping[str, list[Row]]) -> None:
    """Stores chunks' rows (before their chunks: a chunk is only found with its rows)."""
    await insert_new(
        ChunkRows.get_pymongo_collection(),
        [{"_id": chunk_id, "rows": rows} for chunk_id, rows in rows_by_chunk.items()],
    )


async def rows_of(chunk_id: str) -> list[Row] | None:
    """The chunk's rows as planning stored them (None when they are not stored)."""
    found = await ChunkRows.get_pymongo_collection().find_one({"_id": chunk_id})
    return None if found is None else cast(list[Row], found["rows"])


async def forget_rows(chunk_ids: Sequence[str]) -> None:
    """Deletes these chunks' stored rows: one `$in` delete, or one delete per id where the
    server reads every document for a list of ids (every chunk's rows there)."""
    collection = ChunkRows.get_pymongo_collection()
    if db.traits().reads_all_for_id_lists:
        for chunk_id in chunk_ids:
            await collection.delete_one({"_id": chunk_id})
    else:
        await collection.delete_many({"_id": {"$in": list(chunk_ids)}})


async def done_among(action_id: PydanticObjectId, chunk_ids: Sequence[str]) -> set[str]:
    """Which of the action's chunks of these ids are done: one query (the action's done
    chunks, small documents, where the server filters only equalities itself)."""
    cursor = Chunk.get_pymongo_collection().find(
        {"_id": {"$in": list(chunk_ids)}, "action_id": action_id, "done": True}, {"_id": 1}
    )
    return {chunk["_id"] async for chunk in cursor}


async def store_decisions(rows_id: str, decisions: Decisions) -> None:
    """Stores the first decisions of these rows; raises DuplicateKeyError when some were.
    Inserted once under the rows' id: the unique _id makes the first writer win."""
    await ChunkDecision.get_pymongo_collection().insert_one(
        {"_id": rows_id, "decisions": decisions}
    )


async def replace_decisions(rows_id: str, decisions: Decisions) -> None:
    """Stores decisions of these rows in place of the first ones: writing them found more to
    decide (app.domain.actions.upsert)."""
    await ChunkDecision.get_pymongo_collection().update_one(
        {"_id": rows_id}, {"$set": {"decisions": decisions}}
    )


async def share_decisions(rows_ids: Sequence[str], decisions: Decisions) -> None:
    """Gives parts of a split chunk the decisions the whole chunk had (first writer wins)."""
    await insert_new(
        ChunkDecision.get_pymongo_collection(),
        [{"_id": rows_id, "decisions": decisions} for rows_id in rows_ids],
    )


async def decisions_of(rows_id: str) -> Decisions | None:
    found = await ChunkDecision.get_pymongo_collection().find_one({"_id": rows_id})
    return None if found is None else cast(Decisions, found["decisions"])


async def mark_done(
    chunk_id: str,
    counts: Counter[LogStatus],
    started_at: datetime | None = None,
    written_at: datetime | None = None,
) -> bool:
    """Marks the chunk done with its counts; True for the call that marked it."""
    result = await Chunk.get_pymongo_collection().update_one(
        {"_id": chunk_id, "done": False},
        {
            "$set": {
                "done": True,
                **{field: counts[status] for status, field in COUNT_FIELDS.items()},
                "statuses": [str(status) for status in COUNT_FIELDS if counts[status]],
                "started_at": started_at,
                "written_at": written_at,
                "done_at": utcnow(),
            }
        },
    )
    return result.modified_count == 1


async def set_parts(chunk_id: str, parts: int) -> None:
    await Chunk.get_pymongo_collection().update_one({"_id": chunk_id}, {"$set": {"parts": parts}})


async def set_batch(chunk_id: str, batch: int) -> None:
    """Records the drip batch the chunk runs in (set once: later deliveries run in it)."""
    await Chunk.get_pymongo_collection().update_one(
        {"_id": chunk_id, "batch": None}, {"$set": {"batch": batch}}
    )


async def last_planned_seq(action_id: PydanticObjectId) -> int | None:
    """The seq of the action's last chunk planning wrote (parts aside), if any."""
    found = (
        await Chunk.get_pymongo_collection()
        .find({"action_id": action_id, "parent": None}, {"seq": 1})
        .sort("seq", -1)
        .limit(1)
        .to_list()
    )
    return int(found[0]["seq"]) if found else None


async def chains_of(action_id: PydanticObjectId) -> dict[int, bool]:
    """Whether each of the action's chunks (parts aside) is done, by seq."""
    cursor = Chunk.get_pymongo_collection().find(
        {"action_id": action_id}, {"_id": 1, "seq": 1, "done": 1, "parent": 1}
    )
    return {chunk["seq"]: chunk["done"] async for chunk in cursor if chunk.get("parent") is None}


async def ids_of(action_id: PydanticObjectId) -> AsyncGenerator[list[str], None]:
    """The ids of the action's chunks (parts too), a batch at a time."""
    cursor = Chunk.get_pymongo_collection().find(
        {"action_id": action_id}, {"_id": 1}, batch_size=IDS_PER_REPLY
    )
    try:
        while batch := await cursor.to_list(IDS_PER_REPLY):
            yield [doc["_id"] for doc in batch]
    finally:
        await cursor.close()


async def forget_working_data(action_id: PydanticObjectId, *, rows: bool) -> None:
    """Deletes the action's stored decisions, and its stored rows too when `rows`."""
    kinds = [ChunkDecision, ChunkRows] if rows else [ChunkDecision]
    async for ids in ids_of(action_id):
        for kind in kinds:
            await kind.get_pymongo_collection().delete_many({"_id": {"$in": ids}})


# Reads of where an action's logs are, for the log readers (app.usecases.reading.logs).


async def next_done_row(action_id: PydanticObjectId, after: int) -> int | None:
    """The first row after `after` of a done chunk, if any."""
    found = (
        await Chunk.get_pymongo_collection()
        .find(
            {"action_id": action_id, "done": True, "last_row": {"$gt": after}},
            {"_id": 0, "first_row": 1},
        )
        .sort("last_row", 1)
        .limit(1)
        .to_list()
    )
    return max(found[0]["first_row"], after + 1) if found else None


async def previous_done_row(action_id: PydanticObjectId, before: int | None) -> int | None:
    """The last row before `before` (or of all) of a done chunk, if any."""
    query: dict[str, Any] = {"action_id": action_id, "done": True}
    if before is not None:
        query["first_row"] = {"$lt": before}
    cursor = Chunk.get_pymongo_collection().find(query, {"_id": 0, "last_row": 1})
    found = await cursor.sort("first_row", -1).limit(1).to_list()
    if not found:
        return None
    last_row = int(found[0]["last_row"])
    return last_row if before is None else min(last_row, before - 1)


async def with_status_after(
    action_id: PydanticObjectId, status: LogStatus, after: int, limit: int
) -> list[dict[str, Any]]:
    """The next done chunks (or parts) after row `after` with rows of this status: their
    `seq` and `last_row`. `statuses` is an equality, which FerretDB answers from an index."""
    query = {"action_id": action_id, "statuses": str(status), "last_row": {"$gt": after}}
    cursor = Chunk.get_pymongo_collection().find(query, {"_id": 0, "seq": 1, "last_row": 1})
    return await cursor.sort("last_row", 1).limit(limit).to_list()


async def with_status_before(
    action_id: PydanticObjectId, status: LogStatus, before: int | None, limit: int
) -> list[dict[str, Any]]:
    """The done chunks (or parts) before row `before` with rows of this status, the latest
    first: their `seq` and `first_row`."""
    query: dict[str, Any] = {"action_id": action_id, "statuses": str(status)}
    if before is not None:
        query["first_row"] = {"$lt": before}
    cursor = Chunk.get_pymongo_collection().find(query, {"_id": 0, "seq": 1, "first_row": 1})
    return await cursor.sort("first_row", -1).limit(limit).to_list()


# An action's progress: the sum of its chunks' counts.


def counting_query(action_ids: Sequence[PydanticObjectId]) -> dict[str, Any]:
    # One action is an equality, which every server answers from an index.
    return {"action_id": action_ids[0] if len(action_ids) == 1 else {"$in": list(action_ids)}}


def sums_pipeline(action_ids: Sequence[PydanticObjectId]) -> list[dict[str, Any]]:
    """One $group that sums the actions' chunks as `sum_in_python` does: rows planned (in
    chunks that are not parts), outcome counts of done chunks (parts carry a split chunk's
    counts), and done chunks (parts aside)."""
    top = {"$eq": [{"$ifNull": ["$parent", None]}, None]}
    done = {"$eq": ["$done", True]}

    def when(condition: dict[str, Any], value: Any) -> dict[str, Any]:
        return {"$sum": {"$cond": [condition, value, 0]}}

    return [
        {"$match": counting_query(action_ids)},
        {
            "$group": {
                "_id": "$action_id",
                **{
                    field: when(done, {"$ifNull": [f"${field}", 0]})
                    for field in COUNT_FIELDS.values()
                },
                "chunks_done": when({"$and": [done, top]}, 1),
                "planned": when(top, {"$ifNull": ["$size", 0]}),
            }
        },
    ]


def counters_from_group(found: Sequence[Mapping[str, Any]]) -> dict[Any, Counters]:
    return {
        doc["_id"]: Counters(
            succeeded=doc["succeeded"],
            failed=doc["failed"],
            skipped=doc["skipped"],
            chunks_done=doc["chunks_done"],
            planned=doc["planned"],
        )
        for doc in found
    }


def sum_in_python(chunks: Sequence[Mapping[str, Any]]) -> dict[Any, Counters]:
    """The same sums over the chunks' projected documents, added up here."""
    sums: dict[Any, list[int]] = {}
    for chunk in chunks:
        figures = sums.setdefault(chunk["action_id"], [0, 0, 0, 0, 0])
        if chunk.get("parent") is None:
            figures[4] += chunk.get("size", 0)
        if not chunk.get("done"):
            continue
        for n, field in enumerate(COUNT_FIELDS.values()):  # succeeded, failed, skipped
            figures[n] += chunk.get(field, 0)
        figures[3] += chunk.get("parent") is None
    return {action_id: Counters(*figures) for action_id, figures in sums.items()}


async def sums_of(action_ids: Sequence[PydanticObjectId]) -> dict[PydanticObjectId, Counters]:
    """The actions' counts summed over their chunks, with one command for all of them.

    mongod sums with one $group. FerretDB v1 answers wrong figures for a $group with several
    $sum accumulators, so there the chunks' few fields are read and added up here."""
    if not action_ids:
        return {}
    collection = Chunk.get_pymongo_collection()
    if db.traits().wrong_group_sums:
        projection = {
            "_id": 0,
            "action_id": 1,
            "done": 1,
            "size": 1,
            "parent": 1,
            **dict.fromkeys(COUNT_FIELDS.values(), 1),
        }
        # A few small fields per chunk: one reply holds a page of actions' chunks.
        found = collection.find(counting_query(action_ids), projection, batch_size=CHUNKS_PER_REPLY)
        summed = sum_in_python(await found.to_list())
    else:
        grouped = await collection.aggregate(sums_pipeline(action_ids))
        summed = counters_from_group(await grouped.to_list())
    return {action_id: summed.get(action_id, Counters()) for action_id in action_ids}


async def progress_of(actions: Sequence[BulkAction]) -> list[Counters]:
    """Each action's counts: frozen ones as the action holds them, the running ones' summed
    over their chunks with one command."""
    frozen = [final_counters(action) for action in actions]
    running = [saved_id(a) for a, counts in zip(actions, frozen, strict=True) if counts is None]
    summed = await sums_of(running)
    return [
        counts or summed[saved_id(action)] for action, counts in zip(actions, frozen, strict=True)
    ]


async def progress(action: BulkAction) -> Counters:
    return (await progress_of([action]))[0]
