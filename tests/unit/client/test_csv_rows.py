"""The CLI's table of logs reads logs.csv as it streams: every row as the whole file reads,
however the text arrives cut, a quoted value's line breaks included."""

import asyncio
import csv
import io
from collections.abc import AsyncIterator

from hypothesis import given
from hypothesis import strategies as st

from client.cli import csv_rows

VALUES = st.text(alphabet='ab,"\r\n é', max_size=6)


async def pieces(text: str, size: int) -> AsyncIterator[str]:
    for start in range(0, len(text), size):
        yield text[start : start + size]


async def streamed(text: str, size: int) -> list[list[str]]:
    return [row async for row in csv_rows(pieces(text, size))]


@given(st.lists(st.lists(VALUES, min_size=1, max_size=4), max_size=6), st.integers(1, 12))
def test_rows_read_as_they_stream_are_the_whole_file_s(rows: list[list[str]], size: int) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    text = buffer.getvalue()
    whole = list(csv.reader(io.StringIO(text, newline="")))
    assert asyncio.run(streamed(text, size)) == whole
