"""DELETE: remove entities named by id."""

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Any

from bson import ObjectId

from app.domain.actions._base import (
    ActionInput,
    ChunkContext,
    DeleteById,
    ImportRules,
    Outcome,
    PreparedInput,
    TargetsById,
    actions,
    by_id,
    not_found,
    stamp_of,
    target_ids,
)
from app.domain.actions._inputs import filter_input, forbid, ids_input, matches_of, row_with_id
from app.domain.entities import EntitySpec
from app.domain.errors import BadUserInput
from app.domain.models.action_log import ActionLog, LogReason, LogStatus
from app.domain.rows import BeforeImage, Decisions, Row, RowBody

# A target another DELETE action read too and claimed first (app.infra.mongo.claims.deletions).
DELETED_BY_ANOTHER = "Another action deleted this entity while this one ran."


class Delete(TargetsById):
    name = "DELETE"
    description = "Deletes the entities named by id or matched by a filter."
    restorable = True
    writes_fields = False
    claims_deletions = True

    def prepare(self, entity: EntitySpec, given: ActionInput) -> PreparedInput:
        forbid("DELETE", fields=given.fields)
        if given.filter is not None:
            forbid("DELETE with filter", entityIds=given.entity_ids, records=given.records)
            return filter_input(entity, given.filter)
        if given.entity_ids is not None:
            forbid("DELETE with entityIds", records=given.records)
            return ids_input(given.entity_ids)
        if given.records is not None:
            return self.records_input(entity, given.records, given.rules)
        raise BadUserInput(
            "DELETE needs its targets: `entityIds`, a `filter`, `records` with `id`, or a CSV "
            "`file` or `uploadId` with an `id` column."
        )

    def record_row(
        self, entity: EntitySpec, record: Any, rules: ImportRules, text_checked: bool = False
    ) -> RowBody:
        return row_with_id(entity, record, rules, with_fields=False)

    def columns(self, entity: EntitySpec, rules: ImportRules) -> tuple[set[str], set[str]]:
        by = rules.match_by or "id"
        return {by}, {by}

    async def decide(self, ctx: ChunkContext, rows: Sequence[Row]) -> Decisions:
        """Which targets exist, and their whole documents (their before-images)."""
        matched = await matches_of(ctx, rows)
        rows = by_id(rows, {"matched": matched})
        found = await ctx.read({"_id": {"$in": target_ids(rows)}, "account_id": ctx.account_id})
        decided: Decisions = {"existing": [str(doc["_id"]) for doc in found], "documents": found}
        if matched:
            decided["matched"] = matched
        return decided

    def images_of(
        self, entity: EntitySpec, changed: Sequence[ActionLog], decisions: Decisions
    ) -> list[BeforeImage | None]:
        """The whole documents the rows deleted, as the chunk's decide step read them."""
        found = {str(doc["_id"]): doc for doc in decisions.get("documents", [])}
        stamp = stamp_of(decisions)
        return [
            {"row": log.row, "id": log.entity_id, "stamp": stamp, "document": document}
            if log.entity_id is not None and (document := found.get(log.entity_id)) is not None
            else None
            for log in changed
        ]

    def written(
        self,
        rows: Sequence[Row],
        decisions: Decisions,
        stamps: Mapping[str, Any],
        claimed: AbstractSet[str] = frozenset(),
    ) -> dict[int, Outcome]:
        """A target the chunk claimed that the account no longer has was deleted by it."""
        return {
            row["row"]: Outcome(row["row"], LogStatus.SUCCESS, LogReason.DELETED, row["id"])
            for row in by_id(rows, decisions)
            if row["id"] in claimed and row["id"] not in stamps
        }

    async def apply(
        self, ctx: ChunkContext, rows: Sequence[Row], decisions: Decisions
    ) -> list[Outcome]:
        existing = set(decisions.get("existing", []))
        # Claimed first: a target another action claimed first is that action's to delete.
        mine = existing if ctx.dry_run or ctx.claim is None else await ctx.claim(sorted(existing))
        # By _id alone: decide() checked the account, and ids are never reused.
        ops = [DeleteById(ObjectId(entity_id)) for entity_id in sorted(mine)]
        errors = await ctx.run_writes(ops)
        if errors:
            raise RuntimeError(f"delete failed: {next(iter(errors.values())).get('errmsg')}")
        return [
            Outcome(row["row"], LogStatus.SUCCESS, LogReason.DELETED, row["id"])
            if row["id"] in mine
            else not_found(row, DELETED_BY_ANOTHER if row["id"] in existing else None)
            for row in by_id(rows, decisions)
        ]


actions.register(Delete())
