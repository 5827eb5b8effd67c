"""The file an EXPORT action wrote: its header, then each chunk's part in chunk order."""

import io
from collections.abc import AsyncGenerator
from contextlib import aclosing

from app.domain.entities._base import FieldKind
from app.domain.errors import Conflict, NotFound
from app.domain.models import TERMINAL_STATUSES, BulkAction
from app.domain.models.ids import saved_id
from app.domain.principal import Principal
from app.domain.spreadsheet_cells import CommaSheet, SpreadsheetWriter
from app.infra.files import export_parts as exports
from app.infra.mongo import chunks
from app.infra.mongo.accounts import custom_fields
from app.usecases.reading.queries import get_action


async def finished_export(principal: Principal, action_id: str) -> BulkAction:
    """The caller's EXPORT action, once it has ended."""
    action = await get_action(principal, action_id)
    if action.action_type != "EXPORT":
        raise NotFound(f"Bulk action {action_id!r} is not an EXPORT: it has no file.")
    if action.status not in TERMINAL_STATUSES:
        raise Conflict(
            f"The export is {action.status}: its file is served once the action has ended."
        )
    return action


async def part_ids(action: BulkAction) -> list[str]:
    """The chunks' part names in file order (a split chunk's parts in their order)."""
    found = await chunks.of_action(saved_id(action))
    ordered = sorted((c for c in found if c.parent is None), key=lambda chunk: chunk.seq)
    return [
        chunk.part_id(n) if chunk.parts is not None else chunk.id
        for chunk in ordered
        for n in range(chunk.parts or 1)
    ]


async def export_file(
    action: BulkAction, decimal_comma: bool = False
) -> AsyncGenerator[bytes, None]:
    """The file: as stored, or for a spreadsheet with a decimal comma (`decimal_comma`:
    separated by ';', numbers with a decimal comma: `CommaSheet`), a part at a time."""
    header = io.StringIO()
    entity = await custom_fields.entity_of(action)
    columns = action.export_columns or entity.export_columns()
    SpreadsheetWriter(header, delimiter=";" if decimal_comma else ",").writerow(columns)
    yield header.getvalue().encode()
    numbers = entity.of_kind[FieldKind.NUMBER]
    sheet = CommaSheet([at for at, name in enumerate(columns) if name in numbers])
    for part_id in await part_ids(action):
        async with aclosing(exports.read_part(part_id)) as data:
            if not decimal_comma:
                async for piece in data:
                    yield piece
            else:  # a part is one chunk's rows: rewritten whole
                part = b"".join([piece async for piece in data])
                yield sheet.rewrite(part.decode()).encode()


async def export_file_after(
    action: BulkAction, decimal_comma: bool, offset: int
) -> AsyncGenerator[tuple[int, bytes], None]:
    """The file's bytes after its first `offset`, each piece with the offset it ends at: a
    download cut short by a database outage goes on from there (its parts, stored once the
    export ended, read the same every time; those before `offset` are read again)."""
    sent = 0
    async with aclosing(export_file(action, decimal_comma)) as pieces:
        async for piece in pieces:
            end = sent + len(piece)
            if end > offset:
                yield end, piece[max(0, offset - sent) :]
            sent = end
