"""UPDATE: set the given fields on existing entities named by id."""

from collections.abc import Sequence
from typing import Any

from bson import ObjectId
from pymongo.operations import UpdateOne

from app.domain.actions._base import (
    ActionInput,
    ChunkContext,
    Outcome,
    PreparedInput,
    TargetsById,
    actions,
    data_update,
    failed_write,
)
from app.domain.actions._inputs import filter_input, forbid, ids_input, row_with_id
from app.domain.entities import EntitySpec
from app.domain.entities._base import InvalidRecord
from app.domain.errors import BadUserInput
from app.domain.models.action_log import LogReason, LogStatus
from app.domain.rows import Decisions, Row, RowBody


class Update(TargetsById):
    name = "UPDATE"

    def prepare(self, entity: EntitySpec, given: ActionInput) -> PreparedInput:
        if given.entity_ids is not None or given.filter is not None:
            by = "entityIds" if given.entity_ids is not None else "filter"
            forbid(f"UPDATE with {by}", records=given.records)
            if not given.fields:
                raise BadUserInput(f"UPDATE with {by} needs `fields`: the values to set.")
            try:
                shared = entity.validate(given.fields, require_key=False)
            except InvalidRecord as exc:
                raise BadUserInput(f"fields: {exc}") from None
            if given.filter is not None:
                prepared = filter_input(entity, given.filter)
            else:
                prepared = ids_input(given.entity_ids or [])
            prepared.fields = shared
            return prepared
        if given.records is not None:
            forbid("UPDATE with records", fields=given.fields)
            return self.records_input(entity, given.records)
        raise BadUserInput(
            "UPDATE needs `entityIds` or `filter` with `fields`, or `records` with `id`."
        )

    def record_row(self, entity: EntitySpec, record: Any) -> RowBody:
        return row_with_id(entity, record, with_fields=True)

    def columns(self, entity: EntitySpec) -> tuple[set[str], set[str]]:
        return entity.field_names | {"id"}, {"id"}

    async def apply(
        self, ctx: ChunkContext, rows: Sequence[Row], decisions: Decisions
    ) -> list[Outcome]:
        existing = set(decisions.get("existing", []))
        targets = [row for row in rows if row["id"] in existing]
        ops = [
            UpdateOne(
                # By _id alone: decide() checked the account, and ids are never reused.
                {"_id": ObjectId(row["id"])},
                {"$set": data_update(ctx.entity, row.get("data") or ctx.fields or {})},
            )
            for row in targets
        ]
        errors = await ctx.bulk_write(ops)
        by_row = {
            row["row"]: failed_write(row["row"], errors[index], row["id"])
            for index, row in enumerate(targets)
            if index in errors
        }
        outcomes = []
        for row in rows:
            if row["id"] not in existing:
                outcomes.append(
                    Outcome(
                        row["row"],
                        LogStatus.FAILED,
                        LogReason.NOT_FOUND,
                        row["id"],
                        "No entity with this id in the account.",
                    )
                )
            else:
                outcomes.append(
                    by_row.get(row["row"])
                    or Outcome(row["row"], LogStatus.SUCCESS, LogReason.UPDATED, row["id"])
                )
        return outcomes


actions.register(Update())
