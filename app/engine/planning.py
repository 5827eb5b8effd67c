"""Planning: stream an action's input into chunks, mark repeated keys, queue the chunks. A chunk
of an upload names the byte range that holds its rows; others store their rows.

Chunks are queued as they are written (as far as their chains allow: app.engine.completion), so
processing starts while planning still reads. Safe to run twice: chunk ids are
"<action>:<seq>", a repeated insert of one is ignored, and the dedupe store recognises rows it
saw before. A run that finds planning finished only re-queues what the chains need.
"""

import asyncio
import contextlib
import tempfile
import time
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from beanie import PydanticObjectId
from bson import ObjectId

from app.domain.actions import ActionSpec, actions, rules_of
from app.domain.actions._inputs import CsvKeys, CsvRows
from app.domain.clock import utcnow
from app.domain.entities import EntitySpec, entities
from app.domain.filters import to_query
from app.domain.models import (
    TERMINAL_STATUSES,
    BulkAction,
    BulkActionStatus,
    Chunk,
    ControlRequest,
)
from app.domain.models.action_log import LogStatus
from app.domain.models.ids import saved_id
from app.domain.rows import BeforeImage, Decisions, Row
from app.domain.status import PLANNABLE
from app.engine.completion import after_planned, finish_if_complete, in_flight, send_ready
from app.engine.deferral import ComeBackLater
from app.engine.lifecycle import transition
from app.engine.pacing import release
from app.engine.splitting import chunk_size_for
from app.infra.files import uploads
from app.infra.files.chunk_rows import mark, record_row
from app.infra.files.csv_records import (
    MAX_RECORD_BYTES,
    Record,
    RecordPlaces,
    record_at,
    record_batches,
)
from app.infra.mongo import actions as stored_actions
from app.infra.mongo import before_images, chunks, controls, drips, inputs, logs
from app.infra.mongo import entities as stored_entities
from app.infra.mongo.accounts import custom_fields
from app.infra.mongo.accounts.limits import limit_for
from app.infra.redis import dedupe, keys, lease, liveness, mirrors
from app.infra.redis.events import publish_change

# A delayed message may arrive a little before its time.
EARLY_START = timedelta(seconds=1)
# Rows validated between two turns of the event loop, which other chunks share.
YIELD_EVERY_ROWS = 100
# Matching ids a filter's cursor fetches at a time.
FILTER_BATCH = 1000
# Chunks written at once (ChunkWriter), at most; and the longest a written chunk waits for
# the others of its batch.
MAX_WRITE_BATCH = 8
WRITE_BATCH_SECONDS = 1.0
# Rows whose validity a CSV's planning keeps, at most (CsvInput.valid).
MAX_CHECKED_ROWS = 100_000


async def inline_rows(action: BulkAction) -> AsyncGenerator[Row, None]:
    async with aclosing(inputs.rows_of(saved_id(action))) as rows:
        async for row in rows:
            yield row


