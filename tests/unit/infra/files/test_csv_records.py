"""The incremental CSV reader: records split anywhere in the byte stream come out whole; a
row that cannot be read is reported with its number, and the rows around it are read."""

import asyncio
from collections.abc import AsyncGenerator

import pytest

from app.domain.errors import BadUserInput
from app.infra.files.csv_records import (
    MAX_RECORD_BYTES,
    CsvError,
    Record,
    header_of,
    parse_one,
    records,
)

TEXT = (
    "\ufeffemail,first_name\r\n"
    'a@example.com,"Ada, ""the"" first"\r\n'
    "\r\n"
    'b@example.com,"two\nlines"\n'
)


async def pieces(data: bytes, size: int = 64 * 1024) -> AsyncGenerator[bytes, None]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def read(data: bytes, size: int = 64 * 1024) -> list[Record]:
    return [record async for record in records(pieces(data, size))]


def good_rows(count: int) -> bytes:
    return b"".join(b"r%d@example.com,Name %d\n" % (n, n) for n in range(count))


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 10_000])
async def test_records_survive_any_split_of_the_bytes(size: int) -> None:
    got = await read(TEXT.encode(), size)
    assert [(r.number, r.values) for r in got] == [
        (1, ["a@example.com", 'Ada, "the" first']),
        (2, ["b@example.com", "two\nlines"]),
    ]
    assert await header_of(pieces(TEXT.encode(), size)) == ["email", "first_name"]


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        (b"caf\xe9@example.com,Latin-1\n", "not UTF-8"),
        (b"nul@example.com,x\x00y\n", "NUL"),
        (b'quote@example.com,"never closed\n', "not well-formed"),
    ],
)
async def test_one_unreadable_row_among_12001_fails_alone(bad: bytes, says: str) -> None:
    data = b"email,first_name\n" + good_rows(6000) + bad + good_rows(6000)
    got = await read(data)
    if b'"' in bad:
        # An unclosed quote runs to the end of the file: every row after it is inside it.
        assert [r.number for r in got if r.error] == [6001]
        assert len(got) == 6001
    else:
        assert len(got) == 12_001
        assert [r.number for r in got if r.error] == [6001]
        assert got[-1].values == ["r5999@example.com", "Name 5999"]
    broken = next(r for r in got if r.error)
    assert broken.error is not None and says in broken.error
    assert all(r.values is not None for r in got if r.number != 6001)


async def test_a_cell_over_128_kb_is_read_and_an_over_long_row_fails_alone() -> None:
    big = b"x" * 200_000
    huge = b"y" * (MAX_RECORD_BYTES + 10)
    data = b"email,notes\n" + good_rows(3) + b"a@example.com," + big + b"\n"
    data += b"b@example.com," + huge + b"\n" + good_rows(2)
    got = await read(data)
    assert [r.number for r in got] == [1, 2, 3, 4, 5, 6, 7]
    assert got[3].values == ["a@example.com", big.decode()]
    assert got[4].error is not None and "longer than" in got[4].error
    assert got[5].values == ["r0@example.com", "Name 0"]


@pytest.mark.parametrize("bad", [b"email\n\xff\xfe\n", b"email,\x00\n"])
async def test_a_header_that_is_not_csv_text_is_bad_input(bad: bytes) -> None:
    with pytest.raises(BadUserInput):
        await header_of(pieces(b"\xff" + bad))


async def test_an_empty_file_has_no_header() -> None:
    with pytest.raises(BadUserInput):
        await header_of(pieces(b""))


async def test_reading_is_linear_even_with_an_unclosed_quote() -> None:
    """A quote that never closes made the old reader rescan its buffer at every newline:
    256 KB took 7 s and 1 MB about two minutes. Linear, 1 MB takes milliseconds; the
    deadline is generous so that a loaded machine passes."""
    data = b'email,first_name\n"' + b"a\n" * (512 * 1024)
    assert await asyncio.wait_for(header_of(pieces(data, 255 * 1024)), 30) == [
        "email",
        "first_name",
    ]
    got = await asyncio.wait_for(read(data, 255 * 1024), 30)
    assert [r.number for r in got if r.error] == [1]


def test_a_row_in_windows_1252_says_its_letter_and_what_to_send() -> None:
    """As Excel's "CSV (Comma delimited)" saves accented letters: the row's error names the
    letter and says to name the file's encoding or save it as CSV UTF-8; a byte no letter
    reads as says less."""
    with pytest.raises(CsvError) as refused:
        parse_one("josé@example.com,Müller\n".encode("cp1252"))
    assert "'é' written as Windows-1252" in str(refused.value)
    assert "naming its encoding (windows-1252)" in str(refused.value)
    assert 'save it as "CSV UTF-8"' in str(refused.value)
    with pytest.raises(CsvError) as refused:
        parse_one(b"x@example.com,\x81\n")
    assert str(refused.value) == "the row is not UTF-8 text (invalid start byte at byte 14)"


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ("email,first_name\r\n".encode("utf-16"), "UTF-16 text"),
        (b"PK\x03\x04" + bytes(60), "Excel workbook (.xlsx)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(60), "Excel workbook (.xls)"),
        (b"\x1f\x8b\x08\x00" + bytes(60), "gzip"),
    ],
    ids=["utf16", "xlsx", "xls", "gzip"],
)
async def test_a_file_of_another_kind_is_named_with_what_to_do(data: bytes, says: str) -> None:
    """Files people upload for a CSV: the refusal says what the file looks like and that a
    CSV in UTF-8 is what to send, rather than which byte is not UTF-8."""
    with pytest.raises(BadUserInput) as refused:
        await header_of(pieces(data, 3))
    assert says in refused.value.message
    assert "CSV UTF-8" in refused.value.message
