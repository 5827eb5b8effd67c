"""UPSERT: match on the unique key; update the entity if it exists, insert it otherwise."""

from collections.abc import Sequence

from bson import ObjectId
from pymongo.operations import InsertOne, UpdateOne

from app.domain.actions._base import (
    ChunkContext,
    Outcome,
    actions,
    entity_update,
    failed_write,
)
from app.domain.actions._inputs import KeyedRecords, clashes, holders_of, new_entity
from app.domain.clock import utcnow
from app.domain.models.action_log import LogReason, LogStatus
from app.domain.rows import Decisions, Row


class Upsert(KeyedRecords):
    name = "UPSERT"

    async def decide(self, ctx: ChunkContext, rows: Sequence[Row]) -> Decisions:
        found = await ctx.collection.find(
            {"account_id": ctx.account_id, "key": {"$in": [row["key"] for row in rows]}},
            {"_id": 1, "key": 1},
        ).to_list()
        return {"holders": [{"key": doc["key"], "id": str(doc["_id"])} for doc in found]}

    async def apply(
        self, ctx: ChunkContext, rows: Sequence[Row], decisions: Decisions
    ) -> list[Outcome]:
        existing = {found["key"]: found["id"] for found in decisions.get("holders", [])}
        now = utcnow()
        # Existing entities are updated by _id, new ones inserted under their planned id:
        # no write filters on the key, which FerretDB would answer with a scan per row.
        ops = [
            UpdateOne(
                {"_id": ObjectId(existing[row["key"]])},
                entity_update(ctx.entity, {"$set": row["data"]}),
            )
            if row["key"] in existing
            else InsertOne(new_entity(ctx, row, now))
            for row in rows
        ]
        errors = await ctx.bulk_write(ops)
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
