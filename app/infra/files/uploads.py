"""Uploaded files: streamed into GridFS in chunks, scoped to an account, within limits.

A file over the byte or row limit is aborted while it streams, so nothing of it is kept. A
file is stored as UTF-8 text separated by commas, its lines ended by line feeds, whatever its
encoding (app.infra.files.encodings), separator (app.infra.files.separators) and line ends
(`LineEnds`): every reader of an upload reads that.
"""

import asyncio
import contextlib
import os
import tempfile
import time
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any, Protocol

from bson import ObjectId
from gridfs import DEFAULT_CHUNK_SIZE

from app.domain.errors import AppError, BadUserInput, NotFound
from app.domain.values import text_problem
from app.infra.files import reading as gridfs_files
from app.infra.files import unfinished
from app.infra.files.csv_records import BLANK_LINE, BOM, Opening, is_blank
from app.infra.files.encodings import FileEncoding, ToUtf8
from app.infra.files.separators import Separators
from app.infra.files.writing import FileWriter
from app.infra.mongo import db
from app.infra.outages import riding_out
from app.infra.settings import get_settings

BUCKET = "uploads"
# Bytes per GridFS chunk of an upload (GridFS's default), which a byte range is read by.
CHUNK_BYTES = DEFAULT_CHUNK_SIZE
READ_SIZE = 256 * 1024


class PayloadTooLarge(AppError):
    code = "PAYLOAD_TOO_LARGE"


class UploadTooSlow(AppError):
    """An upload that took longer than MAX_UPLOAD_SECONDS: nothing of it is kept."""

    code = "REQUEST_TIMEOUT"


@dataclass(frozen=True)
class StoredUpload:
    id: str
    filename: str
    bytes: int
    rows: int


class RowCounter:
    """Counts CSV records as bytes pass, as the readers count them: a line end outside quotes
    (quote parity, RFC 4180) ends one, unless it is blank (`is_blank`: empty cells at most),
    which is no record. `newlines` counts every line end outside quotes (the rows limit)."""

    def __init__(self) -> None:
        self.newlines = 0
        self._whole = 0  # whole records that are not blank
        self._quoted = False
        self._filled = False  # the record under way holds more than empty cells
        self._opening = Opening(len(BOM))

    def feed(self, data: bytes) -> None:
        if not self._opening.told:
            if (head := self._opening.feed(data)) is None:
                return
            data = head.removeprefix(BOM)
        for index, part in enumerate(data.split(b'"')):
            if index:
                self._quoted = not self._quoted
                self._filled = True  # a record with a quote is never blank
            if self._quoted:
                continue
            newlines = part.count(b"\n")
            if not newlines:
                if not self._filled and not is_blank(part):
                    self._filled = True
                continue
            self.newlines += newlines
            first, last = part.find(b"\n"), part.rfind(b"\n")
            self._whole += self._filled or not is_blank(part[:first])
            if newlines > 1:  # the lines between: whole records, blank ones left out
                blank = len(BLANK_LINE.findall(part, first, last + 1))
                self._whole += newlines - 1 - blank
            self._filled = not is_blank(part[last + 1 :])

    @property
    def records(self) -> int:
        """Records including the header (a last line without a line end counts too)."""
        held = self._opening.held is not None and not is_blank(self._opening.held)
        return self._whole + (self._filled or held)


class LineEnds:
    """Makes a file whose lines end with a carriage return alone (as classic Mac tools and
    Excel's "Macintosh" CSV save them) end them with line feeds, byte for byte (a CR in a
    quoted cell too), as it passes: the platform's readers cut records at line feeds. Told
    from the first line end; a file with CRLF or LF endings passes as it is."""

    def __init__(self) -> None:
        self.carriage_returns_alone: bool | None = None  # None: no line end seen yet
        self._held = b""

    def feed(self, data: bytes) -> bytes:
        data, self._held = self._held + data, b""
        if self.carriage_returns_alone is None:
            at = data.find(b"\r")
            newline = data.find(b"\n")
            if at == -1 or (newline != -1 and newline < at):
                if newline != -1:
                    self.carriage_returns_alone = False
                return data
            if at == len(data) - 1:
                self._held = b"\r"  # what follows it tells
                return data[:-1]
            self.carriage_returns_alone = data[at + 1 : at + 2] != b"\n"
        return data.replace(b"\r", b"\n") if self.carriage_returns_alone else data

    def end(self) -> bytes:
        """What is held at the end of the file: a last CR, the file's one line end."""
        held, self._held = self._held, b""
        return b"\n" if held else b""


