"""Where each CSV record's bytes are: a byte range cut at records and read again on its own
(how a chunk reads its rows from its upload) gives the same records, numbers and errors as
the whole file read in pieces of any size."""

from collections.abc import Iterator

from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.values import problem
from app.infra.files.csv_records import (
    BOM,
    Record,
    RecordReader,
    filled_bounds,
    is_blank,
    line_ends,
    reader_lines,
    record_cuts,
)

# Bytes that make CSV hard: quotes, separators, line ends of every kind, blank lines,
# bytes that are not UTF-8, a NUL, multi-byte characters.
PIECES = [
    b"a",
    b"b",
    b",",
    b'"',
    b'""',
    b"\n",
    b"\r\n",
    b"\r",
    b"\n\n",
    b"\xff",
    b"\x00",
    "é".encode(),
]


def read_whole(data: bytes, piece: int) -> list[Record]:
    reader = RecordReader()
    found: list[Record] = []
    for start in range(0, len(data), piece):
        found.extend(reader.feed(data[start : start + piece]))
    found.extend(reader.feed(b"", final=True))
    return found


def read_range(data: bytes, first: Record, last: Record) -> list[Record]:
    assert first.span is not None and last.span is not None
    start, end = first.span[0], last.span[1]
    return list(RecordReader(offset=start, first_number=first.number).feed(data[start:end], True))


@settings(max_examples=1000, deadline=None)
@given(
    body=st.lists(st.sampled_from(PIECES), max_size=80),
    bom=st.booleans(),
    piece=st.integers(min_value=1, max_value=24),
    cut=st.data(),
)
def test_a_range_of_records_reads_the_same_on_its_own(
    body: list[bytes], bom: bool, piece: int, cut: st.DataObject
) -> None:
    data = (BOM if bom else b"") + b"email,name\n" + b"".join(body)
    records = read_whole(data, piece)
    assert all(record.span is not None for record in records)  # none is over-long here
    first = cut.draw(st.integers(min_value=0, max_value=len(records) - 1))
    last = cut.draw(st.integers(min_value=first, max_value=len(records) - 1))
    again = read_range(data, records[first], records[last])
    assert again == records[first : last + 1]


def test_a_quote_inside_an_unquoted_field_reads_the_same_in_any_block() -> None:
    """The CSV reader keeps a quote inside an unquoted field (`a"`) as a character, where
    records are cut at it as at a quote: read as one block, the reader cut `a"` and `"\n"`
    where the records are `a"\n"\n` and `"`, as many, and took them for those (hypothesis
    found it); read a record at a time, both are unreadable."""
    data = b'email,name\na"\n"\n"'
    whole = read_whole(data, 1)
    assert [(record.values, record.error is None) for record in whole[1:]] == [
        (None, False),
        (None, False),
    ]
    for piece in range(2, len(data) + 1):
        assert read_whole(data, piece) == whole
    for first in range(len(whole)):
        for last in range(first, len(whole)):
            assert read_range(data, whole[first], whole[last]) == whole[first : last + 1]


def test_spans_skip_the_bom_and_blank_lines() -> None:
    data = BOM + b"email\r\na@x.io\r\n\r\nb@x.io"
    records = read_whole(data, 4)
    assert [(r.number, r.span) for r in records] == [(0, (3, 10)), (1, (10, 18)), (2, (20, 26))]
    assert [data[s:e] for s, e in (r.span for r in records if r.span)][1:] == [
        b"a@x.io\r\n",
        b"b@x.io",
    ]


def test_lines_of_empty_cells_are_no_records_in_any_block() -> None:
    """A line of empty cells (`,,`) is skipped as a blank line is, in a block with quotes or
    without; a row of quoted empty values is a record."""
    for name in (b"A", b'"A"'):
        data = b"email,name\r\n,,\r\na@x.io," + name + b'\r\n \t, ,\r\n"",\r\nb@x.io,B'
        for piece in range(1, len(data) + 1):
            records = read_whole(data, piece)
            assert [(r.number, r.values) for r in records] == [
                (0, ["email", "name"]),
                (1, ["a@x.io", "A"]),
                (2, ["", ""]),
                (3, ["b@x.io", "B"]),
            ]
            assert read_range(data, records[1], records[3]) == records[1:]


