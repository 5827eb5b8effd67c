"""CSV cells that a spreadsheet opens as text, never as a formula, and read back as they were.

Excel, LibreOffice and Google Sheets run a cell that starts with `=`, `+`, `-`, `@`, a tab or a
carriage return as a formula (OWASP "CSV Injection"). Every CSV file the platform serves (an
export, logs.csv) writes such a cell with a leading `'`, which spreadsheets show as text; a plain
number (`-5`, `+1.5`) is left alone, since no spreadsheet runs it. The importer undoes exactly
that escaping, so export → edit → import gives back every value: a cell that is one or more
`'` and then one of those characters loses one `'`, and a value that itself starts so is
written with one more. A cell that is a formula giving text and nothing else (`="00123"`),
as tools export text a spreadsheet would read as a number (its leading zeros, a long
phone number), is read as that text. Any other cell, `'` included, is read as it is.

Files are written with CRLF line ends (RFC 4180), so a cell holding a lone carriage return is
quoted too, and no reader sees an extra row. For a spreadsheet where the comma is the decimal
mark, a file is written as Excel saves CSV there (`CommaSheet`): values separated by `;`,
numbers with a decimal comma; the importer reads it back (its separator told from the header,
its numbers with `decimalMark: COMMA`).
"""

import csv
import io
import re
from collections.abc import Collection, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
# A cell escaped by `for_spreadsheet`: one or more `'`, then a formula's first character.
ESCAPED = re.compile(r"'+[=+\-@\t\r]")
# A formula that is a text and nothing else: `="00123"` (a quote in it doubled).
TEXT_FORMULA = re.compile(r'="((?:[^"]|"")*)"')


def for_spreadsheet(value: str) -> str:
    """The cell as a served file writes it."""
    if value.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(value):
        return f"'{value}"
    if ESCAPED.match(value):
        return f"'{value}"
    return value


def from_spreadsheet(value: str) -> str:
    """The value a cell of an imported file stands for: `for_spreadsheet` undone, and a
    text formula's text."""
    if value.startswith("'"):
        return value[1:] if ESCAPED.match(value) else value
    if value.startswith('="') and (text := TEXT_FORMULA.fullmatch(value)) is not None:
        return text.group(1).replace('""', '"')
    return value


class Writer(Protocol):
    def writerow(self, row: Iterable[Any], /) -> Any: ...


class SpreadsheetWriter:
    """A csv writer of the files the platform serves: every cell escaped, CRLF line ends;
    values separated by `delimiter` (`;` for a spreadsheet with a decimal comma)."""

    def __init__(self, buffer: Any, delimiter: str = ",") -> None:
        self.writer: Writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")

    def writerow(self, cells: Iterable[object]) -> None:
        self.writer.writerow(
            for_spreadsheet(cell) if isinstance(cell, str) else cell for cell in cells
        )


def with_decimal_comma(cell: str) -> str:
    """A number cell as a spreadsheet with a decimal comma writes it (`1234,5`; no exponent:
    `1e+20` is written whole, and with `,0` as a decimal is, not to be read as an integer);
    any other cell as it is."""
    try:
        number = Decimal(cell)
    except InvalidOperation:
        return cell
    if not number.is_finite():
        return cell
    written = format(number, "f").replace(".", ",")
    decimal = "." in cell or "e" in cell.lower()
    return f"{written},0" if decimal and "," not in written else written


class CommaSheet:
    """Rewrites CSV text the platform wrote (`SpreadsheetWriter`, cells escaped) for a
    spreadsheet where the comma is the decimal mark: separated by `;`, the cells of the
    `numbers` columns (by position) with a decimal comma, every other cell as it was."""

    def __init__(self, numbers: Collection[int]) -> None:
        self.numbers = frozenset(numbers)

    def rewrite(self, text: str) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        for cells in csv.reader(io.StringIO(text, newline="")):
            writer.writerow(
                with_decimal_comma(cell) if at in self.numbers and cell else cell
                for at, cell in enumerate(cells)
            )
        return buffer.getvalue()
