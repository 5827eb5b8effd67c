"""EXPORT: write entities named by id or by filter to a CSV file, a part per chunk.

Each chunk reads its entities with one query and stores its rows as one part of the file
(a chunk delivered again stores its part again, replacing it); the file is the header and
the parts in chunk order, served when the action ends. The CSV is the one an import reads:
an exported file can be edited and imported back (UPSERT) without a column map.
"""

import io
from collections.abc import Sequence
from typing import Any

from bson import ObjectId

from app.domain.actions._base import (
    ActionInput,
    ChunkContext,
    ImportRules,
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
from app.domain.spreadsheet_cells import SpreadsheetWriter


def checked_columns(entity: EntitySpec, given: Sequence[Any] | None) -> list[str]:
    allowed = entity.export_columns()
    if given is None:
        return allowed
    if not given:
        raise BadUserInput("`columns` names no column.")
    for name in given:
        if name not in allowed:
            raise BadUserInput(
                f"columns: unknown column {name!r} for {entity.name}; known: {', '.join(allowed)}."
            )
    if len(set(given)) != len(given):
        raise BadUserInput("columns: a column is named twice.")
    return list(given)


class Export(TargetsById):
    name = "EXPORT"
    writes_fields = False
    description = (
        "Writes the entities named by id or matched by a filter to a CSV file (GET "
        "/bulk-actions/{id}/export.csv)."
    )

    def prepare(self, entity: EntitySpec, given: ActionInput) -> PreparedInput:
        forbid("EXPORT", fields=given.fields, records=given.records)
        if given.filter is not None:
            forbid("EXPORT with filter", entityIds=given.entity_ids)
            prepared = filter_input(entity, given.filter)
        elif given.entity_ids is not None:
            prepared = ids_input(given.entity_ids)
        else:
            raise BadUserInput("EXPORT needs `entityIds` or `filter`.")
        prepared.columns = checked_columns(entity, given.columns)
        return prepared

    def record_row(
        self, entity: EntitySpec, record: Any, rules: ImportRules, text_checked: bool = False
    ) -> RowBody:
        return row_with_id(entity, record, rules, with_fields=False)

    def columns(self, entity: EntitySpec, rules: ImportRules) -> tuple[set[str], set[str]]:
        return {"id"}, {"id"}

    async def decide(self, ctx: ChunkContext, rows: Sequence[Row]) -> Decisions:
        return {}  # the entities are read as they are written out

    async def apply(
        self, ctx: ChunkContext, rows: Sequence[Row], decisions: Decisions
    ) -> list[Outcome]:
        assert ctx.store_part is not None
        columns = ctx.columns or ctx.entity.export_columns()
        ids = [ObjectId(entity_id) for entity_id in dict.fromkeys(row["id"] for row in rows)]
        found = {
            str(doc["_id"]): doc.get("data", {})
            for doc in await ctx.read({"_id": {"$in": ids}, "account_id": ctx.account_id})
        }
        buffer = io.StringIO()
        writer = SpreadsheetWriter(buffer)
        outcomes = []
        for row in rows:
            data = found.get(row["id"])
            if data is None:
                outcomes.append(not_found(row))
                continue
            writer.writerow(ctx.entity.csv_cells(row["id"], data, columns))
            outcomes.append(Outcome(row["row"], LogStatus.SUCCESS, LogReason.EXPORTED, row["id"]))
        if not ctx.dry_run:
            await ctx.store_part(ctx.chunk_id, buffer.getvalue().encode())
        return outcomes


actions.register(Export())
