"""Numbers in entity fields as people write them in cells, and why a cell is not one.

Spreadsheets write numbers as the computer's locale does: `1.000` is a thousand in much of
Europe and one where the point is the decimal mark. A whole-number field (a score, a head
count) read `1.000` as 1 (pydantic takes a whole float's text for an integer), silently a
thousandth of what a European sheet meant: such a cell is refused instead, saying how to
write it (`WholeNumber`). A cell that is not a number is told with its text, and how to
write it where it is one written with a decimal comma or separators between thousands.
"""

import re
from typing import Annotated

from app.domain.entities.values.text_checks import TextCheck, shown

# A whole number with '.' between its thousands, or one to three digits and three decimals.
THOUSANDS_BY_POINTS = re.compile(r"^\s*[+-]?\d{1,3}(?:\.\d{3})+\s*$")
# A number written with a decimal comma (3,5) or with separators between thousands
# (1,000 / 1.000 / 1 000 / 1'000), as spreadsheets in many locales write them.
DECIMAL_COMMA = re.compile(r"^\s*[+-]?\d+,\d+\s*$")
GROUPED = re.compile(r"^\s*[+-]?\d{1,3}(?:([,. \u00a0\u202f'])\d{3})(?:\1\d{3})*\s*$")
# Signs a formatted cell carries that a number has not: currencies, percent.
SIGNS = "$€£¥₹%"
NUMBER_PARSING = ("int_parsing", "float_parsing")
# A number as written where the decimal mark is a comma (`decimalMark: COMMA`): its thousands
# grouped by '.', a space (a no-break one too) or "'", or not grouped; then its decimals.
COMMA_NUMBER = re.compile(
    r"^\s*([+-]?)(\d{1,3}(?:([. \u00a0\u202f'])\d{3})(?:\3\d{3})*|\d+)(?:,(\d+))?\s*$"
)
NOT_DIGITS = re.compile(r"\D")


def misread_whole_number(text: str) -> str | None:
    """Why a whole number's text would be misread, if it would: '.' between thousands."""
    if "." in text and THOUSANDS_BY_POINTS.match(text):
        return (
            f"{shown(text)} is not a whole number as written: write it without separators "
            "between thousands"
        )
    return None


# A whole-number field's type (its bounds in its Field, as the database stores integers).
WholeNumber = Annotated[int, TextCheck(misread_whole_number)]


def not_a_number(given: str, whole: bool) -> str:
    """Why a cell is not a number, showing it, and how to write it where it is one written
    as people write numbers in their locale."""
    said = f"{shown(given)} is not {'a whole number' if whole else 'a number'}"
    if signs := [sign for sign in SIGNS if sign in given]:
        return f"{said}: write it as a plain number, without {' or '.join(map(repr, signs))}"
    if GROUPED.match(given):
        return f"{said}: write it without separators between thousands"
    if DECIMAL_COMMA.match(given) and not whole:
        return f"{said}: the decimal mark is '.' (a file written with commas: decimalMark COMMA)"
    return said


def read_decimal_comma(text: str) -> str | None:
    """A number written with a decimal comma, in the notation fields read ('.' for the
    decimal mark, no separators): `1.234,5` is 1234.5, `1.000` a thousand, `3,5` 3.5. None
    when the text is not one (`1.5`: a decimal point where the mark is a comma)."""
    found = COMMA_NUMBER.match(text)
    if found is None:
        return None
    sign, whole, _, decimals = found.groups()
    digits = NOT_DIGITS.sub("", whole)
    return f"{sign}{digits}.{decimals}" if decimals is not None else f"{sign}{digits}"


def comma_number(text: str) -> str:
    """`read_decimal_comma`, or ValueError saying why the text is not such a number."""
    if (number := read_decimal_comma(text)) is None:
        raise ValueError(not_a_comma_number(text))
    return number


def not_a_comma_number(given: str) -> str:
    """Why a cell is not a number written with a decimal comma, showing it."""
    said = f"{shown(given)} is not a number written with a decimal comma (decimalMark: COMMA)"
    if signs := [sign for sign in SIGNS if sign in given]:
        return f"{said}: write it as a plain number, without {' or '.join(map(repr, signs))}"
    return f"{said}: write it as 1234,5 or 1.234,5"
