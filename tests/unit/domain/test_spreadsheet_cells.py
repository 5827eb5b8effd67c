"""Cells of served CSV files open as text in a spreadsheet, never as formulas, and read back
as the values they were: for every text, and for the OWASP examples."""

import csv
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.entities import entities
from app.domain.entities.values.numbers import read_decimal_comma
from app.domain.spreadsheet_cells import (
    FORMULA_STARTS,
    CommaSheet,
    SpreadsheetWriter,
    for_spreadsheet,
    from_spreadsheet,
    with_decimal_comma,
)
from tests.spreadsheet_attacks import FORMULAS

ATTACKS = [*FORMULAS, "-"]


@pytest.mark.parametrize("value", ATTACKS)
def test_a_formula_is_written_as_text(value: str) -> None:
    assert for_spreadsheet(value) == f"'{value}"


@pytest.mark.parametrize("value", ["-5", "+1.5", "-0.25e3", ".5"])
def test_a_plain_number_is_left_alone(value: str) -> None:
    assert for_spreadsheet(value) == value


@pytest.mark.parametrize(
    ("value", "written"),
    [("'=x", "''=x"), ("''@x", "'''@x"), ("'plain", "'plain"), ("'", "'"), ("it's", "it's")],
)
def test_values_that_start_with_a_quote(value: str, written: str) -> None:
    """Only a quote before a formula's first character is the escape; a value that starts so
    gets one more, and any other quote is the value's own."""
    assert for_spreadsheet(value) == written
    assert from_spreadsheet(written) == value


@given(st.text())
def test_every_value_reads_back_as_it_was(value: str) -> None:
    assert from_spreadsheet(for_spreadsheet(value)) == value


@given(st.text())
def test_no_written_cell_starts_a_formula_unless_it_is_a_number(value: str) -> None:
    written = for_spreadsheet(value)
    if written.startswith(FORMULA_STARTS):
        assert float(written) == float(value)


def test_the_writer_escapes_every_cell_and_quotes_a_lone_carriage_return() -> None:
    buffer = io.StringIO()
    writer = SpreadsheetWriter(buffer)
    writer.writerow(["a\rb", "=1+1", 7, "c\nd"])
    writer.writerow(["x", "y", 8, "z"])
    rows = list(csv.reader(io.StringIO(buffer.getvalue(), newline="")))
    assert rows == [["a\rb", "'=1+1", "7", "c\nd"], ["x", "y", "8", "z"]]


@given(st.lists(st.text(), min_size=1, max_size=6))
def test_an_exported_row_imports_as_the_values_it_held(values: list[str]) -> None:
    """Through a real file: written by the served files' writer, read by Python's csv reader
    as an import reads it, and made a record by the entity's CSV reading (an empty cell is an
    empty value, None, which emptyValues decides about)."""
    contact = entities.get("CONTACT")
    names = ["first_name", "last_name", "city", "country", "company", "job_title"]
    buffer = io.StringIO()
    SpreadsheetWriter(buffer).writerow(values)
    (cells,) = csv.reader(io.StringIO(buffer.getvalue(), newline=""))
    record = contact.csv_cells_of(names[: len(cells)])(cells)
    assert record == {n: v if v.strip() else None for n, v in zip(names, values, strict=False)}


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ('="00123"', "00123"),
        ('="+49 171 1234567"', "+49 171 1234567"),
        ('="say ""hi"""', 'say "hi"'),
        ('=""', ""),
        ('="a"&"b"', '="a"&"b"'),
        ("=SUM(A1:A3)", "=SUM(A1:A3)"),
        ('="x" ', '="x" '),
    ],
)
def test_a_text_formula_reads_as_its_text_and_any_other_formula_as_it_is(
    cell: str, value: str
) -> None:
    """Tools export text a spreadsheet would read as a number as a formula giving it
    (`="00123"`, keeping its leading zeros): read as that text, in a row's cells too."""
    assert from_spreadsheet(cell) == value
    record = entities.get("CONTACT").csv_cells_of(["phone", "city"])([cell, "Berlin"])
    assert record == {"phone": value or None, "city": "Berlin"}


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("1234.5", "1234,5"),
        ("-0.25", "-0,25"),
        ("7", "7"),
        ("1e+20", "100000000000000000000,0"),
        ("-3.3333333333333332e+19", "-33333333333333332000,0"),
        ("2.5e-07", "0,00000025"),
    ],
)
def test_a_number_is_written_with_a_decimal_comma(cell: str, written: str) -> None:
    assert with_decimal_comma(cell) == written
    assert Decimal(read_decimal_comma(written) or "nan") == Decimal(cell)


@given(
    st.lists(
        st.tuples(st.text(), st.floats(allow_nan=False, allow_infinity=False), st.integers()),
        min_size=1,
        max_size=5,
    )
)
def test_a_file_for_a_decimal_comma_reads_back_as_the_values_it_held(
    rows: list[tuple[str, float, int]],
) -> None:
    """Written as served (cells escaped), rewritten for a spreadsheet with a decimal comma
    (';' between values), and read back as the importer reads such a file: every text as it
    was, every number as the same number."""
    buffer = io.StringIO()
    writer = SpreadsheetWriter(buffer)
    for row in rows:
        writer.writerow(row)
    rewritten = CommaSheet([1, 2]).rewrite(buffer.getvalue())
    read = list(csv.reader(io.StringIO(rewritten, newline=""), delimiter=";"))
    assert len(read) == len(rows)
    for (text, number, whole), (cell, decimal, integer) in zip(rows, read, strict=True):
        assert from_spreadsheet(cell) == text
        read_number = read_decimal_comma(decimal) or "nan"
        assert float(read_number) == number and "." in read_number  # a decimal, as it was
        assert int(read_decimal_comma(integer) or "nan") == whole
