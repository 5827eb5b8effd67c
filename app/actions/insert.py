"""INSERT: create entities; one whose unique key already exists is SKIPPED."""

from collections.abc import Mapping, Sequence
from typing import Any

from bson import ObjectId
from pymongo.operations import InsertOne

from app.actions._base import (
    DUPLICATE_KEY_CODE,
    ChunkContext,
    Outcome,
    Row,
    actions,
    bulk_write,
    failed_write,
)
from app.actions._inputs import KeyedRecords
from app.clock import utcnow
from app.models.action_log import LogReason, LogStatus


class Insert(KeyedRecords):
    name = "INSERT"

    async def apply(
        self, ctx: ChunkContext, rows: Sequence[Row], decisions: Mapping[str, Any]
    ) -> list[Outcome]:
        now = utcnow()
        ops = [
            InsertOne(
                {
                    "_id": ObjectId(row["new_id"]),
                    "account_id": ctx.account_id,
                    "key": row["key"],
                    "data": row["data"],
                    "created_at": now,
                    "updated_at": now,
                }
            )
            for row in rows
        ]
        errors = await bulk_write(ctx.collection, ops)
        clashing = [
            rows[i]["key"] for i, e in errors.items() if e.get("code") == DUPLICATE_KEY_CODE
        ]
        # A clash with the id this row was given means an earlier delivery inserted it.
        holders: dict[str, str] = {}
        if clashing:
            cursor = ctx.collection.find(
                {"account_id": ctx.account_id, "key": {"$in": clashing}}, {"_id": 1, "key": 1}
            )
            holders = {doc["key"]: str(doc["_id"]) async for doc in cursor}
        outcomes = []
        for index, row in enumerate(rows):
            error = errors.get(index)
            if error is None or holders.get(row["key"]) == row["new_id"]:
                outcomes.append(
                    Outcome(row["row"], LogStatus.SUCCESS, LogReason.INSERTED, row["new_id"])
                )
            elif row["key"] in holders:
                outcomes.append(
                    Outcome(
                        row["row"],
                        LogStatus.SKIPPED,
                        LogReason.ALREADY_EXISTS,
                        holders[row["key"]],
                        "An entity with this key already exists.",
                    )
                )
            else:
                outcomes.append(failed_write(row["row"], error))
        return outcomes


actions.register(Insert())
