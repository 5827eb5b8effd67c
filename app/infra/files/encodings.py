"""The text encodings an uploaded CSV may be in, and their conversion to UTF-8 as it streams.

The platform reads UTF-8. Spreadsheets save CSV in the computer's older code page unless
told otherwise: Excel's "CSV (Comma delimited)" on Windows in Windows-1252, its "CSV
(Macintosh)" in Mac Roman. Such a file, named by its upload's encoding, is stored converted to
UTF-8, so that everything after (planning, a chunk's byte range, logs.csv) reads it as any
other upload. Both are single-byte encodings that give every byte a character, so each piece
of a stream converts on its own, wherever the stream was cut.

A file that is UTF-8 already, named as one of them, would be stored garbled ("JosÃ©" for
"José"): its bytes are checked as UTF-8 as they pass, and such an upload is refused at its
end, before anything of it is kept.

A file sent as UTF-8 (the default) that starts with UTF-16's byte order mark, as Excel's
"Unicode Text" does, is UTF-16 beyond doubt: it is read as such; one that is not whole
UTF-16 text is refused.
"""

import codecs
from enum import Enum

from app.domain.errors import BadUserInput
from app.infra.files.csv_records import Opening


class FileEncoding(Enum):
    """An upload's text encoding, by its WHATWG name."""

    UTF_8 = "utf-8"
    WINDOWS_1252 = "windows-1252"
    MAC_ROMAN = "macintosh"


# What people and tools call them (WHATWG's labels, Python's names, the enum's own names).
LABELS = {
    **{label: FileEncoding.UTF_8 for label in ("utf-8", "utf8", "unicode-1-1-utf-8")},
    **{
        label: FileEncoding.WINDOWS_1252
        for label in (
            "windows-1252",
            "cp1252",
            "x-cp1252",
            "latin1",
            "latin-1",
            "iso-8859-1",
            "iso8859-1",
            "l1",
            "ascii",
            "us-ascii",
        )
    },
    **{
        label: FileEncoding.MAC_ROMAN
        for label in ("macintosh", "mac", "x-mac-roman", "mac-roman", "macroman", "mac_roman")
    },
    **{encoding.name.lower(): encoding for encoding in FileEncoding},
}

# Windows-1252 as browsers decode it (WHATWG): Latin-1 but for 0x80-0x9F, which are mostly
# letters and marks; the five bytes it leaves undefined stay the control characters
# Latin-1 reads them as, where Python's cp1252 codec would refuse them.
WINDOWS_1252_HIGH = str.maketrans(
    {
        byte: char
        for byte in range(0x80, 0xA0)
        if (char := bytes([byte]).decode("cp1252", errors="ignore"))
    }
)


def encoding_named(label: str) -> FileEncoding:
    """The encoding a label names (case and surrounding spaces aside); BAD_USER_INPUT
    naming those known otherwise."""
    found = LABELS.get(label.strip().lower())
    if found is None:
        known = ", ".join(encoding.value for encoding in FileEncoding)
        raise BadUserInput(f"Unknown file encoding {label!r}: one of {known}.")
    return found


def decoded(data: bytes, encoding: FileEncoding) -> str:
    """The text of bytes in a single-byte encoding (every byte is a character)."""
    if encoding is FileEncoding.WINDOWS_1252:
        return data.decode("latin-1").translate(WINDOWS_1252_HIGH)
    return data.decode("mac_roman")


UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class ToUtf8:
    """Converts an upload's pieces from its encoding to UTF-8 (UTF-8 passes as it is)."""

    def __init__(self, encoding: FileEncoding) -> None:
        self.encoding = encoding
        # While `_checking`, the bytes so far read as UTF-8 too.
        self._as_utf8 = codecs.getincrementaldecoder("utf-8")()
        self._checking = encoding is not FileEncoding.UTF_8
        self._beyond_ascii = False
        # A file sent as UTF-8 may be UTF-16, told by its BOM.
        self._opening = Opening(len(codecs.BOM_UTF16_LE), told=encoding is not FileEncoding.UTF_8)
        self._utf16: codecs.IncrementalDecoder | None = None
        self._read = 0  # bytes read as UTF-16 so far

    def feed(self, data: bytes) -> bytes:
        if not self._opening.told:
            if (head := self._opening.feed(data)) is None:
                return b""
            data = head
            if data.startswith(UTF16_BOMS):
                self._utf16 = codecs.getincrementaldecoder("utf-16")()
        if self._utf16 is not None:
            return self.from_utf16(data)
        if self.encoding is FileEncoding.UTF_8:
            return data
        if self._checking:
            self._beyond_ascii = self._beyond_ascii or not data.isascii()
            try:
                self._as_utf8.decode(data)
            except UnicodeDecodeError:
                self._checking = False  # not UTF-8: the encoding named is the one to read
        return decoded(data, self.encoding).encode("utf-8")

    def from_utf16(self, data: bytes, final: bool = False) -> bytes:
        assert self._utf16 is not None
        try:
            text = self._utf16.decode(data, final)
        except UnicodeDecodeError as exc:
            raise BadUserInput(
                f"The file starts as UTF-16 text (its byte order mark) but is not UTF-16 at "
                f"byte {self._read + exc.start:,} ({exc.reason})."
            ) from None
        self._read += len(data)
        return text.encode("utf-8")

    def end(self) -> bytes:
        """At the end of the file, what it still holds. BAD_USER_INPUT when the file is UTF-8
        text that was named as another encoding (converting it would have garbled every
        letter beyond ASCII), or UTF-16 that ends mid-character."""
        if not self._opening.told:
            return self._opening.feed(b"", final=True) or b""  # a file of one byte
        if self._utf16 is not None:
            return self.from_utf16(b"", final=True)
        if not (self._checking and self._beyond_ascii):
            return b""
        try:
            self._as_utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            return b""
        raise BadUserInput(
            f"The file is UTF-8 text, not {self.encoding.value}: read as {self.encoding.value}"
            " its letters beyond ASCII would be garbled. Upload it again without an encoding."
        )
