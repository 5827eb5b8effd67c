"""The rows an action works on, and what a chunk's decide step found, as types mypy checks.

They are stored as plain documents (input batches, chunk rows, chunk decisions), so these
are TypedDicts: the stored shape stays a dict, and every key the code reads is checked.
"""

from typing import (
    Any,
    Required,  # pydantic needs these on Python < 3.12
)

from typing_extensions import TypedDict


class RowBody(TypedDict, total=False):
    """What an input item becomes once validated (planning adds `new_id` and `dup`)."""

    id: str  # the target entity's id (UPDATE, DELETE)
    key: str  # the normalised unique key (INSERT, UPSERT)
    data: dict[str, Any]  # field values to write
    new_id: str  # the id an insert gives the entity, chosen once at planning
    invalid: str  # why the row cannot be used: logged FAILED/INVALID
    dup: bool  # an earlier row of the input had the same key: logged SKIPPED


class Row(RowBody, total=False):
    row: Required[int]  # 1-based position in the input


class KeyHolder(TypedDict):
    """An entity that holds a unique key: a list of these, not a key → id map, since keys
    such as emails contain '.', which field names may not."""

    key: str
    id: str


class Decisions(TypedDict, total=False):
    """What a chunk's first attempt found before writing (stored once per chunk)."""

    existing: list[str]  # targets by id that exist in the account (UPDATE, DELETE)
    # UPDATE: the targets' current values of the fields it changes, by entity id.
    current: dict[str, dict[str, Any]]
    holders: list[KeyHolder]  # entities already holding the rows' keys (UPSERT)
