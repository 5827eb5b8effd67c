"""A CSV row's cells as a record (`CsvCells`): a row whose cells all read as they are takes
a shortcut in C; whatever the cells, the record is the one reading each cell on its own gives
(an empty or blank cell None, a spreadsheet escape undone, a list cell split on ';', the last
cell of a field named twice, ignored columns left out); one cell read alone (a key's) reads
as it does in its row."""

from collections.abc import Set as AbstractSet
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.entities import entities
from app.domain.spreadsheet_cells import from_spreadsheet
from tests.unit.domain.fields.test_kinds import EXTENDED

CONTACT = entities.get("CONTACT")
CELLS = st.sampled_from(
    ["", " ", "\t", "a", " a ", "O'Brien", "'=1+2", "''=x", "'-5", "'", "x;y", " ; z ;", "é"]
)
NAMES = st.sampled_from([None, "email", "first_name", "tags", "groups", "seats", "note"])


def cell_by_cell(
    columns: list[str | None], values: list[str], lists: AbstractSet[str]
) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for name, cell in zip(columns, values, strict=True):
        if name is None:
            continue
        value = from_spreadsheet(cell)
        if not value or value.isspace():
            record[name] = None
        elif name in lists:
            record[name] = [part for part in map(str.strip, value.split(";")) if part]
        else:
            record[name] = value
    return record


@settings(max_examples=500, deadline=None)
@given(columns=st.lists(NAMES, min_size=1, max_size=6), data=st.data())
def test_a_row_reads_as_its_cells_read_one_by_one(
    columns: list[str | None], data: st.DataObject
) -> None:
    values = data.draw(st.lists(CELLS, min_size=len(columns), max_size=len(columns)))
    for entity in (CONTACT, EXTENDED):
        expected = cell_by_cell(columns, values, entity.list_fields)
        assert entity.csv_cells_of(columns)(values) == expected
        assert list(entity.csv_cells_of(columns)(values)) == list(expected)  # in field order
        for name, cell in zip(columns, values, strict=True):
            if name is not None:  # a key's cell, read alone
                alone = cell_by_cell([name], [cell], entity.list_fields)[name]
                assert entity.csv_cells_of([name]).cell(name, cell) == alone
