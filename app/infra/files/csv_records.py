"""Incremental CSV: bytes in, numbered records out, never the whole file in memory.

Records are cut from the byte stream first: a newline ends a record unless it lies inside
quotes, which is exact for RFC 4180 quoting (an escaped quote is two quotes) and safe for
UTF-8, whose multi-byte characters never contain '"' or '\\n'. Each block of whole records
is then decoded (UTF-8, a leading BOM dropped) and parsed at once; a block that fails, or
whose records the CSV reader ends elsewhere (a quote inside an unquoted field is a character
to it), is parsed record by record, so a row that is not UTF-8, holds a NUL byte, is
malformed or is longer than `MAX_RECORD_BYTES` becomes an unreadable record with its row
number, and the rows around it are read as usual. Work is linear in the input, and bounded
per call by the size of the piece fed plus one record.

Each record also tells where its bytes are in the stream (`span`), so that a chunk of rows can
be read again from its upload's byte range (app.infra.files.chunk_rows) rather than stored.
"""

import csv
import io
import os
import re
import struct
from array import array
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator, Sequence
from contextlib import aclosing
from itertools import accumulate, chain
from typing import IO, NamedTuple

from app.domain.errors import BadUserInput
from app.infra.files.signatures import SIGNATURE_BYTES, kind_of_file

BOM = b"\xef\xbb\xbf"
# A record (row) longer than this is unreadable: it bounds the memory one record may take,
# and an unclosed quote cannot swallow the rest of a file.
MAX_RECORD_BYTES = 1 << 20
csv.field_size_limit(MAX_RECORD_BYTES)


class Record(NamedTuple):
    """A CSV record (a tuple: made for every row of every reading, it costs half a frozen
    dataclass's making)."""

    number: int  # 0 for the header, then data rows from 1; blank lines (`is_blank`) are not
    values: list[str] | None = None
    error: str | None = None  # why the row could not be read (values is None then)
    # Where its bytes are in the stream, [start, end), newline included; None for an
    # over-long record, whose bytes are dropped.
    span: tuple[int, int] | None = None


class CsvError(ValueError):
    """A record this platform cannot read; the message says why, for a person."""


def last_record_end(buf: bytes) -> int:
    """The index just past the last newline outside quotes in `buf` (0 when there is none);
    `buf` starts outside quotes. Walks back from the end, so a piece costs what it holds."""
    parts = buf.split(b'"')
    end = len(buf)
    for index in range(len(parts) - 1, -1, -1):
        part = parts[index]
        end -= len(part)
        if index % 2 == 0 and (newline := part.rfind(b"\n")) >= 0:
            return end + newline + 1
        end -= 1  # the quote before this part
    return 0


def quoted_newlines(block: bytes) -> frozenset[int]:
    """Where the newlines inside quotes are in `block` (which starts outside quotes): every
    quote opens or closes a quoted stretch (an escaped quote, doubled, does both). Found in C
    but for the quoted stretches that hold one."""
    parts = block.split(b'"')
    if b"\n" not in b"".join(parts[1::2]):
        return NO_NEWLINES
    starts = list(accumulate(map(len, parts), lambda at, size: at + size + 1, initial=0))
    found = []
    for index in range(1, len(parts), 2):
        if b"\n" in (part := parts[index]):
            newline = part.find(b"\n")
            while newline >= 0:
                found.append(starts[index] + newline)
                newline = part.find(b"\n", newline + 1)
    return frozenset(found)


NO_NEWLINES: frozenset[int] = frozenset()


def record_cuts(block: bytes) -> list[tuple[int, int, int]]:
    """The records of a block of whole records that are not blank: where each starts and
    ends in it (its newline included) and after how many of the block's lines, cut at
    newlines, it ends. A newline ends a record unless it is inside quotes
    (`quoted_newlines`); a record over several lines holds a quote, so it is never blank."""
    lines = block.split(b"\n")
    quoted = quoted_newlines(block) if b'"' in block else NO_NEWLINES
    cuts: list[tuple[int, int, int]] = []
    start = end = 0
    for number, line in enumerate(lines[:-1], start=1):
        end += len(line) + 1
        if end - 1 in quoted:
            continue
        if end - start > len(line) + 1 or not is_blank(line):
            cuts.append((start, end, number))
        start = end
    if start < len(block) and not is_blank(block[start:]):
        # It ends at the block's last newline (quoted) or after its last line.
        cuts.append((start, len(block), len(lines) - (not lines[-1])))
    return cuts