class CsvInput:
    """An upload's rows as planning reads them, from a local copy of it: each row's number,
    where it is in the upload, and its dedupe key read from the key's cell alone (CsvKeys);
    a row whose key cell already makes it invalid is read whole, to log why. Other rows are
    read whole (validated) only when they hold a key a later row repeats (`valid`), or are
    in a chunk that stores its rows (`whole_rows`): processing validates the others."""

    def __init__(self, action: BulkAction, spec: ActionSpec, entity: EntitySpec) -> None:
        self.spec, self.entity = spec, entity
        self.rules, self.columns = rules_of(action), action.columns or []
        self.key_of = CsvKeys(spec, entity, self.rules, self.columns)
        self.read_row = CsvRows(spec, entity, self.rules, self.columns)
        assert action.upload_id is not None
        self.upload_id = action.upload_id
        self.places: RecordPlaces | None = None
        self.spool: uploads.Spool | None = None
        self.checked: dict[int, bool] = {}

    @contextlib.asynccontextmanager
    async def opened(self) -> AsyncIterator["CsvInput"]:
        """Ready to read: the upload copied to a local file, and a file for where rows are."""
        with tempfile.TemporaryFile() as places:
            self.places = RecordPlaces(places)
            async with uploads.spooled(self.upload_id) as self.spool:
                yield self

    async def rows(self) -> AsyncGenerator[Row, None]:
        """The rows: unreadable ones invalid (logged FAILED/INVALID with their number), and
        the rows after them read as usual."""
        assert self.spool is not None and self.places is not None
        async with aclosing(record_batches(self.spool.pieces())) as batches:
            async for batch in batches:
                found = [record for record in batch if record.number]  # not the header
                self.places.add(found)
                for record in found:
                    yield self.keyed_row(record)
                    if record.number % YIELD_EVERY_ROWS == 0:
                        await asyncio.sleep(0)  # reading is CPU work: let the loop breathe

    def keyed_row(self, record: Record) -> Row:
        key = None
        if record.values is not None:
            key = self.key_of(record.values)
        row = self.whole(record) if key is None else Row(row=record.number, dedupe=key)
        if record.span is not None:
            row["upload_span"] = record.span
        return row

    def whole(self, record: Record) -> Row:
        return record_row(self.read_row, record)

    def again(self, number: int) -> Record:
        """Row `number`'s record, read again from the local copy."""
        assert self.spool is not None and self.places is not None
        span = self.places.span_of(number)
        if span is None:
            return Record(number=number, error=f"the row is longer than {MAX_RECORD_BYTES} bytes")
        return record_at(self.spool.read_at(*span), span[0], number)

    async def valid(self, number: int) -> bool:
        """Whether row `number` (read already) is valid; kept for the rows asked lately."""
        if (known := self.checked.get(number)) is None:
            if len(self.checked) >= MAX_CHECKED_ROWS:
                self.checked.clear()
            known = self.checked[number] = "invalid" not in self.whole(self.again(number))
        return known

    def whole_rows(self, rows: list[Row], action_id: PydanticObjectId) -> list[Row]:
        """The rows read whole and marked, for a chunk that stores them."""
        made = []
        for row in rows:
            whole = self.whole(self.again(row["row"]))
            mark(whole, bool(row.get("dup")), action_id, self.spec)
            made.append(whole)
        return made


@dataclass(frozen=True)
class Planned:
    """What an earlier planning run of the action wrote before it stopped: its chunks and
    rows, and the last entity a filter gave. A filter's matches can change while it runs
    (the action's own writes may change them), so planning by filter goes on from there
    rather than reading the matches again."""

    chunks: int = 0
    rows: int = 0
    last_id: str | None = None


async def planned_before(action: BulkAction) -> Planned:
    if action.filter is None:
        return Planned()  # the other inputs read the same rows again: chunks come out equal
    action_id = saved_id(action)
    last_seq = await chunks.last_planned_seq(action_id)
    # Rows of the chunks of a batch after the last chunk may be stored without their chunks
    # (ChunkWriter): not kept.
    first = 0 if last_seq is None else last_seq + 1
    await chunks.forget_rows(
        [Chunk.id_for(action_id, seq) for seq in range(first, first + MAX_WRITE_BATCH)]
    )
    if last_seq is None:
        return Planned()
    rows = await chunks.rows_of(Chunk.id_for(action_id, last_seq))
    assert rows is not None  # a chunk is only written after its rows
    last = rows[-1]
    return Planned(chunks=last_seq + 1, rows=last["row"], last_id=last.get("id"))


async def snapshot(action: BulkAction) -> BulkAction:
    """Fixes, once, the newest entity id a filter's planning reads: entities made later are
    not targeted, whatever they look like."""
    if action.targets_up_to is not None:
        return action
    newest = await stored_entities.newest_id(entities.get(action.entity_type), action.account_id)
    found = await stored_actions.fix_targets(saved_id(action), newest or ObjectId("0" * 24))
    assert found is not None
    return found


async def filter_rows(action: BulkAction, after: Planned) -> AsyncGenerator[Row, None]:
    """The ids of the filter's matches in id order, read with a bounded cursor."""
    assert action.filter is not None and action.targets_up_to is not None
    entity = await custom_fields.entity_of(action)
    ids: dict[str, Any] = {"$lte": action.targets_up_to}
    if after.last_id is not None:
        ids["$gt"] = ObjectId(after.last_id)
    query: dict[str, Any] = {"account_id": action.account_id, "_id": ids}
    if matching := to_query(entity, action.filter):
        query["$and"] = [matching]
    number = after.rows
    async with aclosing(stored_entities.ids_matching(entity, query, FILTER_BATCH)) as found:
        async for entity_id in found:
            number += 1
            yield {"row": number, "id": entity_id}


