"""The rows an action works on, and what a chunk's decide step found, as types mypy checks.

They are stored as plain documents (input batches, chunk rows, chunk decisions), so these
are TypedDicts: the stored shape stays a dict, and every key the code reads is checked.
"""

from datetime import datetime
from typing import (
    Any,
    NotRequired,
    Required,  # pydantic needs these on Python < 3.12
)

from typing_extensions import TypedDict


class BeforeImage(TypedDict):
    """One row's entity before the write. `stamp` is the `updated_at` the action's write put
    on it: an entity whose `updated_at` differs later was changed by someone else since."""

    row: int
    id: str  # the entity's id
    # Absent where the write being undone created the entity (`inserted_image`): its
    # `created_at` is the stamp then.
    stamp: NotRequired[datetime]
    # Exactly one kind of image:
    absent: NotRequired[bool]  # it did not exist (INSERT, a new UPSERT row)
    document: NotRequired[dict[str, Any]]  # the whole document (DELETE)
    # An update: the previous values of the fields its chunk read (those it may change), the
    # fields among them the entity lacked, the previous unique key if the chunk may change
    # it, and the previous `updated_at`.
    fields: NotRequired[dict[str, Any]]
    added: NotRequired[list[str]]
    key: NotRequired[str | None]
    was: NotRequired[datetime | None]
    # The amounts its increments added to numbers it held (`$inc`, which kept what another
    # writer did between the read and the write): taken back rather than set to `fields`.
    increments: NotRequired[dict[str, Any]]


class RowBody(TypedDict, total=False):
    """What an input item becomes once validated (planning adds `new_id` and `dup`)."""

    id: str  # the target entity's id (UPDATE, DELETE)
    key: str  # the normalised unique key (INSERT, UPSERT)
    match: Any  # the normalised value of the field rows are matched by (matchBy), if not id/key
    data: dict[str, Any]  # field values to write
    new_id: str  # the id an insert gives the entity, chosen once at planning
    invalid: str  # why the row cannot be used: logged FAILED/INVALID
    dup: bool  # an earlier row of the input had the same key: logged SKIPPED
    # A restore or a retry: the row of the original action this row comes from (logged).
    source_row: int
    image: BeforeImage  # RESTORE: what to put back
    # Planning only, never stored: where a CSV row's bytes are in its upload, [start, end),
    # and its dedupe key, read from the key's cell alone (the row is not validated whole).
    upload_span: tuple[int, int]
    dedupe: str


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
    # UPDATE, UPSERT: the targets' current values of the fields it changes, by entity id,
    # and the fields it read (`read`: those a row of the chunk may change), so a restore
    # makes each row's before-image from them.
    current: dict[str, dict[str, Any]]
    read: list[str]
    holders: list[KeyHolder]  # entities already holding the rows' keys (UPSERT)
    matched: list[KeyHolder]  # entities holding the rows' match keys (UPDATE, DELETE)
    # The targets' `updated_at` and unique key before the write, by entity id (UPDATE,
    # UPSERT: for their before-images; RESTORE: to see who changed them since).
    versions: dict[str, datetime | None]
    # RESTORE: the targets' `created_at`, by entity id (the stamp of an entity the undone
    # action created).
    created: dict[str, datetime | None]
    keys: dict[str, str | None]
    documents: list[dict[str, Any]]  # DELETE: the targets' whole documents
    # UPDATE: the amounts its increments add, by field (for its before-images).
    increments: dict[str, Any]
    # The `updated_at` this chunk's writes put on entities: fixed once, so a redelivery
    # writes the same and an entity's `updated_at` tells whether anyone wrote it since.
    stamp: datetime
