"""INSERT: create entities; one whose unique key already exists is SKIPPED."""

from collections.abc import Sequence

from pymongo.operations import InsertOne

from app.domain.actions._base import (
    DUPLICATE_KEY_CODE,
    READING_RULES,
    ChunkContext,
    ImportRules,
    Outcome,
    actions,
    failed_write,
    inserted_image,
    stamp_of,
)
from app.domain.actions._inputs import KeyedRecords, clashes, holders_of, new_entity
from app.domain.entities import EntitySpec
from app.domain.errors import BadUserInput
from app.domain.models.action_log import STANDARD_MESSAGES, ActionLog, LogReason, LogStatus
from app.domain.rows import BeforeImage, Decisions, Row


class Insert(KeyedRecords):
    name = "INSERT"
    description = "Creates entities; one whose unique key already exists is SKIPPED/ALREADY_EXISTS."
    restorable = True
    undone_from_logs = True
    keeps_decisions = False

    def check_rules(self, entity: EntitySpec, rules: ImportRules, from_rows: bool) -> None:
        """Its rows' numbers and days are read as `decimalMark` and `dateOrder` say; no other
        rule applies."""
        if named := [name for name in rules.given if name not in READING_RULES]:
            raise BadUserInput(f"{self.name} does not take `{named[0]}`.")

    def images_of(
        self, entity: EntitySpec, changed: Sequence[ActionLog], decisions: Decisions
    ) -> list[BeforeImage | None]:
        """An entity a row inserted did not exist before (its logs say which: no decisions
        are kept)."""
        return [
            inserted_image(log.row, log.entity_id)
            if log.entity_id is not None and log.reason is LogReason.INSERTED
            else None
            for log in changed
        ]

    async def apply(
        self, ctx: ChunkContext, rows: Sequence[Row], decisions: Decisions
    ) -> list[Outcome]:
        stamp = stamp_of(decisions)
        if ctx.dry_run:
            # Nothing is written: the rows whose key is held would clash.
            holders = await holders_of(ctx, [row["key"] for row in rows])
            errors = {
                index: {"code": DUPLICATE_KEY_CODE}
                for index, row in enumerate(rows)
                if row["key"] in holders
            }
        else:
            errors = await ctx.run_writes([InsertOne(new_entity(ctx, row, stamp)) for row in rows])
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
                        STANDARD_MESSAGES[LogReason.ALREADY_EXISTS],
                    )
                )
            else:
                outcomes.append(failed_write(row["row"], error))
        return outcomes


actions.register(Insert())