async def image_rows(action: BulkAction) -> AsyncGenerator[Row, None]:
    """A restore's rows: the before-images of the action it undoes, in row order."""
    assert action.restore_of is not None
    original = await stored_actions.get(action.restore_of)
    if original is None:
        return
    number = 0
    async with aclosing(images_of(original)) as images:
        async for image in images:
            number += 1
            yield {"row": number, "source_row": image["row"], "id": image["id"], "image": image}


# The before-images a restore puts back. They are made, chunk by chunk, from the rows the
# undone action's logs say it changed (SUCCESS) and what the chunk's decide step read before
# writing, which its stored decisions hold (ActionSpec.images_of): the before-state is stored
# once, with the decisions a redelivery needs anyway, kept until the restore window closes
# (app.engine.retention). An INSERT keeps no decisions: an entity it inserted did not exist
# before, which its logs tell alone. A chunk run by an earlier version, which stored its
# images apart (app.infra.mongo.before_images), has those read back.


async def images_of(original: BulkAction) -> AsyncGenerator[BeforeImage, None]:
    """The images of the action a restore undoes, in row order: a few reads per chunk."""
    spec = actions.get(original.action_type)
    entity = entities.get(original.entity_type)
    for chunk in in_row_order(await chunks.of_action(saved_id(original))):
        for image in await images_of_chunk(spec, entity, chunk):
            yield image


def in_row_order(found: Sequence[Chunk]) -> list[Chunk]:
    """The chunks that ran rows (a split chunk's parts, not the chunk), by their first row."""
    ran = [chunk for chunk in found if chunk.parts is None and chunk.first_row is not None]
    return sorted(ran, key=lambda chunk: chunk.first_row or 0)


async def images_of_chunk(spec: ActionSpec, entity: EntitySpec, chunk: Chunk) -> list[BeforeImage]:
    """The images of the rows one chunk changed, in row order: made from its decisions, or
    for a row they cannot make (decisions stored by an earlier version, or deleted with an
    action that ended before an upgrade), the image the chunk stored then."""
    assert chunk.first_row is not None and chunk.last_row is not None
    first, last = chunk.first_row, chunk.last_row
    changed = [
        log
        for log in await logs.read_chunk(chunk.action_id, chunk.seq, LogStatus.SUCCESS)
        if first <= log.row <= last  # one part's rows, where the chunk was split
    ]
    if not changed:
        return []
    decisions = Decisions() if spec.undone_from_logs else await chunks.decisions_of(chunk.id)
    made = dict.fromkeys(log.row for log in changed)
    if decisions is not None:
        made.update(zip(made, spec.images_of(entity, changed, decisions), strict=True))
    if missing := {row for row, image in made.items() if image is None}:
        stored = await before_images.images_of_rows(chunk.action_id, min(missing), max(missing))
        made.update({image["row"]: image for image in stored if image["row"] in missing})
    return [image for image in made.values() if image is not None]


def input_rows(
    action: BulkAction, after: Planned, csv: CsvInput | None
) -> AsyncGenerator[Row, None]:
    if action.filter is not None:
        return filter_rows(action, after)
    if action.restore_of is not None:
        return image_rows(action)
    return csv.rows() if csv is not None else inline_rows(action)


async def mark_repeats(
    action: BulkAction, spec: ActionSpec, rows: list[Row], csv: CsvInput | None
) -> None:
    """Marks the rows that repeat an earlier valid row's key, and gives planned ids (not to a
    CSV's rows: see below)."""
    valid = [row for row in rows if "invalid" not in row]
    if action.filter is not None:
        repeated: set[int] = set()  # a filter's matches are distinct entities
    elif csv is not None:
        keyed = [
            (row["row"], row.pop("dedupe") if "dedupe" in row else spec.dedupe_key(row))
            for row in valid
        ]
        repeated = await dedupe.repeats(str(action.id), keyed, csv.valid)
    else:
        keyed = [(row["row"], spec.dedupe_key(row)) for row in valid]
        repeated = await dedupe.repeats(str(action.id), keyed)
    if csv is not None:
        # Its rows are only flagged: a chunk of them names its repeats and stores no rows,
        # and one that stores them reads them whole and marks them then (whole_rows).
        for row in valid:
            if row["row"] in repeated:
                row["dup"] = True
        return
    action_id = saved_id(action)
    for row in valid:
        mark(row, row["row"] in repeated, action_id, spec)


