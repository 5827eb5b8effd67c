"""DELETE: remove entities named by id."""

from collections.abc import Sequence
from typing import Any

from bson import ObjectId
from pymongo.operations import DeleteOne

from app.domain.actions._base import (
    ActionInput,
    ChunkContext,
    Outcome,
    PreparedInput,
    TargetsById,
    actions,
    not_found,
)
from app.domain.actions._inputs import filter_input, forbid, ids_input, row_with_id
from app.domain.entities import EntitySpec
from app.domain.errors import BadUserInput
from app.domain.models.action_log import LogReason, LogStatus
from app.domain.rows import Decisions, Row, RowBody


class Delete(TargetsById):
    name = "DELETE"

    def prepare(self, entity: EntitySpec, given: ActionInput) -> PreparedInput:
        forbid("DELETE", fields=given.fields)
        if given.filter is not None:
            forbid("DELETE with filter", entityIds=given.entity_ids, records=given.records)
            return filter_input(entity, given.filter)
        if given.entity_ids is not None:
            forbid("DELETE with entityIds", records=given.records)
            return ids_input(given.entity_ids)
        if given.records is not None:
            return self.records_input(entity, given.records)
        raise BadUserInput("DELETE needs `entityIds`, `filter`, or `records` with `id`.")

    def record_row(self, entity: EntitySpec, record: Any) -> RowBody:
        return row_with_id(entity, record, with_fields=False)

    def columns(self, entity: EntitySpec) -> tuple[set[str], set[str]]:
        return {"id"}, {"id"}

    async def apply(
        self, ctx: ChunkContext, rows: Sequence[Row], decisions: Decisions
    ) -> list[Outcome]:
        existing = set(decisions.get("existing", []))
        # By _id alone: decide() checked the account, and ids are never reused.
        ops = [DeleteOne({"_id": ObjectId(entity_id)}) for entity_id in existing]
        errors = await ctx.bulk_write(ops)
        if errors:
            raise RuntimeError(f"delete failed: {next(iter(errors.values())).get('errmsg')}")
        return [
            Outcome(row["row"], LogStatus.SUCCESS, LogReason.DELETED, row["id"])
            if row["id"] in existing
            else not_found(row)
            for row in rows
        ]


actions.register(Delete())
