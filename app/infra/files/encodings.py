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
"""

import codecs
from enum import Enum

from app.domain.errors import BadUserInput


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


class ToUtf8:
    """Converts an upload's pieces from its encoding to UTF-8 (UTF-8 passes as it is)."""

    def __init__(self, encoding: FileEncoding) -> None:
        self.encoding = encoding
        # While `_checking`, the bytes so far read as UTF-8 too.
        self._as_utf8 = codecs.getincrementaldecoder("utf-8")()
        self._checking = encoding is not FileEncoding.UTF_8
        self._beyond_ascii = False

    def feed(self, data: bytes) -> bytes:
        if self.encoding is FileEncoding.UTF_8:
            return data
        if self._checking:
            self._beyond_ascii = self._beyond_ascii or not data.isascii()
            try:
                self._as_utf8.decode(data)
            except UnicodeDecodeError:
                self._checking = False  # not UTF-8: the encoding named is the one to read
        return decoded(data, self.encoding).encode("utf-8")

    def end(self) -> None:
        """At the end of the file: BAD_USER_INPUT when it is UTF-8 text that was named as
        another encoding (converting it would have garbled every letter beyond ASCII)."""
        if not (self._checking and self._beyond_ascii):
            return
        try:
            self._as_utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            return
        raise BadUserInput(
            f"The file is UTF-8 text, not {self.encoding.value}: read as {self.encoding.value}"
            " its letters beyond ASCII would be garbled. Upload it again without an encoding."
        )