class Readable(Protocol):
    """A file sent in a request (Starlette's UploadFile), read a piece at a time."""

    async def read(self, size: int = -1) -> bytes: ...


async def pieces_of(file: Readable) -> AsyncIterator[bytes]:
    """A sent file's bytes, READ_SIZE at a time, for `store`."""
    while data := await file.read(READ_SIZE):
        yield data


def clean_filename(filename: str | None) -> str:
    """The client's file name as kept: characters the database refuses become '_'."""
    name = "".join("_" if text_problem(char) else char for char in (filename or "")[:200])
    return name.strip() or "upload.csv"


async def store(
    account_id: str,
    filename: str,
    body: AsyncIterator[bytes],
    encoding: FileEncoding = FileEncoding.UTF_8,
) -> StoredUpload:
    """Stores the file; its limits apply to the bytes as sent (`bytes`), which are stored
    converted to UTF-8 when `encoding` names another encoding (or the file is UTF-16)."""
    settings = get_settings()
    upload_id = ObjectId()
    deadline = time.monotonic() + settings.max_upload_seconds
    patience = settings.upload_outage_patience_seconds
    # Noted before any byte, so that it is found if this dies.
    await riding_out(lambda: unfinished.begin(upload_id, account_id), deadline, patience)
    name = clean_filename(filename)
    file = FileWriter(
        BUCKET,
        upload_id,
        CHUNK_BYTES,
        name,
        {"account_id": account_id, "encoding": encoding.value},
        deadline,
    )
    counter = RowCounter()
    to_utf8 = ToUtf8(encoding)
    line_ends = LineEnds()
    separators = Separators()
    size = 0
    try:
        async for given in body:
            size += len(given)
            if size > settings.max_upload_bytes:
                raise PayloadTooLarge(
                    f"The file is larger than the limit of {settings.max_upload_bytes} bytes.",
                    limit=settings.max_upload_bytes,
                )
            if time.monotonic() > deadline:
                raise too_slow(settings.max_upload_seconds)
            data = separators.feed(line_ends.feed(to_utf8.feed(given)))
            counter.feed(data)
            if counter.newlines - 1 > settings.max_upload_rows:
                raise PayloadTooLarge(
                    f"The file has more than {settings.max_upload_rows} rows.",
                    limit=settings.max_upload_rows,
                )
            await file.write(data)
        tail = line_ends.feed(to_utf8.end()) + line_ends.end()
        if last := separators.feed(tail) + separators.end():
            counter.feed(last)
            await file.write(last)
        rows = max(counter.records - 1, 0)
        await file.close(bytes=size, rows=rows)
        if not await riding_out(lambda: unfinished.end(upload_id), deadline, patience):
            raise too_slow(settings.max_upload_seconds)  # retention took it: it is deleted
        await riding_out(lambda: unfinished.forget(upload_id), deadline, patience)
    except BaseException:
        await discard(upload_id)
        raise
    return StoredUpload(id=str(upload_id), filename=name, bytes=size, rows=rows)


def too_slow(limit: float) -> UploadTooSlow:
    return UploadTooSlow(
        f"The upload took longer than {limit:g} s; nothing of it was kept. Send it again.",
        limit=limit,
    )


async def discard(upload_id: ObjectId) -> None:
    """Deletes what a failed upload stored, then its note; when the database cannot be
    reached for that, retention deletes it later (app.infra.files.unfinished)."""
    with contextlib.suppress(Exception):
        await delete_stored(upload_id)
        await unfinished.forget(upload_id)


def db_files() -> Any:
    return db.current_database()[f"{BUCKET}.files"]


