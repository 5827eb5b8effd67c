"""CSV files separated by semicolons, tabs or bars, stored separated by commas.

Spreadsheets save "CSV" with the list separator of the computer's locale: Excel in much of
continental Europe separates values with ';' (the comma is the decimal mark there), and its
"Unicode Text" with tabs. The platform reads commas, so a file whose header is separated
otherwise is stored rewritten with commas as it streams, record by record: its values as
its separator reads them, quoted where they hold a comma, a quote or a line end, each
record's line end kept. The header alone tells the separator: the one of ',', ';', tab and
'|' it holds most of outside quotes, commas when tied or none, so that a file of commas
passes untouched and costs nothing more.

A record its separator cannot read (a stray quote) or that is not UTF-8 is stored as it
came, to fail alone when it is read; so is a record that grows past `MAX_RECORD_BYTES`
before it ends, passed on as it comes (it fails alone anyway: app.infra.files.csv_records),
so that what is held stays bounded.
"""

import csv
import io

from app.infra.files.csv_records import BOM, MAX_RECORD_BYTES, last_record_end, quoted_newlines

COMMA = b","
# The separators told from a header; the first of those it holds as many of wins.
SEPARATORS = (COMMA, b";", b"\t", b"|")


def separator_of(header: bytes) -> bytes:
    """The separator a header record uses: the one it holds most of outside quotes. Commas
    for a header that is not text (a file of another kind, or in an encoding not named),
    which is then stored as it came, for the reading to refuse."""
    try:
        if "\x00" in header.decode("utf-8"):
            return COMMA
    except UnicodeDecodeError:
        return COMMA
    outside = b"".join(header.split(b'"')[::2])
    count, _, separator = max(
        (outside.count(separator), -rank, separator) for rank, separator in enumerate(SEPARATORS)
    )
    return separator if count else COMMA


def first_record_end(buf: bytes) -> int:
    """Just past the first newline outside quotes in `buf` (which starts outside quotes);
    0 when there is none yet."""
    at = 0
    for index, part in enumerate(buf.split(b'"')):
        if index % 2 == 0 and (newline := part.find(b"\n")) >= 0:
            return at + newline + 1
        at += len(part) + 1
    return 0


def with_commas(block: bytes, separator: bytes) -> bytes:
    """A block of whole records separated by `separator`, separated by commas."""
    if b'"' not in block:
        if COMMA not in block:
            return block.replace(separator, COMMA)  # the common case, at once
        return b"\n".join(unquoted_line(line, separator) for line in block.split(b"\n"))
    return b"".join(record_with_commas(record, separator) for record in records_in(block))


def unquoted_line(line: bytes, separator: bytes) -> bytes:
    """A line without quotes: a value holding a comma (a decimal mark) is quoted."""
    if COMMA not in line:
        return line.replace(separator, COMMA)
    body = line.removesuffix(b"\r")
    values = (b'"' + value + b'"' if COMMA in value else value for value in body.split(separator))
    return COMMA.join(values) + line[len(body) :]


def records_in(block: bytes) -> list[bytes]:
    """The records of a block of whole records, each with its newline (blank lines too)."""
    quoted = quoted_newlines(block)
    records, start = [], 0
    newline = block.find(b"\n")
    while newline >= 0:
        if newline not in quoted:
            records.append(block[start : newline + 1])
            start = newline + 1
        newline = block.find(b"\n", newline + 1)
    if start < len(block):
        records.append(block[start:])
    return records


def record_with_commas(record: bytes, separator: bytes) -> bytes:
    """One record rewritten with commas; as it came where its separator cannot read it."""
    body = record.rstrip(b"\r\n")
    if not body:
        return record
    try:
        rows = list(
            csv.reader(
                io.StringIO(body.decode("utf-8"), newline=""),
                delimiter=separator.decode(),
                strict=True,
            )
        )
    except (UnicodeDecodeError, csv.Error):
        return record
    if len(rows) != 1:
        return record
    out = io.StringIO()
    # Ended by CRLF so that values holding either are quoted; the record's own end is kept.
    csv.writer(out, lineterminator="\r\n").writerow(rows[0])
    return out.getvalue().removesuffix("\r\n").encode() + record[len(body) :]


class Separators:
    """Rewrites a CSV stream separated otherwise than by commas with commas, as it passes;
    one of commas passes as it is."""

    def __init__(self) -> None:
        self.separator: bytes | None = None  # None until the header is whole
        self._pending = b""  # bytes after the last whole record, starting outside quotes
        self._passing = False  # within a record too long to read: passed to its newline

    def feed(self, data: bytes) -> bytes:
        if self.separator == COMMA:
            return data
        buf, self._pending = self._pending + data, b""
        if self.separator is None:
            end = first_record_end(buf)
            if not end and len(buf) <= MAX_RECORD_BYTES:
                self._pending = buf
                return b""
            self.separator = separator_of(buf[:end] if end else buf)
            if self.separator == COMMA:
                return buf
            buf = buf.removeprefix(BOM)  # read again, it would be inside a quoted first value
        passed = b""
        if self._passing:
            newline = buf.find(b"\n")
            if newline < 0:
                return buf
            passed, buf, self._passing = buf[: newline + 1], buf[newline + 1 :], False
        cut = last_record_end(buf)
        block, self._pending = buf[:cut], buf[cut:]
        out = passed + with_commas(block, self.separator)
        if len(self._pending) > MAX_RECORD_BYTES:
            out, self._pending, self._passing = out + self._pending, b"", True
        return out

    def end(self) -> bytes:
        """The last record, which has no newline (or the header of a file of one line)."""
        buf, self._pending = self._pending, b""
        if self.separator is None:
            self.separator = separator_of(buf)
            if self.separator != COMMA:
                buf = buf.removeprefix(BOM)
        if self.separator == COMMA or self._passing:
            return buf
        return record_with_commas(buf, self.separator)