def upload_range(rows: list[Row]) -> tuple[int, int] | None:
    """The byte range of its upload that holds the chunk's rows, which it then reads from
    there (app.infra.files.chunk_rows); None where a row's bytes are not known (a record too
    long to read) or the rows are not an upload's."""
    spans = [row.pop("upload_span", None) for row in rows]
    first, last = spans[0], spans[-1]
    if first is None or last is None or None in spans:
        return None
    return first[0], last[1]


def chunk_of(
    action: BulkAction, seq: int, rows: list[Row], dripped: bool, found_in: tuple[int, int] | None
) -> Chunk:
    """The chunk of these rows; one of an upload names their byte range (upload_range)."""
    action_id = saved_id(action)
    return Chunk(
        id=Chunk.id_for(action_id, seq),
        action_id=action_id,
        account_id=action.account_id,
        seq=seq,
        size=len(rows),
        first_row=rows[0]["row"],
        last_row=rows[-1]["row"],
        dry_run=action.dry_run,
        dripped=dripped,
        upload_from=None if found_in is None else found_in[0],
        upload_to=None if found_in is None else found_in[1],
        repeats=[row["row"] for row in rows if row.get("dup")] if found_in else [],
    )


async def make_chunk(
    action: BulkAction,
    spec: ActionSpec,
    seq: int,
    rows: list[Row],
    dripped: bool,
    csv: CsvInput | None,
) -> tuple[Chunk, list[Row]]:
    """The chunk of these rows, and its rows as stored when it stores them."""
    await mark_repeats(action, spec, rows, csv)
    found_in = upload_range(rows)
    if csv is not None and found_in is None:
        rows = csv.whole_rows(rows, saved_id(action))  # it stores its rows: whole ones
    return chunk_of(action, seq, rows, dripped, found_in), rows


async def write_batch(chunks_made: list[Chunk], rows: dict[str, list[Row]]) -> None:
    """Writes chunks (rows first: a chunk is only ever found with its rows in place) and
    queues those their chains have reached."""
    if rows:
        await chunks.store_rows(rows)
    await chunks.insert(chunks_made)
    action_id = str(chunks_made[0].action_id)
    await mirrors.wrote_through(action_id, chunks_made[-1].seq)
    await after_planned(chunks_made)
    await liveness.touch(action_id)


class ChunkWriter:
    """Writes an action's chunks as planning makes them: the first alone, as processing
    starts with it, then the first chunks of the other chains in one batch, so that every
    chain runs, then batches of MAX_WRITE_BATCH chunks, each one insert and one read of the
    chunks before them in their chains rather than two commands a chunk. A batch is written
    once full, or once its first chunk has waited WRITE_BATCH_SECONDS (a slow filter's), and
    at the end."""

    def __init__(self) -> None:
        self.batches = 0  # written so far
        self.made: list[Chunk] = []
        self.rows: dict[str, list[Row]] = {}
        self.since = 0.0

    @property
    def size(self) -> int:
        """The chunks of the batch being made."""
        if self.batches == 0:
            return 1
        others = in_flight() - 1 if self.batches == 1 else MAX_WRITE_BATCH
        return max(1, min(others, MAX_WRITE_BATCH))

    async def add(self, chunk: Chunk, rows: list[Row]) -> None:
        if not self.made:
            self.since = time.monotonic()
        self.made.append(chunk)
        if chunk.upload_from is None:
            self.rows[chunk.id] = rows
        if len(self.made) >= self.size or time.monotonic() - self.since >= WRITE_BATCH_SECONDS:
            await self.flush()

    async def flush(self) -> None:
        if self.made:
            await write_batch(self.made, self.rows)
            self.batches += 1
            self.made, self.rows = [], {}


