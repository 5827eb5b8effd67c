"""Uploads in Windows-1252 or Mac Roman are stored as UTF-8, however the stream is cut
(app.infra.files.encodings); a UTF-8 file named as one of them is refused, not garbled."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import BadUserInput
from app.infra.files.encodings import FileEncoding, ToUtf8, encoding_named
from tests.support.streams import cut_points, pieces

LEGACY = [FileEncoding.WINDOWS_1252, FileEncoding.MAC_ROMAN]


def converted(data: bytes, encoding: FileEncoding, cuts: list[int]) -> bytes:
    to_utf8 = ToUtf8(encoding)
    return b"".join(to_utf8.feed(piece) for piece in pieces(data, cuts)) + to_utf8.end()


def test_excel_s_windows_and_mac_files_read_as_their_letters() -> None:
    """What Excel saves for "José Müller, 5 €" on Windows and on a Mac."""
    text = "name,note\r\nJosé Müller,5 € … “ok”\r\n"
    for encoding, codec in [
        (FileEncoding.WINDOWS_1252, "cp1252"),
        (FileEncoding.MAC_ROMAN, "mac_roman"),
    ]:
        assert converted(text.encode(codec), encoding, []) == text.encode()


@given(st.binary(max_size=64), st.sampled_from(LEGACY), st.data())
def test_every_byte_is_a_character_wherever_the_stream_is_cut(
    data: bytes, encoding: FileEncoding, drawn: st.DataObject
) -> None:
    """Single-byte encodings: each piece converts alone, the same as the whole file. A file
    that reads as UTF-8 with letters beyond ASCII is the one refused (below)."""
    try:
        data.decode()
        utf8_beyond_ascii = not data.isascii()
    except UnicodeDecodeError:
        utf8_beyond_ascii = False
    if utf8_beyond_ascii:
        return
    whole = converted(data, encoding, [])
    assert converted(data, encoding, drawn.draw(cut_points(data))) == whole
    assert len(whole.decode()) == len(data)


def test_windows_1252_reads_bytes_it_leaves_undefined_as_browsers_do() -> None:
    """0x81, 0x8D, 0x8F, 0x90 and 0x9D, which Python's cp1252 refuses, are the control
    characters of the same number (WHATWG), so no file is refused for them."""
    for byte in (0x81, 0x8D, 0x8F, 0x90, 0x9D):
        assert converted(bytes([byte]), FileEncoding.WINDOWS_1252, []) == chr(byte).encode()
    assert converted(b"\x80\x9f", FileEncoding.WINDOWS_1252, []) == "€Ÿ".encode()


@given(st.text(min_size=1).filter(lambda text: not text.isascii()), st.data())
def test_a_utf8_file_named_as_another_encoding_is_refused(text: str, drawn: st.DataObject) -> None:
    data = text.encode()
    for encoding in LEGACY:
        with pytest.raises(BadUserInput, match="UTF-8 text, not"):
            converted(data, encoding, drawn.draw(cut_points(data)))


def test_utf8_passes_as_it_is_and_an_ascii_file_may_be_named_anything() -> None:
    data = "email\r\nadá@x.io\r\n".encode()
    assert converted(data, FileEncoding.UTF_8, [3, 9]) == data
    assert converted(b"email\na@x.io\n", FileEncoding.WINDOWS_1252, [2]) == b"email\na@x.io\n"


@pytest.mark.parametrize(
    ("label", "encoding"),
    [
        ("UTF-8", FileEncoding.UTF_8),
        (" latin1 ", FileEncoding.WINDOWS_1252),
        ("ISO-8859-1", FileEncoding.WINDOWS_1252),
        ("cp1252", FileEncoding.WINDOWS_1252),
        ("WINDOWS_1252", FileEncoding.WINDOWS_1252),
        ("x-mac-roman", FileEncoding.MAC_ROMAN),
        ("macintosh", FileEncoding.MAC_ROMAN),
        ("MAC_ROMAN", FileEncoding.MAC_ROMAN),
    ],
)
def test_encodings_go_by_the_names_tools_give_them(label: str, encoding: FileEncoding) -> None:
    assert encoding_named(label) is encoding


def test_an_unknown_encoding_is_refused_naming_those_known() -> None:
    with pytest.raises(BadUserInput, match="one of utf-8, windows-1252, macintosh"):
        encoding_named("utf-16")


@given(st.text(max_size=40), st.sampled_from(["utf-16-le", "utf-16-be"]), st.data())
def test_a_utf16_file_with_its_byte_order_mark_reads_as_utf8_without_it(
    text: str, codec: str, drawn: st.DataObject
) -> None:
    """As Excel saves "Unicode Text": sent without an encoding, told by its BOM."""
    data = "\ufeff".encode(codec) + text.encode(codec, errors="surrogatepass")
    try:
        expected = text.encode()
    except UnicodeEncodeError:
        return  # a lone surrogate: below
    assert converted(data, FileEncoding.UTF_8, drawn.draw(cut_points(data))) == expected


def test_a_utf16_file_cut_mid_character_or_holding_a_lone_surrogate_is_refused() -> None:
    for data in ("email".encode("utf-16") + b"\x00", b"\xff\xfea\x00\x00\xd8b\x00"):
        with pytest.raises(BadUserInput, match="not UTF-16 at byte"):
            converted(data, FileEncoding.UTF_8, [1, 3])
    assert converted(b"a", FileEncoding.UTF_8, []) == b"a"  # too short to be told: as it is
