"""A CSV row's cells as an entity's record, for every row of a file.

Every row of every reading of a file goes through here (planning its key cell, processing
every cell again), so where each field's cell is comes from the file's columns once, and a
row whose cells need nothing done to them, as most do, is told apart in C.
"""

from collections.abc import Collection, Sequence
from typing import Any

from app.domain.spreadsheet_cells import from_spreadsheet

# The first characters of cells that may stand for another value (`from_spreadsheet`).
SPREADSHEET_STARTS = ("'", "=")


class CsvCells:
    """Reads rows of cells in `columns` (a field's name, or None for a column to ignore) as
    records: an empty or blank cell is None (an empty value, which `emptyValues` says what
    to do with), a list field's cell is split on ';', and a cell escaped for spreadsheets (a
    served file's `'=…`) or a formula giving a text (`="00123"`) is read as the value it
    stands for (app.domain.spreadsheet_cells). A field named twice keeps its
    last cell."""

    def __init__(self, columns: Sequence[str | None], list_fields: Collection[str]) -> None:
        self.width = len(columns)
        kept = [index for index, name in enumerate(columns) if name is not None]
        # None when every cell is kept: the row's own list is read.
        self.kept = None if len(kept) == self.width else kept
        self.names = [name for name in columns if name is not None]
        self.lists = [name for name in dict.fromkeys(self.names) if name in list_fields]

    def __call__(self, values: Sequence[str]) -> dict[str, Any]:
        """The record of a row of `len(columns)` cells."""
        assert len(values) == self.width
        cells: Sequence[Any] = values if self.kept is None else [values[i] for i in self.kept]
        if not plain(cells):
            cells = list(map(value_of, cells))
        record = dict(zip(self.names, cells, strict=True))
        for name in self.lists:
            if (value := record[name]) is not None:
                record[name] = split_list(value)
        return record

    def cell(self, name: str, cell: str) -> Any:
        """What the field's cell alone reads as (`self(values)[name]` of a row that holds it):
        a key's, which planning reads alone from every row."""
        value = value_of(cell)
        return split_list(value) if value is not None and name in self.lists else value


def plain(cells: Sequence[str]) -> bool:
    """Whether the cells are their own values: none empty or blank, and none holding a `'`
    (which may escape it for spreadsheets) or `="` (a text formula's start)."""
    if "" in cells:
        return False
    joined = "".join(cells)
    return not ("'" in joined or '="' in joined or any(map(str.isspace, cells)))


def split_list(value: str) -> list[str]:
    """A list cell's items: split on ';', trimmed, empty ones left out."""
    parts = list(map(str.strip, value.split(";")))
    return parts if "" not in parts else [part for part in parts if part]


def value_of(cell: str) -> str | None:
    value = from_spreadsheet(cell) if cell[:1] in SPREADSHEET_STARTS else cell
    return None if not value or value.isspace() else value
