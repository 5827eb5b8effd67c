"""UPSERT: match on the unique key; update the entity if it exists, insert it otherwise."""

from collections.abc import Sequence
from typing import Any

from pymongo.operations import InsertOne

from app.domain.actions._base import (
    DUPLICATE_KEY_CODE,
    GONE,
    KEEP_ROUNDS,
    PREVIOUS_STATE_FIELDS,
    ChunkContext,
    ImportRules,
    Outcome,
    Target,
    WriteOp,
    absent_image,
    actions,
    check_match_field,
    failed_write,
    is_stale,
    previous_state,
    stamp_of,
    still_empty,
    update_by_id,
    update_image,
    updated,
    with_read_state,
)
from app.domain.actions._inputs import KeyedRecords, clashes, holders_of, match_of, new_entity
from app.domain.entities import EntitySpec
from app.domain.errors import BadUserInput
from app.domain.models.action_log import STANDARD_MESSAGES, ActionLog, LogReason, LogStatus
from app.domain.operations import changes_for
from app.domain.rows import BeforeImage, Decisions, Row


class Upsert(KeyedRecords):
    name = "UPSERT"
    description = (
        "Matches records on the unique key: updates the entity if it exists, inserts it otherwise."
    )
    restorable = True

    def check_rules(self, entity: EntitySpec, rules: ImportRules, from_rows: bool) -> None:
        if rules.match_by == "id":
            raise BadUserInput(
                "matchBy: UPSERT matches rows on a unique field, since a row that matches "
                "nothing is inserted; to change entities named by id, use UPDATE."
            )
        if rules.match_by is not None:
            check_match_field(entity, rules.match_by)

    async def decide(self, ctx: ChunkContext, rows: Sequence[Row]) -> Decisions:
        """Which match keys are held, and by whom; the holders' current values of the fields
        the rows set (their before-images and what changes)."""
        return await self.holders(ctx, rows, set().union(*(row["data"] for row in rows)))

    async def holders(self, ctx: ChunkContext, rows: Sequence[Row], fields: set[str]) -> Decisions:
        """Who holds the rows' match keys, and their values of the fields (one read)."""
        path = ctx.entity.match_path(ctx.rules.match_by or ctx.entity.unique_field)
        found = await ctx.read(
            {"account_id": ctx.account_id, path: {"$in": [match_of(row) for row in rows]}},
            {**PREVIOUS_STATE_FIELDS, path: 1, **{f"data.{name}": 1 for name in fields}},
        )
        return {
            "holders": [{"key": doc[path], "id": str(doc["_id"])} for doc in found],
            **previous_state(found, fields),
        }

    def changes(
        self, ctx: ChunkContext, row: Row, entity_id: str, decisions: Decisions
    ) -> dict[str, dict[str, Any]]:
        """The update of a matched entity, from what the chunk read: under `existingValues:
        KEEP` only fields empty now, and nothing where it already looks as asked."""
        current = decisions.get("current", {}).get(entity_id, {})
        return changes_for({}, row["data"], current, keep_existing=ctx.rules.keep_existing)

    def images_of(
        self, entity: EntitySpec, changed: Sequence[ActionLog], decisions: Decisions
    ) -> list[BeforeImage | None]:
        return [
            None
            if log.entity_id is None
            else absent_image(log.row, log.entity_id, decisions)
            if log.reason is LogReason.INSERTED
            else update_image(entity, log.row, log.entity_id, decisions)
            for log in changed
        ]

    def targets_of(self, rows: Sequence[Row], decisions: Decisions) -> dict[int, Target]:
        """A row whose key an entity held when it was decided updates that entity; any other
        inserts under its planned id."""
        existing = holders_by_key(decisions)
        return {
            row["row"]: (existing[match_of(row)], LogReason.UPDATED)
            if match_of(row) in existing
            else (row["new_id"], LogReason.INSERTED)
            for row in rows
            if match_of(row) in existing or (row.get("new_id") and "key" in row)
        }

    async def apply(
        self, ctx: ChunkContext, rows: Sequence[Row], decisions: Decisions
    ) -> list[Outcome]:
        """Writes the rows as decided. What another writer did since the chunk's read is
        decided again: a row whose insert it beat (its key is held now, not by the entity
        the row was to insert) against that holder, written as an update (it fails only if
        nothing holds its match key: a clash on another unique field); a row whose holder
        it deleted as nothing holding its key (inserted) or what holds it now. The
        decisions are stored so, which a redelivery and a restore read."""
        outcomes, beaten, gone, stale = await self.write(ctx, rows, decisions)
        for _ in range(KEEP_ROUNDS - 1):
            again = [*beaten, *gone, *stale]
            if not again:
                break
            read = set(decisions.get("read") or set().union(*(row["data"] for row in again)))
            found = await self.holders(ctx, again, read)
            held = {holder["key"] for holder in found["holders"]}
            # A holder deleted since: its key is free, or held by another now.
            lost = [*gone, *(row for row in stale if match_of(row) not in held)]
            if not found["holders"] and not lost:
                break
            decided = holders_by_key(decisions)
            decisions = with_holders(decisions, found, {decided[match_of(row)] for row in lost})
            if ctx.store_decisions is not None:
                await ctx.store_decisions(decisions)
            freed = {row["row"] for row in lost}
            written, beaten, gone, stale = await self.write(
                ctx,
                [row for row in again if match_of(row) in held or row["row"] in freed],
                decisions,
            )
            outcomes.update(written)
        return [outcomes[row["row"]] for row in rows]

    async def write(
        self, ctx: ChunkContext, rows: Sequence[Row], decisions: Decisions
    ) -> tuple[dict[int, Outcome], list[Row], list[Row], list[Row]]:
        """The rows' outcomes, by row; those whose insert another writer beat (logged
        FAILED/DUPLICATE_KEY here), those whose holder it deleted (FAILED/NOT_FOUND), and
        those whose holder it changed since the read under KEEP (FAILED/WRITE_ERROR)."""
        existing = holders_by_key(decisions)
        stamp = stamp_of(decisions)
        outcomes: dict[int, Outcome] = {}
        writes: list[tuple[Row, WriteOp]] = []
        for row in rows:
            entity_id = existing.get(match_of(row))
            if entity_id is None and "key" not in row:
                outcomes[row["row"]] = Outcome(
                    row["row"],
                    LogStatus.FAILED,
                    LogReason.INVALID,
                    None,
                    f"{ctx.entity.unique_field}: required to insert, since no entity has this "
                    f"{ctx.rules.match_by}.",
                )
            elif entity_id is None:
                writes.append((row, InsertOne(new_entity(ctx, row, stamp))))
            elif changes := self.changes(ctx, row, entity_id, decisions):
                # By _id: no write filters on a key, which FerretDB would scan for per row.
                where = still_empty(changes, row["data"], ctx.rules.keep_existing)
                update = update_by_id(ctx.entity, entity_id, changes, stamp, ctx.chunk_id, where)
                writes.append((row, update))
            else:
                outcomes[row["row"]] = Outcome(
                    row["row"],
                    LogStatus.SKIPPED,
                    LogReason.UNCHANGED,
                    entity_id,
                    STANDARD_MESSAGES[LogReason.UNCHANGED],
                )
        errors = await ctx.run_writes([op for _, op in writes])
        holders = await holders_of(ctx, [writes[i][0]["key"] for i in clashes(errors)])
        beaten: list[Row] = []
        gone: list[Row] = []
        stale: list[Row] = []
        keep = ctx.rules.keep_existing
        for index, (row, _) in enumerate(writes):
            error = errors.get(index)
            if (entity_id := existing.get(match_of(row))) is not None:
                outcomes[row["row"]] = updated(row["row"], entity_id, error, keep)
                if keep and is_stale(error):
                    stale.append(row)
                elif error and error.get(GONE):
                    gone.append(row)
            elif error is None or holders.get(row["key"]) == row["new_id"]:
                outcomes[row["row"]] = Outcome(
                    row["row"], LogStatus.SUCCESS, LogReason.INSERTED, row["new_id"]
                )
            else:
                outcomes[row["row"]] = failed_write(row["row"], error)
                if error.get("code") == DUPLICATE_KEY_CODE:
                    beaten.append(row)
        return outcomes, beaten, gone, stale


def holders_by_key(decisions: Decisions) -> dict[Any, str]:
    """The entities the decisions say hold the rows' match keys, by key (a later holder of a
    key, found since, over an earlier one)."""
    return {found["key"]: found["id"] for found in decisions.get("holders", [])}


def with_holders(decisions: Decisions, found: Decisions, gone: set[str] | None = None) -> Decisions:
    """The decisions with holders found since, and their read state, added; holders `gone`
    (deleted since) left out."""
    merged = with_read_state(decisions, found)
    kept = [holder for holder in decisions.get("holders", []) if holder["id"] not in (gone or ())]
    merged["holders"] = [*kept, *found.get("holders", [])]
    return merged


actions.register(Upsert())
