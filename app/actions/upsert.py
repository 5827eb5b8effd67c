"""UPSERT: match on the unique key; update the entity if it exists, insert it otherwise."""

from collections.abc import Mapping, Sequence
from typing import Any

from bson import ObjectId
from pymongo.operations import InsertOne, UpdateOne

from app.actions._base import (
    ChunkContext,
    Outcome,
    Row,
    actions,
    bulk_write,
    data_update,
    failed_write,
)
from app.actions._inputs import KeyedRecords, clashes, holders_of, new_entity
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
        # Existing entities are updated by _id, new ones inserted under their planned id:
        # no write filters on the key, which FerretDB would answer with a scan per row.
        ops = [
            UpdateOne(
                {"_id": ObjectId(existing[row["key"]])},
                {"$set": data_update(ctx.entity, row["data"])},
            )
            if row["key"] in existing
            else InsertOne(new_entity(ctx, row, now))
            for row in rows
        ]
        errors = await bulk_write(ctx.collection, ops)
        holders = await holders_of(ctx, [rows[i]["key"] for i in clashes(errors)])
        outcomes = []
        for index, row in enumerate(rows):
            error = errors.get(index)
            if row["key"] in existing:
                entity_id = existing[row["key"]]
                outcomes.append(
                    failed_write(row["row"], error, entity_id)
                    if error
                    else Outcome(row["row"], LogStatus.SUCCESS, LogReason.UPDATED, entity_id)
                )
            elif error is None or holders.get(row["key"]) == row["new_id"]:
                outcomes.append(
                    Outcome(row["row"], LogStatus.SUCCESS, LogReason.INSERTED, row["new_id"])
                )
            else:
                outcomes.append(failed_write(row["row"], error))
        return outcomes


actions.register(Upsert())