def test_a_row_of_empty_cells_cut_by_a_lone_carriage_return_is_no_blank_line() -> None:
    """Found by the test above: `,\\ra` is one record to the cuts (the carriage return
    does not end it) and two rows to the CSV reader, the first of empty cells; read as a
    block, leaving that row out took the record for `a`, where read alone it is
    unreadable."""
    data = b'email,name\na\n""\n,\ra'
    whole = read_whole(data, 1)
    assert whole[3].values is None and whole[3].error is not None
    for piece in range(2, len(data) + 1):
        assert read_whole(data, piece) == whole
    assert read_range(data, whole[1], whole[3]) == whole[1:]


def test_a_lone_carriage_return_reads_the_same_in_any_block() -> None:
    """Found by the test above: "\\ra\\n" read as ['a'] in a block parsed at once, and as an
    unreadable row in a block parsed record by record (here: the bytes after it are not UTF-8)."""
    data = b"email,name\n\ra\na\n\xff"
    records = read_whole(data, 1)
    assert [r.values for r in records[1:3]] == [["a"], ["a"]]
    assert read_range(data, records[1], records[-1]) == records[1:]


@given(
    st.lists(
        st.sampled_from([*PIECES, b"\xed\xa0\x80", b"'=", b"\xef\xbb\xbf"]),
        max_size=60,
    ),
    st.integers(min_value=1, max_value=16),
)
@settings(max_examples=300, deadline=None)
def test_every_value_read_is_text_the_database_stores(parts: list[bytes], piece: int) -> None:
    """What lets a CSV row's values skip the storable-text check (EntitySpec.validate's
    `text_checked`): the reader yields no NUL and no lone surrogate, whatever the bytes (an
    encoded surrogate, b"\\xed\\xa0\\x80", is not UTF-8 to it); such a row is unreadable."""
    for record in read_whole(b"".join(parts), piece):
        for value in record.values or []:
            assert problem(value) is None, (record, value)


def walked_bounds(block: bytes) -> Iterator[tuple[int, int]]:
    """Where each record of a block of whole records starts and ends, blank ones too, walked
    quote by quote: a newline outside quotes ends a record (the definition the cuts in C
    are held to)."""
    start = position = 0
    quoted = False
    for index, part in enumerate(block.split(b'"')):
        if index:
            quoted = not quoted
            position += 1
        if not quoted:
            newline = part.find(b"\n")
            while newline >= 0:
                yield start, position + newline + 1
                start = position + newline + 1
                newline = part.find(b"\n", newline + 1)
        position += len(part)
    if start < len(block):
        yield start, len(block)


@settings(max_examples=1000, deadline=None)
@given(
    body=st.lists(st.sampled_from([*PIECES, b" ", b"\t", b'a"b', b'"a\nb"']), max_size=80),
    offset=st.integers(min_value=0, max_value=1 << 40),
)
def test_a_block_is_cut_where_a_walk_over_its_quotes_cuts_it(
    body: list[bytes], offset: int
) -> None:
    """`filled_bounds` cuts a block at its newlines in C, and, where it has quotes, leaves
    out those inside them; what it finds is what a walk over quotes finds. Where no carriage
    return stands alone, the lines each record ends after are the CSV reader's count."""
    block = b"".join(body)
    walked = [(s, e) for s, e in walked_bounds(block) if not is_blank(block[s:e])]
    spans = filled_bounds(block, offset)
    assert spans == [(offset + s, offset + e) for s, e in walked]
    cuts = record_cuts(block)
    assert [(s, e) for s, e, _ in cuts] == walked
    assert reader_lines(block, cuts, spans, offset) == line_ends(block, spans, offset)
