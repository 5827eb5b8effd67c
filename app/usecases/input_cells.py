"""The input each row of an action had, as CSV cells: what logs.csv of the failed rows adds to
each log, so that the file can be corrected and given back to a retry as it is.

A CSV action's cells are the upload's own values under the fields they filled, re-read
alongside the logs (both in row order). Other actions' cells are their stored rows (target
id and field values, written as an export writes them), read only from the chunks that hold
the rows asked for.
"""

from collections.abc import AsyncGenerator
from contextlib import AsyncExitStack, aclosing

from app.domain.actions import actions, rules_of
from app.domain.entities import EntitySpec
from app.domain.models import BulkAction
from app.domain.spreadsheet_cells import from_spreadsheet
from app.infra.files import uploads
from app.infra.files.chunk_rows import ActionRows
from app.infra.files.csv_records import records
from app.infra.mongo.accounts import custom_fields


def input_columns(action: BulkAction, entity: EntitySpec) -> list[str]:
    """The fields the action's input gave, in the order its cells come."""
    if action.upload_id is not None:
        return [name for name in action.columns or [] if name]
    rules = rules_of(action)
    allowed, _ = actions.get(action.action_type).columns(entity, rules)
    shown = [name for name in entity.export_columns() if name in allowed]
    if rules.match_by is not None and rules.match_by not in shown:
        shown.insert(0, rules.match_by)
    return shown


class InputCells:
    """Answers `cells(row)` for rows asked in ascending order."""

    def __init__(self, action: BulkAction, entity: EntitySpec, stack: AsyncExitStack) -> None:
        self.action = action
        self.entity = entity
        self.columns = input_columns(action, entity)
        self.stack = stack
        self.upload: AsyncGenerator[tuple[int, list[str]], None] | None = None
        self.current: tuple[int, list[str]] = (0, [])
        self.stored = ActionRows(action)

    @classmethod
    async def open(cls, action: BulkAction, stack: AsyncExitStack) -> "InputCells":
        return cls(action, await custom_fields.entity_of(action), stack)

    @staticmethod
    async def columns_of(action: BulkAction) -> list[str]:
        """The columns its cells come under (`input_columns`)."""
        return input_columns(action, await custom_fields.entity_of(action))

    async def cells(self, row: int) -> list[str]:
        if self.action.upload_id is not None:
            return await self.upload_cells(row)
        return await self.stored_cells(row)

    async def upload_cells(self, row: int) -> list[str]:
        if self.upload is None:
            self.upload = await self.stack.enter_async_context(aclosing(self.read_upload()))
        while self.current[0] < row:
            self.current = await anext(self.upload, (row, []))
        return self.current[1] if self.current[0] == row else []

    async def read_upload(self) -> AsyncGenerator[tuple[int, list[str]], None]:
        assert self.action.upload_id is not None
        positions = [at for at, name in enumerate(self.action.columns or []) if name]
        async with aclosing(records(uploads.read_spooled(self.action.upload_id))) as found:
            async for record in found:
                values = record.values or []
                # As the import read them: logs.csv escapes them again for spreadsheets.
                yield (
                    record.number,
                    [from_spreadsheet(values[at]) if at < len(values) else "" for at in positions],
                )

    async def stored_cells(self, row: int) -> list[str]:
        if (stored := await self.stored.row(row)) is None:
            return []
        data = stored.get("data") or {}
        if "match" in stored and self.action.match_by is not None:
            data = {**data, self.action.match_by: stored["match"]}  # a row matched by it
        return self.entity.csv_cells(stored.get("id", ""), data, self.columns)