async def write_chunks(action: BulkAction) -> tuple[int, int]:
    """Reads the input, writing and enqueueing chunks as they fill; returns (rows, chunks)."""
    spec = actions.get(action.action_type)
    size = chunk_size_for(await limit_for(action.account_id))
    batch = await drip_batch_size(action)
    if batch is not None:
        size = min(size, batch)
    if action.filter is not None:
        action = await snapshot(action)
    after = await planned_before(action)
    total = after.rows
    seq = after.chunks
    pending: list[Row] = []
    writer = ChunkWriter()
    dripped = batch is not None
    async with contextlib.AsyncExitStack() as opened:
        csv = None
        if action.upload_id and action.filter is None and action.restore_of is None:
            made = CsvInput(action, spec, await custom_fields.entity_of(action))
            csv = await opened.enter_async_context(made.opened())
        async with aclosing(input_rows(action, after, csv)) as rows:
            async for row in rows:
                total += 1
                pending.append(row)
                # A drip action's chunks end where its batches do: a batch is whole chunks.
                if len(pending) == size or (batch is not None and total % batch == 0):
                    chunk = await make_chunk(action, spec, seq, pending, dripped, csv)
                    await writer.add(*chunk)
                    seq, pending = seq + 1, []
        if pending:
            await writer.add(*await make_chunk(action, spec, seq, pending, dripped, csv))
            seq += 1
    await writer.flush()
    return total, seq


async def drip_batch_size(action: BulkAction) -> int | None:
    """The batch size of a drip action's pace when planning starts (None: not paced; a dry
    run is not)."""
    if not action.dripped or action.dry_run:
        return None
    pace = await drips.pace_of(saved_id(action))
    return None if pace is None else pace.batch_size


async def start(action: BulkAction, cancelled: bool = False) -> BulkAction | None:
    """Moves a due QUEUED or SCHEDULED action to PROCESSING; None when it is not due. A
    `cancelled` one starts now, whatever its time: its chunks log every row CANCELLED, as
    those of an action cancelled while it runs do, so each row has its one outcome."""
    due = action.scheduled_at is None or action.scheduled_at <= utcnow() + EARLY_START
    if action.status is BulkActionStatus.SCHEDULED and not due and not cancelled:
        return None  # rescheduled later: this message is out of date
    return await transition(
        saved_id(action),
        BulkActionStatus.PROCESSING,
        account_id=action.account_id,
        started_at=utcnow(),
    )


async def plan(action: BulkAction) -> int:
    """Writes the action's chunks, unless another planner holds the lease on it; returns
    how many it wrote."""
    action_id = str(action.id)
    if not await lease.keep(keys.planning_lease(action_id)):
        # Another planner is at work, or died and its lease runs out soon: look again then.
        wait_ms = await lease.remaining_ms(keys.planning_lease(action_id))
        raise ComeBackLater(wait_ms + 100, "another planner holds the lease")
    try:
        total, chunk_count = await write_chunks(action)
        await stored_actions.set_fields(saved_id(action), total=total, chunks_total=chunk_count)
        await mirrors.planned(action_id, chunk_count)  # after the database: it says true
        await publish_change(action.id, action.account_id)
        await dedupe.forget(action_id)
    finally:
        await lease.give_back(keys.planning_lease(action_id))
    return chunk_count


async def plan_action(action_id: str) -> None:
    """The planner actor's work, also run to apply an owner's request or restart a stall:
    start a due action, plan it (once), re-queue what its chains need, and end it when done."""
    found = await stored_actions.get(PydanticObjectId(action_id))
    if found is None or found.status in TERMINAL_STATUSES:
        return
    action: BulkAction | None = found
    request = await controls.request_of(saved_id(found))
    if request is not ControlRequest.RUN:
        # Chunks waiting for their booked time give the time back to the account.
        await release(found.account_id, action_id)
    if found.status in PLANNABLE:
        action = await start(found, cancelled=request is ControlRequest.CANCEL)
    if action is None:
        return
    await liveness.touch(action_id)
    chunks_total = action.chunks_total
    planned_now = chunks_total is None
    if chunks_total is None:
        chunks_total = await plan(action)
    else:  # the count again, in case Redis lost it: chunks that end their chains tell by it
        await mirrors.planned(action_id, chunks_total)
    # A resume, a lost message, a dead worker: the chains go on from where they are. Right
    # after planning, the chunks planning sent are not sent again: two deliveries of one
    # chunk at once would both do its work (app.engine.completion).
    if await controls.request_of(saved_id(action)) is not ControlRequest.PAUSE:
        await send_ready(saved_id(action), again=not planned_now)
    await finish_if_complete(saved_id(action), chunks_total)


async def fail_planning(action_id: str, error: str) -> None:
    """Planning could not be done: the action ends FAILED."""
    await transition(
        PydanticObjectId(action_id),
        BulkActionStatus.FAILED,
        error=error[:500],
        finished_at=utcnow(),
    )
