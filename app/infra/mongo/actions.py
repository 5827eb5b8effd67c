"""The actions store: every read and write of bulk actions (app.domain.models.bulk_action).

Status changes are conditional updates made by app.engine.lifecycle alone (`move`). On
FerretDB v1, which may lose one of two concurrent updates of a document while reporting both,
a conditional update is read back to learn whether it held (`ServerTraits.
loses_concurrent_updates`); mongod answers it with the document as it now is.
"""

import asyncio
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from beanie import PydanticObjectId
from bson import ObjectId
from pymongo import ReturnDocument

from app.domain.models import TERMINAL_STATUSES, BulkAction, BulkActionStatus, WorkingData
from app.infra.mongo import db

ACTIVE_STATUSES = [str(status) for status in BulkActionStatus if status not in TERMINAL_STATUSES]
# Actions this process read lately for what never changes (`as_planned`), and ended ones
# read for their logs (`of_account_to_read`).
RECENT_ACTIONS = 256
# A copy read before planning set the chunk count is read again for it at most this often:
# chains end again and again while planning is still writing (the chunks outpace it), and
# planning, once it has set the count, looks whether the chunks are all done itself.
COUNT_READ_AGAIN_SECONDS = 2.0
_recent: dict[PydanticObjectId, BulkAction] = {}
_read_at: dict[PydanticObjectId, float] = {}
_ended: dict[PydanticObjectId, BulkAction] = {}
_reading: dict[
    tuple[asyncio.AbstractEventLoop, PydanticObjectId], "asyncio.Future[BulkAction | None]"
] = {}


async def get(action_id: PydanticObjectId) -> BulkAction | None:
    return await BulkAction.get(action_id)


async def as_planned(
    action_id: PydanticObjectId, *, with_chunk_count: bool = False
) -> BulkAction | None:
    """The action, as far as what never changes once set goes: what it was made with (its
    types, fields, operations, columns, dry run) and, once planning has set it, its chunk
    count. Not its status or figures. From this process's copy when it has one (read again
    when `with_chunk_count` asks for a count the copy was read too early to have, unless it
    was read in the last COUNT_READ_AGAIN_SECONDS), else read and kept: the workers run
    chunk after chunk of the same actions."""
    action = _recent.get(action_id)
    if action is not None and (
        action.chunks_total is not None or not with_chunk_count or read_lately(action_id)
    ):
        return action
    action = await read_once(action_id)
    if action is not None:
        keep(_recent, action_id, action)
        _read_at[action_id] = time.monotonic()
    return action


def read_lately(action_id: PydanticObjectId) -> bool:
    """Whether this process's copy of the action was read in the last few seconds."""
    read_at = _read_at.get(action_id)
    return read_at is not None and time.monotonic() - read_at < COUNT_READ_AGAIN_SECONDS


async def read_once(action_id: PydanticObjectId) -> BulkAction | None:
    """The action, read once for all who ask while the read is under way: an action's first
    chunks start at once on every thread of a process, each wanting its copy."""
    under_way = (asyncio.get_running_loop(), action_id)
    reading = _reading.get(under_way)
    if reading is None:
        reading = _reading[under_way] = asyncio.ensure_future(get(action_id))
        reading.add_done_callback(lambda _: _reading.pop(under_way, None))
    return await asyncio.shield(reading)


async def of_account(action_id: PydanticObjectId, account_id: str) -> BulkAction | None:
    """The action if the account has it. One filter document: FerretDB v1 pushes only
    top-level equalities down to its indexes, and reads the whole collection for an `$and`
    (Beanie's way of joining two conditions)."""
    return await BulkAction.find_one({"_id": action_id, "account_id": account_id})


async def of_account_to_read(action_id: PydanticObjectId, account_id: str) -> BulkAction | None:
    """The action if the account has it, for a reader of its logs: an ended one from this
    process's copy, since nothing a reader of its logs sees changes once it ended (its owner,
    total and final figures; retention deletes its logs, not it), a running one read each
    time. Log pages of an ended action are what readers page through most."""
    action = _ended.get(action_id)
    if action is not None and action.account_id == account_id:
        return action
    action = await of_account(action_id, account_id)
    if action is not None and action.status in TERMINAL_STATUSES:
        keep(_ended, action_id, action)
    return action


def keep(
    kept: dict[PydanticObjectId, BulkAction], action_id: PydanticObjectId, action: BulkAction
) -> None:
    """Keeps the action's copy, in a bounded dict (emptied when full)."""
    if len(kept) >= RECENT_ACTIONS:
        kept.clear()
        if kept is _recent:
            _read_at.clear()
    kept[action_id] = action


async def insert(action: BulkAction) -> None:
    await action.insert()


async def delete(action_id: PydanticObjectId) -> None:
    await BulkAction.get_pymongo_collection().delete_one({"_id": action_id})


