"""UPDATE: change existing entities named by id or by filter: set fields, and the other
field operations (app.domain.operations); a target that already looks as asked is
SKIPPED/UNCHANGED."""

from collections.abc import Sequence
from typing import Any

from app.domain.actions._base import (
    KEEP_ROUNDS,
    PREVIOUS_STATE_FIELDS,
    ActionInput,
    ChunkContext,
    ImportRules,
    Outcome,
    PreparedInput,
    TargetsById,
    actions,
    by_id,
    is_stale,
    not_found,
    previous_state,
    stamp_of,
    still_empty,
    target_ids,
    update_by_id,
    update_image,
    updated,
    with_read_state,
)
from app.domain.actions._inputs import filter_input, forbid, ids_input, matches_of, row_with_id
from app.domain.entities import EntitySpec
from app.domain.entities._base import InvalidRecord
from app.domain.errors import BadUserInput
from app.domain.models.action_log import STANDARD_MESSAGES, ActionLog, LogReason, LogStatus
from app.domain.operations import changes_for, check_operations, fields_read
from app.domain.rows import BeforeImage, Decisions, Row, RowBody


class Update(TargetsById):
    name = "UPDATE"
    description = (
        "Changes existing entities named by id or matched by a filter: set, unset, "
        "addToList, removeFromList, increment."
    )
    restorable = True

    def prepare(self, entity: EntitySpec, given: ActionInput) -> PreparedInput:
        changes = bool(given.fields) or any((given.operations or {}).values())
        if given.entity_ids is not None or given.filter is not None:
            by = "entityIds" if given.entity_ids is not None else "filter"
            forbid(f"UPDATE with {by}", records=given.records)
            if not changes:
                raise BadUserInput(
                    f"UPDATE with {by} needs `fields` (the values to set) or another "
                    "operation: unset, addToList, removeFromList, increment."
                )
            shared = None
            if given.fields:
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
            return self.records_input(entity, given.records, given.rules)
        raise BadUserInput(
            "UPDATE needs its targets: `entityIds` or a `filter` with `fields`, `records` with "
            "`id`, or a CSV `file` or `uploadId` with an `id` column."
        )

    def prepare_operations(
        self, entity: EntitySpec, given: ActionInput
    ) -> dict[str, dict[str, Any]] | None:
        if not given.operations:
            return None
        set_fields = given.fields if isinstance(given.fields, dict) else None
        return check_operations(entity, given.operations, set_fields) or None

    def record_row(
        self, entity: EntitySpec, record: Any, rules: ImportRules, text_checked: bool = False
    ) -> RowBody:
        return row_with_id(entity, record, rules, with_fields=True, text_checked=text_checked)

    def key_of(self, entity: EntitySpec, value: Any, rules: ImportRules) -> str:
        # Its rows need fields besides the key: the key's own checks are those without.
        record = {self.key_field(entity, rules): value}
        return self.dedupe_key(row_with_id(entity, record, rules, with_fields=False))

    def columns(self, entity: EntitySpec, rules: ImportRules) -> tuple[set[str], set[str]]:
        by = rules.match_by or "id"
        return set(entity.field_names) | {by}, {by}

    async def decide(self, ctx: ChunkContext, rows: Sequence[Row]) -> Decisions:
        """Which targets exist, and their current values of the fields this changes: what
        each row's change is decided from, once, so a redelivery decides the same."""
        matched = await matches_of(ctx, rows)
        decided = await self.read_state(ctx, by_id(rows, {"matched": matched}))
        if matched:
            decided["matched"] = matched
        if increments := (ctx.operations or {}).get("increment"):
            decided["increments"] = dict(increments)
        return decided

    def changes(
        self, ctx: ChunkContext, row: Row, decisions: Decisions
    ) -> dict[str, dict[str, Any]]:
        """The row's update, decided from what the chunk read (a delivery before this one
        may have written since): a row that needed nothing then needs nothing now."""
        current = decisions.get("current", {}).get(row["id"], {})
        return changes_for(
            ctx.operations or {},
            row.get("data") or ctx.fields or {},
            current,
            keep_existing=ctx.rules.keep_existing,
        )

    def images_of(
        self, entity: EntitySpec, changed: Sequence[ActionLog], decisions: Decisions
    ) -> list[BeforeImage | None]:
        return [
            update_image(entity, log.row, log.entity_id, decisions)
            if log.entity_id is not None and log.reason is LogReason.UPDATED
            else None
            for log in changed
        ]

    async def apply(
        self, ctx: ChunkContext, rows: Sequence[Row], decisions: Decisions
    ) -> list[Outcome]:
        """Writes the rows as decided. Under `existingValues: KEEP` a row is written only
        while its entity is as the chunk read it: one another writer changed since is read
        again and decided on what it holds now (the decisions stored so, which a
        redelivery and a restore read), KEEP_ROUNDS times at most."""
        rows = by_id(rows, decisions)
        outcomes, stale = await self.write(ctx, rows, decisions)
        for _ in range(KEEP_ROUNDS - 1):
            if not stale:
                break
            decisions = await self.read_again(ctx, stale, decisions)
            written, stale = await self.write(ctx, stale, decisions)
            outcomes.update(written)
        return [outcomes[row["row"]] for row in rows]

    async def write(
        self, ctx: ChunkContext, rows: Sequence[Row], decisions: Decisions
    ) -> tuple[dict[int, Outcome], list[Row]]:
        """The rows' outcomes, by row, and those whose entity another writer changed since
        the read under KEEP (logged FAILED here, until they are written)."""
        existing = existing_targets(decisions)
        keep = ctx.rules.keep_existing
        updates: dict[int, dict[str, dict[str, Any]]] = {}
        outcomes: dict[int, Outcome] = {}
        for row in rows:
            if row["id"] not in existing:
                outcomes[row["row"]] = not_found(row)
                continue
            try:
                updates[row["row"]] = self.changes(ctx, row, decisions)
            except InvalidRecord as exc:  # a change past a field's bounds: it fails alone
                outcomes[row["row"]] = Outcome(
                    row["row"], LogStatus.FAILED, LogReason.INVALID, row["id"], str(exc)
                )
                continue
            if not updates[row["row"]]:
                outcomes[row["row"]] = Outcome(
                    row["row"],
                    LogStatus.SKIPPED,
                    LogReason.UNCHANGED,
                    row["id"],
                    STANDARD_MESSAGES[LogReason.UNCHANGED],
                )
        stamp = stamp_of(decisions)
        targets = [row for row in rows if updates.get(row["row"])]
        ops = [
            update_by_id(
                ctx.entity,
                row["id"],
                updates[row["row"]],
                stamp,
                ctx.chunk_id,
                still_empty(updates[row["row"]], row.get("data") or ctx.fields or {}, keep),
            )
            for row in targets
        ]
        errors = await ctx.run_writes(ops)
        stale: list[Row] = []
        for index, row in enumerate(targets):
            error = errors.get(index)
            outcomes[row["row"]] = updated(row["row"], row["id"], error, keep)
            if keep and is_stale(error):
                stale.append(row)
        return outcomes, stale

    async def read_state(self, ctx: ChunkContext, rows: Sequence[Row]) -> Decisions:
        """The rows' targets' current values of the fields the rows change (one read). The
        targets that exist are those `current` holds (no list of them besides), and their
        keys are kept only where the update may change the key."""
        read = fields_read(ctx.operations or {}, ctx.fields or {})
        for row in rows:
            read.update(row.get("data") or {})
        found = await ctx.read(
            {"_id": {"$in": target_ids(rows)}, "account_id": ctx.account_id},
            {**PREVIOUS_STATE_FIELDS, **{f"data.{name}": 1 for name in read}},
        )
        return previous_state(found, read, with_keys=ctx.entity.unique_field in read)

    async def read_again(
        self, ctx: ChunkContext, rows: Sequence[Row], decisions: Decisions
    ) -> Decisions:
        """The decisions with the rows' targets read again (a target gone since is not
        found), stored."""
        fresh = await self.read_state(ctx, rows)
        merged = with_read_state(decisions, fresh, {row["id"] for row in rows})
        if ctx.store_decisions is not None:
            await ctx.store_decisions(merged)
        return merged


def existing_targets(decisions: Decisions) -> set[str]:
    """The targets the decide step found: those it read the state of (decisions stored by
    earlier code also list them in `existing`, always the same ids)."""
    return set(decisions.get("current", {}))


actions.register(Update())