def filled_bounds(block: bytes, offset: int) -> list[tuple[int, int]]:
    """Where the records of `block` that are not blank are in the stream (`block` starts at
    `offset`). A block without quotes, the common case, is cut at every newline at once."""
    if b'"' in block:
        return spans_of(record_cuts(block), offset)
    lines = block.split(b"\n")
    # Where each line's record ends, its newline included (the last has none).
    ends = list(accumulate(map(len, lines), lambda end, size: end + size + 1, initial=offset))
    ends[-1] = offset + len(block)
    return [(ends[at], ends[at + 1]) for at, line in enumerate(lines) if not is_blank(line)]


def spans_of(cuts: list[tuple[int, int, int]], offset: int) -> list[tuple[int, int]]:
    """Where the records `record_cuts` found are in the stream (their block at `offset`)."""
    return [(offset + start, offset + end) for start, end, _ in cuts]


def parse_one(raw: bytes) -> list[str]:
    """One record's values; CsvError saying why it cannot be read."""
    if len(raw) > MAX_RECORD_BYTES:
        raise CsvError(f"the row is longer than {MAX_RECORD_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CsvError(not_utf8(raw, exc)) from None
    if "\x00" in text:
        raise CsvError("the row contains a NUL byte")
    try:
        # Empty rows (a lone carriage return makes one) are dropped, as a block drops them.
        rows = [row for row in csv.reader(io.StringIO(text, newline=""), strict=True) if row]
    except csv.Error as exc:
        raise CsvError(f"the row is not well-formed CSV ({exc})") from None
    if len(rows) != 1:
        raise CsvError("the row is not well-formed CSV")
    return rows[0]


def not_utf8(raw: bytes, exc: UnicodeDecodeError) -> str:
    """Why a row is not UTF-8, and, where its byte reads as a letter in Windows-1252 (as
    Excel's "CSV (Comma delimited)" saves text), what it is and what to send instead."""
    said = f"the row is not UTF-8 text ({exc.reason} at byte {exc.start})"
    byte = raw[exc.start : exc.start + 1]
    try:
        char = byte.decode("cp1252")
    except UnicodeDecodeError:
        return said
    if not char.isalpha():
        return said
    return (
        f"{said}: {char!r} written as Windows-1252 or Latin-1, as Excel's \"CSV (Comma "
        'delimited)" saves it; upload the file again naming its encoding (windows-1252), '
        'or save it as "CSV UTF-8"'
    )


# What a blank record holds at most: a line of empty cells, as spreadsheets save rows that
# were formatted but never filled (`,,,`), is no record, as an empty line is not.
BLANK_BYTES = b", \t\r\n"
BLANK_CELL = " \t"


# A blank line between two line ends (`re.findall` over lines from the line end before the
# first to the one after the last: as many matches as blank lines). It starts with a line
# end, which the search looks for in C, rather than at every line's start.
BLANK_LINE = re.compile(rb"\n[ ,\t\r]*(?=\n)")


def is_blank(raw: bytes) -> bool:
    return not raw.strip(BLANK_BYTES)


def filled(values: list[str]) -> bool:
    """Whether a reader's row is a record: not a blank one (`is_blank` its bytes, unquoted).
    Told by its first value for almost every row."""
    return bool(values) and (
        bool(values[0].strip(BLANK_CELL)) or any(value.strip(BLANK_CELL) for value in values)
    )


def parse_block(
    block: bytes, offset: int
) -> tuple[list[list[str] | CsvError], list[tuple[int, int]]]:
    """The block's non-blank records, values or the error of an unreadable one, and where
    each is in the stream (`block` starts at `offset`). A record reads the same whatever
    block it is in: the whole block is parsed at once only where that cuts the records as
    `record_cuts` does (a lone carriage return ends a record for the CSV reader, not
    here); else record by record."""
    quotes = b'"' in block
    cuts = record_cuts(block) if quotes else []
    spans = spans_of(cuts, offset) if quotes else filled_bounds(block, offset)
    # Where no carriage return stands alone, the reader's rows are the block's records and
    # its lines of empty cells, which `filled` leaves out as `is_blank` does their bytes;
    # else a row of empty cells may be a piece of a record the reader cut at one.
    records: Callable[[list[str]], bool] = (
        filled if block.count(b"\r") == block.count(b"\r\n") else bool
    )
    try:
        text = block.decode("utf-8")
        if "\x00" not in text:
            reader = csv.reader(io.StringIO(text, newline=""), strict=True)
            if not quotes:
                # The reader only cuts lines finer (at a lone carriage return): as many
                # records as spans are the spans' records.
                found: list[list[str] | CsvError] = [values for values in reader if values]
                if len(found) != len(spans) and records is filled:  # rows of empty cells
                    found = [values for values in found if filled(values)]  # type: ignore[arg-type]
                if len(found) == len(spans):
                    return found, spans
            else:
                # A quote inside an unquoted field is a character to the reader and a quote
                # to `record_cuts`: it may cut other records as many times. Where each of
                # its records ends (in lines read) tells whether they are the spans'.
                found, ends = [], []
                for values in reader:
                    if records(values):
                        found.append(values)
                        ends.append(reader.line_num)
                if ends == reader_lines(block, cuts, spans, offset):
                    return found, spans
    except (UnicodeDecodeError, csv.Error):
        pass
    parsed: list[list[str] | CsvError] = []
    for start, end in spans:
        try:
            parsed.append(parse_one(block[start - offset : end - offset]))
        except CsvError as error:
            parsed.append(error)
    return parsed, spans


def reader_lines(
    block: bytes, cuts: list[tuple[int, int, int]], spans: list[tuple[int, int]], offset: int
) -> list[int]:
    """After how many lines, as the CSV reader counts them, each record ends: the block's
    lines cut at newlines where it has no lone carriage return (the reader ends a line at
    one too), else counted record by record (`line_ends`)."""
    if block.count(b"\r") == block.count(b"\r\n"):
        return [lines for _, _, lines in cuts]
    return line_ends(block, spans, offset)


def line_ends(block: bytes, spans: list[tuple[int, int]], offset: int) -> list[int]:
    """After how many lines of `block` each span ends, lines ended as the CSV reader's text
    stream ends them (by a newline, a carriage return, or both); a last line without an end
    counts as one."""
    ends: list[int] = []
    lines = at = 0
    for _, end in spans:
        end -= offset
        lines += (
            block.count(b"\n", at, end)
            + block.count(b"\r", at, end)
            - block.count(b"\r\n", at, end)
        )
        at = end
        ends.append(lines if block[end - 1 : end] in (b"\n", b"\r") else lines + 1)
    return ends


class Opening:
    """A stream's first bytes, held until `size` of them are in (or the stream ends): what
    a byte order mark at its start is told by. Asked only while not `told`."""

    def __init__(self, size: int, told: bool = False) -> None:
        self.size = size
        self.held: bytes | None = None if told else b""

    @property
    def told(self) -> bool:
        return self.held is None

    def feed(self, data: bytes, final: bool = False) -> bytes | None:
        """The stream's bytes from its start, once `size` of them are in or it ends; None
        while they are held."""
        assert self.held is not None, "the opening is told already"
        data, self.held = self.held + data, None
        if len(data) < self.size and not final:
            self.held = data
            return None
        return data


class RecordReader:
    """Feeds bytes, yields numbered records as soon as they are whole. Reads a whole file
    by default; or a byte range of one that starts at a record (`offset`: where, and
    `first_number`: that record's number), where no BOM is looked for."""

    def __init__(self, offset: int = 0, first_number: int = 0) -> None:
        self._opening = Opening(len(BOM), told=offset != 0)  # a BOM starts a file only
        self._pending = b""  # bytes after the last whole record, starting outside quotes
        self._offset = offset  # where the pending bytes start in the stream
        self._discarding = False  # after an over-long record: drop bytes to the next newline
        self._count = first_number

    def feed(self, data: bytes, final: bool = False) -> Iterator[Record]:
        if not self._opening.told:
            if (head := self._opening.feed(data, final)) is None:
                return
            data = head.removeprefix(BOM)
            self._offset += len(head) - len(data)
        if self._discarding:
            newline = data.find(b"\n")
            if newline < 0:
                self._offset += len(data)
                return
            data, self._discarding = data[newline + 1 :], False
            self._offset += newline + 1
        buf = self._pending + data
        cut = len(buf) if final else last_record_end(buf)
        block, self._pending = buf[:cut], buf[cut:]
        if block:
            yield from self._numbered(*parse_block(block, self._offset))
        self._offset += cut
        if len(self._pending) > MAX_RECORD_BYTES:
            error = CsvError(f"the row is longer than {MAX_RECORD_BYTES} bytes")
            yield from self._numbered([error], [None])
            self._offset += len(self._pending)
            self._pending, self._discarding = b"", True

    def _numbered(
        self, parsed: list[list[str] | CsvError], spans: list[tuple[int, int]] | list[None]
    ) -> list[Record]:
        """The records, numbered on from the last (made whole: one of each is made for every
        row of every reading)."""
        first, self._count = self._count, self._count + len(parsed)
        return [
            new_record(Record, (number, values, None, span))
            if values.__class__ is list
            else Record(number, None, str(values), span)
            for number, values, span in zip(range(first, self._count), parsed, spans, strict=True)
        ]


NO_SPAN = (-1, -1)  # where a record whose bytes were dropped is
# A record made from its fields in order: a third of calling Record's own constructor.
new_record = tuple.__new__


class RecordPlaces:
    """Where each data record read so far is in its stream (its `span`), by number, kept in a
    temporary file (16 bytes a record) rather than in memory, so that a few of them can be
    read again later (planning reads again a row that holds a key other rows repeat)."""

    PLACE = struct.Struct("=qq")  # as `array("q")` writes them

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file  # a temporary file, empty
        self.count = 0

    def add(self, records: Sequence[Record]) -> None:
        """Records next in order (data records, numbered from 1), in one write."""
        if not records:
            return
        assert records[0].number == self.count + 1, "data records come numbered from 1, in order"
        assert records[-1].number == self.count + len(records), "and one after the other"
        places = array("q", chain.from_iterable(record.span or NO_SPAN for record in records))
        self.file.write(places.tobytes())
        self.count += len(records)

    def span_of(self, number: int) -> tuple[int, int] | None:
        """Where record `number` (already added) is; None for one whose bytes were dropped."""
        assert 0 < number <= self.count
        self.file.flush()
        size = self.PLACE.size
        start, end = self.PLACE.unpack(os.pread(self.file.fileno(), size, (number - 1) * size))
        return None if start < 0 else (start, end)


def record_at(data: bytes, start: int, number: int) -> Record:
    """Record `number` read again from its bytes, which start at `start` in the stream."""
    found = list(RecordReader(offset=start, first_number=number).feed(data, final=True))
    assert len(found) == 1, "a record's span holds that record"
    return found[0]


async def record_batches(chunks: AsyncIterator[bytes]) -> AsyncGenerator[list[Record], None]:
    """Every record of a CSV byte stream, the header (number 0) first, as they come whole
    from each piece: one step of the loop a piece rather than a record, for readers of every
    row (planning)."""
    reader = RecordReader()
    async for chunk in chunks:
        yield list(reader.feed(chunk))
    yield list(reader.feed(b"", final=True))


async def all_records(chunks: AsyncIterator[bytes]) -> AsyncGenerator[Record, None]:
    """Every record of a CSV byte stream, the header (number 0) first."""
    async with aclosing(record_batches(chunks)) as batches:
        async for batch in batches:
            for record in batch:
                yield record


async def records(chunks: AsyncIterator[bytes]) -> AsyncGenerator[Record, None]:
    """Data records of a CSV byte stream, numbered from 1; unreadable ones carry `error`."""
    async for record in all_records(chunks):
        if record.number:
            yield record


async def header_of(chunks: AsyncGenerator[bytes, None]) -> list[str]:
    """The header row; BAD_USER_INPUT when the stream is not CSV or has none (naming the kind
    of file it is, where its first bytes tell). Reads only as far as the header and closes
    the stream (and its database cursor) after it."""
    start = bytearray()

    async def watched() -> AsyncGenerator[bytes, None]:
        async for chunk in chunks:
            start.extend(chunk[: SIGNATURE_BYTES - len(start)])
            yield chunk

    async with aclosing(chunks), aclosing(all_records(watched())) as found:
        async for record in found:
            if record.values is None:
                if (kind := kind_of_file(bytes(start))) is not None:
                    raise BadUserInput(
                        f"Not a readable CSV file: it looks like {kind}. Save it as CSV "
                        "UTF-8 (comma-separated) and send that."
                    )
                raise BadUserInput(f"Not a readable CSV file: the header: {record.error}.")
            return [value.strip() for value in record.values]
    raise BadUserInput("The CSV file is empty: it needs a header row naming entity fields.")
