"""Incremental CSV: bytes in, (row number, values) out, never the whole file in memory.

Text is decoded as UTF-8 (a BOM is dropped), CRLF and LF both end records, and quoted fields
may hold commas and newlines: a line whose count of '"' is odd continues on the next line,
which is exact for RFC 4180 quoting (an escaped quote is two quotes).
"""

import codecs
import csv
import io
from collections.abc import AsyncIterator, Iterator

from app.domain.errors import BadUserInput

Record = tuple[int, list[str]]  # (1-based data row number, values)


class CsvError(ValueError):
    """The bytes are not CSV text this platform reads."""


class RecordReader:
    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="strict")
        self._pending = ""  # text after the last complete record

    def feed(self, data: bytes, final: bool = False) -> Iterator[list[str]]:
        try:
            text = self._decoder.decode(data, final=final)
        except UnicodeDecodeError as exc:
            raise CsvError(
                f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})"
            ) from None
        if "\x00" in text:
            raise CsvError("the file is not CSV text (it contains NUL bytes)")
        complete, self._pending = self._split(self._pending + text, final)
        if complete:
            for values in csv.reader(io.StringIO(complete, newline=""), strict=True):
                if values:  # blank lines are not records
                    yield values

    @staticmethod
    def _split(text: str, final: bool) -> tuple[str, str]:
        """Cuts the text after the last newline that ends a record (even quotes before it)."""
        if final:
            return text, ""
        cut = text.rfind("\n")
        while cut >= 0 and text.count('"', 0, cut) % 2:
            cut = text.rfind("\n", 0, cut)
        return text[: cut + 1], text[cut + 1 :]


async def all_records(chunks: AsyncIterator[bytes]) -> AsyncIterator[list[str]]:
    """Every record of a CSV byte stream, the header first."""
    reader = RecordReader()
    async for chunk in chunks:
        for values in reader.feed(chunk):
            yield values
    for values in reader.feed(b"", final=True):
        yield values


async def records(chunks: AsyncIterator[bytes]) -> AsyncIterator[Record]:
    """Data records of a CSV byte stream, numbered from 1 (the header is not counted)."""
    number = 0
    try:
        async for values in all_records(chunks):
            if number:
                yield number, values
            number += 1
    except csv.Error as exc:
        raise CsvError(f"malformed CSV near data row {number}: {exc}") from None


async def header_of(chunks: AsyncIterator[bytes]) -> list[str]:
    """The header row; BAD_USER_INPUT when the stream is not CSV or has none."""
    try:
        async for values in all_records(chunks):
            return [value.strip() for value in values]
    except (CsvError, csv.Error) as exc:
        raise BadUserInput(f"Not a readable CSV file: {exc}.") from None
    raise BadUserInput("The CSV file is empty: it needs a header row naming entity fields.")
