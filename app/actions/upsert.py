"""UPSERT: match on the unique key; update the entity if it exists, insert it otherwise."""

from collections.abc import Mapping, Sequence
from typing import Any

from bson import ObjectId
from pymongo.operations import UpdateOne

from app.actions._base import (
    ChunkContext,
    Outcome,
    Row,
    actions,
    bulk_write,
    data_update,
    failed_write,
)
from app.actions._inputs import KeyedRecords
from app.clock import utcnow
from app.models.action_log import LogReason, LogStatus


class Upsert(KeyedRecords):
    name = "UPSERT"

    async def decide(self, ctx: ChunkContext, rows: Sequence[Row]) -> dict[str, Any]:
        cursor = ctx.collection.find(
            {"account_id": ctx.account_id, "key": {"$in": [row["key"] for row in rows]}},
            {"_id": 1, "key": 1},
        )
        # A list, not a key → id map: keys such as emails contain '.', which field names may not.
        return {"existing": [{"key": doc["key"], "id": str(doc["_id"])} async for doc in cursor]}

    async def apply(
        self, ctx: ChunkContext, rows: Sequence[Row], decisions: Mapping[str, Any]
    ) -> list[Outcome]:
        existing = {found["key"]: found["id"] for found in decisions["existing"]}
        now = utcnow()
        ops = [
            UpdateOne(
                {"account_id": ctx.account_id, "key": row["key"]},
                {
                    "$set": data_update(ctx.entity, row["data"]),
                    "$setOnInsert": {"_id": ObjectId(row["new_id"]), "created_at": now},
                },
                upsert=True,
            )
            for row in rows
        ]
        errors = await bulk_write(ctx.collection, ops)
        outcomes = []
        for index, row in enumerate(rows):
            if index in errors:
                outcomes.append(failed_write(row["row"], errors[index]))
            elif row["key"] in existing:
                outcomes.append(
                    Outcome(row["row"], LogStatus.SUCCESS, LogReason.UPDATED, existing[row["key"]])
                )
            else:
                outcomes.append(
                    Outcome(row["row"], LogStatus.SUCCESS, LogReason.INSERTED, row["new_id"])
                )
        return outcomes


actions.register(Upsert())
