"""INSERT: create entities; one whose unique key already exists is SKIPPED."""

from collections.abc import Mapping, Sequence
from typing import Any

from pymongo.operations import InsertOne

from app.actions._base import (
    ChunkContext,
    Outcome,
    Row,
    actions,
    bulk_write,
    failed_write,
)
from app.actions._inputs import KeyedRecords, clashes, holders_of, new_entity
from app.clock import utcnow
from app.models.action_log import LogReason, LogStatus


class Insert(KeyedRecords):
    name = "INSERT"

    async def apply(
        self, ctx: ChunkContext, rows: Sequence[Row], decisions: Mapping[str, Any]
    ) -> list[Outcome]:
        now = utcnow()
        errors = await bulk_write(
            ctx.collection, [InsertOne(new_entity(ctx, row, now)) for row in rows]
        )
        holders = await holders_of(ctx, [rows[i]["key"] for i in clashes(errors)])
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
