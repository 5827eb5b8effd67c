"""CSV files separated by semicolons, tabs or bars are stored separated by commas, however the
stream is cut, their values as they were (app.infra.files.separators); files of commas pass
byte for byte."""

import csv
import io

from hypothesis import assume, given
from hypothesis import strategies as st

from app.infra.files.csv_records import MAX_RECORD_BYTES
from app.infra.files.separators import Separators
from tests.support.streams import cut_points, pieces

VALUES = st.text(alphabet='ab é,;\t|"\r\n', max_size=8)
TABLES = st.lists(st.lists(VALUES, min_size=2, max_size=2), min_size=1, max_size=6)


def passed(data: bytes, cuts: list[int]) -> bytes:
    separators = Separators()
    return b"".join(separators.feed(piece) for piece in pieces(data, cuts)) + separators.end()


def written(rows: list[list[str]], separator: str, line_end: str) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=separator, lineterminator=line_end).writerows(rows)
    return out.getvalue().encode()


def read(data: bytes, separator: str = ",") -> list[list[str]]:
    text = io.StringIO(data.decode(), newline="")
    return list(csv.reader(text, delimiter=separator, strict=True))


@given(
    TABLES,
    st.sampled_from([";", "\t", "|"]),
    st.sampled_from(["\r\n", "\n"]),
    st.data(),
)
def test_a_file_of_another_separator_reads_with_commas_as_its_values_were(
    rows: list[list[str]], separator: str, line_end: str, drawn: st.DataObject
) -> None:
    """As Excel saves CSV where the comma is the decimal mark (';'), or "Unicode Text"
    (tabs): values holding commas, quotes and line ends come back as they were."""
    # Ended by LF alone, a writer leaves a carriage return in a value unquoted: read as a
    # line end then, it makes such a row unreadable either way (it fails alone).
    assume(line_end == "\r\n" or not any("\r" in value for row in rows for value in row))
    data = written([["email", "name"], *rows], separator, line_end)
    assert read(passed(data, drawn.draw(cut_points(data)))) == [["email", "name"], *rows]


@given(TABLES, st.sampled_from(["\r\n", "\n"]), st.data())
def test_a_file_of_commas_passes_byte_for_byte(
    rows: list[list[str]], line_end: str, drawn: st.DataObject
) -> None:
    data = written([["email", "name"], *rows], ",", line_end)
    assert passed(data, drawn.draw(cut_points(data))) == data


def test_the_header_tells_the_separator_and_a_row_it_cannot_read_comes_as_it_was() -> None:
    """The separator the header holds most of, commas when tied; a value with a decimal
    comma is quoted; a row its separator cannot read (a stray quote) and a row that is not
    UTF-8 are stored as they came, to fail alone when read."""
    data = b'email;note;score\r\na@x.io;x, y;3,5\r\nb@x.io;"a"b;1\r\nc@x.io;\xe9;1\r\nd@x.io;d;1'
    assert passed(data, [5]) == (
        b'email,note,score\r\na@x.io,"x, y","3,5"\r\nb@x.io;"a"b;1\r\nc@x.io;\xe9;1\r\nd@x.io,d,1'
    )
    assert passed(b"email;name,x\na;b,c\n", []) == b"email;name,x\na;b,c\n"
    assert passed(b"email\na;b\n", [2]) == b"email\na;b\n"
    assert passed(b"email;name", []) == b"email,name"


def test_a_file_that_is_not_text_or_has_an_over_long_row_passes_as_it_came() -> None:
    workbook = b"PK\x03\x04\x14\x00\x06\x00;;;\t\t\t\xff\xfe\n;;\n"
    assert passed(workbook, [3]) == workbook
    long_row = b"a;" * (MAX_RECORD_BYTES // 2 + 1) + b"\n"
    data = b"email;name\n" + long_row + b"x@y.io;X\n"
    out = passed(data, [20, MAX_RECORD_BYTES, MAX_RECORD_BYTES + 12])  # 1 MiB + 1 held
    assert out == b"email,name\n" + long_row + b"x@y.io,X\n"
