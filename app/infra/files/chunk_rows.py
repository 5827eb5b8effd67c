"""A chunk's rows, wherever they are.

A chunk of a CSV upload keeps no copy of its rows: it names the byte range of the upload that
holds them (`upload_from`, `upload_to`) and which of them repeat an earlier row's key
(`repeats`), and its rows are read, validated and marked again each time it runs, exactly as
planning made them (a record reads the same on its own: app.infra.files.csv_records; a row's
entity id is planned from its number: app.domain.models.ids). Other chunks (inline records, a
filter's ids, a restore's images, the parts of a split chunk, a CSV chunk holding a record too
long to read) store their rows in ChunkRows.
"""

from bisect import bisect_right

from beanie import PydanticObjectId

from app.domain.actions import ActionSpec, actions, rules_of
from app.domain.actions._inputs import CsvRows
from app.domain.models import BulkAction, Chunk
from app.domain.models.ids import planned_id, saved_id
from app.domain.rows import Row
from app.infra.files import uploads
from app.infra.files.csv_records import Record, RecordReader
from app.infra.mongo import chunks
from app.infra.mongo.accounts import custom_fields


def record_row(read_row: CsvRows, record: Record) -> Row:
    """A CSV record as a row; one that cannot be read is an invalid row, logged FAILED."""
    if record.values is None:
        return {"row": record.number, "invalid": f"Unreadable row: {record.error}."}
    return read_row(record.number, record.values)


def mark(row: Row, repeated: bool, action_id: PydanticObjectId, spec: ActionSpec) -> None:
    """Planning's marks on a valid row: a repeat of an earlier row's key is skipped; a first
    one that may create an entity gets its planned id."""
    if "invalid" in row:
        return
    if repeated:
        row["dup"] = True
    elif spec.creates_entities:
        row["new_id"] = planned_id(action_id, row["row"])


async def rows_of(chunk: Chunk, action: BulkAction) -> list[Row] | None:
    """The chunk's rows as planning made them (None when they are not stored)."""
    if chunk.upload_from is None:
        return await chunks.rows_of(chunk.id)
    return await upload_rows(chunk, action)


async def upload_rows(chunk: Chunk, action: BulkAction) -> list[Row] | None:
    """The rows of a chunk of an upload, read from its byte range: one query or two (None
    when the upload is gone: retention deleted it)."""
    assert action.upload_id is not None and chunk.upload_from is not None
    assert chunk.upload_to is not None and chunk.first_row is not None
    data = await uploads.read_range(action.upload_id, chunk.upload_from, chunk.upload_to)
    if data is None:
        return None
    spec, entity = actions.get(action.action_type), await custom_fields.entity_of(action)
    read_row = CsvRows(spec, entity, rules_of(action), action.columns or [])
    repeats, action_id = set(chunk.repeats), saved_id(action)
    rows = []
    reader = RecordReader(offset=chunk.upload_from, first_number=chunk.first_row)
    for record in reader.feed(data, final=True):
        row = record_row(read_row, record)
        mark(row, record.number in repeats, action_id, spec)
        rows.append(row)
    if [row["row"] for row in rows] != list(range(chunk.first_row, (chunk.last_row or 0) + 1)):
        raise RuntimeError(f"chunk {chunk.id}: its upload's bytes do not hold its rows")
    return rows


class ActionRows:
    """An action's rows as planning made them, asked for in ascending row order: each chunk
    that holds one is read once, and no other (its chunks, read once, say which)."""

    def __init__(self, action: BulkAction) -> None:
        self.action = action
        self.starts: list[tuple[int, str]] | None = None  # (first row, chunk id), by row
        self.chunks: dict[str, Chunk] = {}
        self.loaded: str | None = None
        self.rows: dict[int, Row] = {}

    async def row(self, number: int) -> Row | None:
        if self.starts is None:
            found = await chunks.of_action(saved_id(self.action))
            self.chunks = {c.id: c for c in found if c.parent is None and c.first_row}
            self.starts = sorted((c.first_row or 0, c.id) for c in self.chunks.values())
        at = bisect_right(self.starts, (number, "\uffff")) - 1
        if at < 0:
            return None
        chunk_id = self.starts[at][1]
        if chunk_id != self.loaded:
            stored = await rows_of(self.chunks[chunk_id], self.action)
            self.rows = {row["row"]: row for row in stored or []}
            self.loaded = chunk_id
        return self.rows.get(number)