async def find(account_id: str, upload_id: str) -> StoredUpload:
    """The account's upload; another account's is NOT_FOUND."""
    if not ObjectId.is_valid(upload_id):
        raise BadUserInput(f"{upload_id!r} is not an upload id (24 hexadecimal characters).")
    doc = await db_files().find_one({"_id": ObjectId(upload_id)})
    if doc is None or (doc.get("metadata") or {}).get("account_id") != account_id:
        raise NotFound(f"No upload with id {upload_id!r}.")
    meta = doc["metadata"]
    return StoredUpload(
        id=upload_id,
        filename=doc.get("filename", ""),
        bytes=meta.get("bytes", 0),
        rows=meta.get("rows", 0),
    )


async def read(upload_id: str) -> AsyncGenerator[bytes, None]:
    """The file's bytes, streamed from its GridFS chunks in order. Whether the file exists
    is asked only when no chunk came: an empty file has none either."""
    found = False
    async with contextlib.aclosing(gridfs_files.stream(BUCKET, ObjectId(upload_id))) as data:
        async for piece in data:
            found = True
            yield piece
    if not found and await db_files().find_one({"_id": ObjectId(upload_id)}, {"_id": 1}) is None:
        raise NotFound(f"No upload with id {upload_id!r}.")


async def read_range(upload_id: str, start: int, end: int) -> bytes | None:
    """Bytes [start, end) of the upload (a chunk's rows): a query or two. None when the
    upload is gone."""
    return await gridfs_files.byte_range(BUCKET, ObjectId(upload_id), start, end, CHUNK_BYTES)


class Spool:
    """An upload's bytes copied to a local temporary file (`spooled`)."""

    def __init__(self, copy: IO[bytes]) -> None:
        self.copy = copy

    async def pieces(self) -> AsyncGenerator[bytes, None]:
        """The bytes in order, a piece at a time."""
        offset = 0
        while data := await asyncio.to_thread(os.pread, self.copy.fileno(), READ_SIZE, offset):
            offset += len(data)
            yield data

    def read_at(self, start: int, end: int) -> bytes:
        """Bytes [start, end): a record read again (a read of the local disk, in place)."""
        return os.pread(self.copy.fileno(), end - start, start)


@contextlib.asynccontextmanager
async def spooled(upload_id: str) -> AsyncIterator[Spool]:
    """The file copied first to a local temporary file, to be read from there.

    For slow consumers such as planning, which reads while it writes chunks: a GridFS
    cursor held open for minutes can expire on the server mid-file (seen with FerretDB at
    about 32 MB), while the copy takes seconds. Memory stays bounded: the copy is on disk.
    """
    with tempfile.TemporaryFile() as copy:
        async with contextlib.aclosing(read(upload_id)) as pieces:
            async for data in pieces:
                await asyncio.to_thread(copy.write, data)
        await asyncio.to_thread(copy.flush)
        yield Spool(copy)


async def read_spooled(upload_id: str) -> AsyncGenerator[bytes, None]:
    """The file's bytes, read from a local copy (`spooled`)."""
    async with spooled(upload_id) as spool, contextlib.aclosing(spool.pieces()) as pieces:
        async for data in pieces:
            yield data


async def unclaimed(before: datetime, limit: int) -> list[str]:
    """Uploads stored before `before` that no action was seen to use yet, oldest first."""
    cursor = db_files().find(
        {"uploadDate": {"$lt": before}, "metadata.used": {"$ne": True}},
        {"_id": 1},
        sort=[("uploadDate", 1)],
        limit=limit,
    )
    return [str(doc["_id"]) async for doc in cursor]


async def mark_used(upload_ids: Sequence[str]) -> None:
    """Marks uploads an action uses: kept until that action's retention deletes them."""
    if upload_ids:
        await db_files().update_many(
            {"_id": {"$in": [ObjectId(upload_id) for upload_id in upload_ids]}},
            {"$set": {"metadata.used": True}},
        )


async def delete(upload_id: str) -> None:
    """Deletes the upload, its chunks first: one cut short leaves its file document, which
    finds it again (retention, or a caller trying again), never chunks that nothing names."""
    gridfs_files.forget(BUCKET, ObjectId(upload_id))
    await delete_stored(ObjectId(upload_id))


async def delete_stored(upload_id: ObjectId) -> None:
    database = await db.connect()
    await database[f"{BUCKET}.chunks"].delete_many({"files_id": upload_id})
    await database[f"{BUCKET}.files"].delete_one({"_id": upload_id})
