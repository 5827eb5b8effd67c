"""UPSERT: match on the unique key; update the entity if it exists, insert it otherwise."""

from collections.abc import Sequence

from bson import ObjectId
from pymongo.operations import InsertOne, UpdateOne

from app.domain.actions._base import (
    PREVIOUS_STATE_FIELDS,
    ChunkContext,
    Outcome,
    Target,
    absent_image,
    actions,
    entity_update,
    failed_write,
    previous_state,
    stamp_of,
    succeeded,
    update_image,
)
from app.domain.actions._inputs import KeyedRecords, clashes, holders_of, new_entity
from app.domain.models.action_log import LogReason, LogStatus
from app.domain.rows import BeforeImage, Decisions, Row


class Upsert(KeyedRecords):
    name = "UPSERT"
    description = (
        "Matches records on the unique key: updates the entity if it exists, inserts it otherwise."
    )
    restorable = True

    async def decide(self, ctx: ChunkContext, rows: Sequence[Row]) -> Decisions:
        """Which keys are held, and by whom; the holders' current values of the fields the
        rows set (their before-images)."""
        fields = set().union(*(row["data"] for row in rows))
        found = await ctx.read(
            {"account_id": ctx.account_id, "key": {"$in": [row["key"] for row in rows]}},
            {**PREVIOUS_STATE_FIELDS, **{f"data.{name}": 1 for name in fields}},
        )
        return {
            "holders": [{"key": doc["key"], "id": str(doc["_id"])} for doc in found],
            **previous_state(found),
        }

    def before_images(
        self,
        ctx: ChunkContext,
        rows: Sequence[Row],
        decisions: Decisions,
        outcomes: Sequence[Outcome],
    ) -> list[BeforeImage]:
        changed = succeeded(outcomes)
        images: list[BeforeImage] = []
        for row in rows:
            if (outcome := changed.get(row["row"])) is None or outcome.entity_id is None:
                continue
            if outcome.reason is LogReason.INSERTED:
                images.append(absent_image(row["row"], outcome.entity_id, decisions))
            else:
                images.append(
                    update_image(
                        ctx.entity,
                        row["row"],
                        outcome.entity_id,
                        set(row["data"]),
                        decisions,
                    )
                )
        return images

    def targets_of(self, rows: Sequence[Row], decisions: Decisions) -> dict[int, Target]:
        """A row whose key an entity held when it was decided updates that entity; any other
        inserts under its planned id."""
        existing = {found["key"]: found["id"] for found in decisions.get("holders", [])}
        return {
            row["row"]: (existing[row["key"]], LogReason.UPDATED)
            if row["key"] in existing
            else (row["new_id"], LogReason.INSERTED)
            for row in rows
            if row["key"] in existing or row.get("new_id")
        }

    async def apply(
        self, ctx: ChunkContext, rows: Sequence[Row], decisions: Decisions
    ) -> list[Outcome]:
        existing = {found["key"]: found["id"] for found in decisions.get("holders", [])}
        stamp = stamp_of(decisions)
        # Existing entities are updated by _id, new ones inserted under their planned id:
        # no write filters on the key, which FerretDB would answer with a scan per row.
        ops = [
            UpdateOne(
                {"_id": ObjectId(existing[row["key"]])},
                entity_update(ctx.entity, {"$set": row["data"]}, stamp),
            )
            if row["key"] in existing
            else InsertOne(new_entity(ctx, row, stamp))
            for row in rows
        ]
        errors = await ctx.run_writes(ops)
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
