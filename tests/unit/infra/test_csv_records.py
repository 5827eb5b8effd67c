"""The incremental CSV reader: records split anywhere in the byte stream come out whole."""

from collections.abc import AsyncIterator

import pytest

from app.domain.errors import BadUserInput
from app.infra.csv_records import CsvError, header_of, records

TEXT = (
    "\ufeffemail,first_name\r\n"
    'a@example.com,"Ada, ""the"" first"\r\n'
    "\r\n"
    'b@example.com,"two\nlines"\n'
)


async def pieces(data: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 10_000])
async def test_records_survive_any_split_of_the_bytes(size: int) -> None:
    got = [record async for record in records(pieces(TEXT.encode(), size))]
    assert got == [
        (1, ["a@example.com", 'Ada, "the" first']),
        (2, ["b@example.com", "two\nlines"]),
    ]
    assert await header_of(pieces(TEXT.encode(), size)) == ["email", "first_name"]


@pytest.mark.parametrize("bad", [b"email\n\xff\xfe\n", b"email\nx\x00y\n"])
async def test_bytes_that_are_not_csv_text_are_refused(bad: bytes) -> None:
    with pytest.raises(CsvError):
        _ = [record async for record in records(pieces(bad, 4))]


async def test_an_empty_file_has_no_header() -> None:
    with pytest.raises(BadUserInput):
        await header_of(pieces(b"", 4))