async def update_if(
    action_id: PydanticObjectId, condition: Mapping[str, Any], changes: Mapping[str, Any]
) -> tuple[bool, BulkAction | None]:
    """Sets `changes` if the action matches `condition`; returns whether this call changed
    it, and the action as it now is (None if it is gone)."""
    collection = BulkAction.get_pymongo_collection()
    query = {"_id": action_id, **condition}
    if db.traits().loses_concurrent_updates:
        result = await collection.update_one(query, {"$set": dict(changes)})
        return result.modified_count == 1, await get(action_id)
    after = await collection.find_one_and_update(
        query, {"$set": dict(changes)}, return_document=ReturnDocument.AFTER
    )
    if after is not None:
        return True, BulkAction.model_validate(after)
    return False, await get(action_id)


async def move(
    action_id: PydanticObjectId,
    sources: Sequence[BulkActionStatus],
    to: BulkActionStatus,
    fields: Mapping[str, Any],
) -> tuple[bool, BulkAction | None]:
    """Moves the action to `to` if its status is one of `sources` (app.engine.lifecycle's
    only write): whether this call moved it, and the action as it now is."""
    return await update_if(
        action_id,
        {"status": {"$in": [str(status) for status in sources]}},
        {"status": str(to), **fields},
    )


async def set_fields(action_id: PydanticObjectId, **fields: Any) -> None:
    """Sets fields that no other writer touches (planning's totals, a restore's link)."""
    await BulkAction.get_pymongo_collection().update_one({"_id": action_id}, {"$set": fields})


async def fix_targets(action_id: PydanticObjectId, up_to: ObjectId) -> BulkAction | None:
    """Fixes, once, the newest entity a filter targets; the action as it now is."""
    _, action = await update_if(action_id, {"targets_up_to": None}, {"targets_up_to": up_to})
    return action


async def ids_with(query: Mapping[str, Any]) -> list[PydanticObjectId]:
    cursor = BulkAction.get_pymongo_collection().find(dict(query), {"_id": 1})
    return [doc["_id"] async for doc in cursor]


@dataclass(frozen=True)
class ToWatch:
    """What the sweeper watches: scheduled actions now due, and queued or running ones."""

    due: list[PydanticObjectId]
    running: list[PydanticObjectId]


async def to_watch(due_by: datetime) -> ToWatch:
    """The scheduled actions due by `due_by` and the queued or running ones: one query,
    which leaves out the scheduled actions not due yet (a sweep runs every few seconds)."""
    scheduled = str(BulkActionStatus.SCHEDULED)
    running = [str(BulkActionStatus.QUEUED), str(BulkActionStatus.PROCESSING)]
    cursor = BulkAction.get_pymongo_collection().find(
        {
            "$or": [
                {"status": {"$in": running}},
                {"status": scheduled, "scheduled_at": {"$lte": due_by}},
            ]
        },
        {"_id": 1, "status": 1},
    )
    watched = ToWatch([], [])
    async for doc in cursor:
        (watched.due if doc["status"] == scheduled else watched.running).append(doc["_id"])
    return watched


async def existing(action_ids: Sequence[PydanticObjectId]) -> set[PydanticObjectId]:
    """Those of these ids that are stored actions."""
    return set(await ids_with({"_id": {"$in": list(action_ids)}}))


async def active() -> list[dict[str, Any]]:
    """The actions not ended yet: their id, status, action type and whether they drip."""
    cursor = BulkAction.get_pymongo_collection().find(
        {"status": {"$in": ACTIVE_STATUSES}},
        {"_id": 1, "status": 1, "action_type": 1, "dripped": 1, "dry_run": 1},
    )
    return [doc async for doc in cursor]


async def to_release(query: Mapping[str, Any], limit: int) -> list[BulkAction]:
    """Ended actions whose working data retention may delete, a few at a time."""
    return await BulkAction.find(dict(query)).limit(limit).to_list()


async def mark_working_data(action_id: PydanticObjectId, state: WorkingData) -> None:
    await set_fields(action_id, working_data=str(state))


async def upload_kept_by_other(upload_id: str, but: PydanticObjectId) -> bool:
    """Whether another action still keeps the upload (a dry run and its real run share it)."""
    other = await BulkAction.get_pymongo_collection().find_one(
        {
            "upload_id": upload_id,
            "_id": {"$ne": but},
            "working_data": {"$ne": str(WorkingData.DELETED)},
        },
        {"_id": 1},
    )
    return other is not None


async def uploads_named(upload_ids: Sequence[str]) -> set[str]:
    """Those of these uploads that some action names."""
    cursor = BulkAction.get_pymongo_collection().find(
        {"upload_id": {"$in": list(upload_ids)}}, {"upload_id": 1}
    )
    return {doc["upload_id"] async for doc in cursor}
