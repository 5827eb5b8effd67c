"""An upload's rows, counted as its bytes stream in (app.infra.files.uploads.RowCounter),
are the records the readers read from it: lines of empty cells and blank lines left out,
line ends inside quotes not ending a record, however the stream is cut."""

from hypothesis import given, settings
from hypothesis import strategies as st

from app.infra.files.csv_records import BOM
from app.infra.files.uploads import RowCounter
from tests.support.streams import cut_points, pieces
from tests.unit.infra.files.test_record_spans import PIECES, read_whole

# The bytes that make CSV hard (test_record_spans), and cells that are empty or blank.
PARTS = [*PIECES, b" ", b"\t", b",,\n"]


def read(data: bytes) -> int:
    return len(read_whole(data, max(len(data), 1)))


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(PARTS), max_size=60), st.booleans(), st.data())
def test_the_rows_counted_are_the_records_read(
    body: list[bytes], bom: bool, drawn: st.DataObject
) -> None:
    data = (BOM if bom else b"") + b"".join(body)
    counter = RowCounter()
    for piece in pieces(data, drawn.draw(cut_points(data))):
        counter.feed(piece)
    assert counter.records == read(data)


def test_a_sheet_s_empty_rows_are_not_counted() -> None:
    counter = RowCounter()
    counter.feed(b"email,name\r\n,,\r\na@x.io,A\r\n \t, \r\n\r\n" + b",\r\n" * 100 + b"b@x.io,B")
    assert (counter.records, counter.newlines) == (3, 105)
