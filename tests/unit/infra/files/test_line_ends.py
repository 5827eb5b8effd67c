"""Uploads whose lines end with a carriage return alone are stored with line feeds
(app.infra.files.uploads.LineEnds), byte for byte, however the stream is cut."""

from hypothesis import given
from hypothesis import strategies as st

from app.infra.files.uploads import LineEnds
from tests.support.streams import cut_points, pieces

CELLS = st.text(alphabet='ab,"é \r\n', max_size=12)


def passed(data: bytes, cuts: list[int]) -> bytes:
    line_ends = LineEnds()
    return b"".join(line_ends.feed(piece) for piece in pieces(data, cuts)) + line_ends.end()


@given(
    st.lists(CELLS.map(lambda cell: cell.replace("\r", "").replace("\n", "")), max_size=8),
    st.data(),
)
def test_a_file_of_carriage_returns_alone_is_stored_with_line_feeds(
    lines: list[str], data: st.DataObject
) -> None:
    text = "email,name\r" + "".join(f"{line}\r" for line in lines)
    raw = text.encode()
    assert passed(raw, data.draw(cut_points(raw))) == raw.replace(b"\r", b"\n")


@given(st.lists(CELLS, max_size=8), st.sampled_from(["\r\n", "\n"]), st.data())
def test_a_file_of_crlf_or_lf_line_ends_passes_as_it_is(
    lines: list[str], end: str, data: st.DataObject
) -> None:
    """Carriage returns in its cells (quoted or not) are left as they are."""
    raw = ("email,name" + end + "".join(f"{line}{end}" for line in lines)).encode()
    assert passed(raw, data.draw(cut_points(raw))) == raw


def test_a_one_line_file_ending_with_a_carriage_return_ends_with_a_line_feed() -> None:
    assert passed(b"email,name\r", [11]) == b"email,name\n"
    assert passed(b"email,name", []) == b"email,name"
