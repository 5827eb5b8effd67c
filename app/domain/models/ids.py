"""Ids: Beanie types `id` as optional until a document is saved (stored documents always have
one); the ids planned for the entities an action's rows create."""

import hashlib
from collections.abc import Callable
from functools import lru_cache, partial

from beanie import Document, PydanticObjectId
from bson import ObjectId


def saved_id(document: Document) -> PydanticObjectId:
    if document.id is None:
        raise ValueError(f"{type(document).__name__} has not been saved")
    return document.id


# Rows an action may have, at most, for their planned ids to differ (three bytes of the id).
MAX_PLANNED_ROWS = 1 << 24


def planned_id(action_id: ObjectId, row: int) -> str:
    """The id a row's insert gives the entity it creates: the same whenever the row is read
    (planning, or its chunk reading it again from its upload), and the row's alone.

    The action's creation time first, as any ObjectId starts; then five bytes of a digest of
    the action's id, which another action's ids share by a 2^-40 chance; then the row number.
    """
    return with_row(planned_prefix(action_id.binary), row)


def planned_ids(action_id: ObjectId) -> Callable[[int], str]:
    """`planned_id` of the action's rows, its common prefix worked out once (for code that
    asks for every row of a chunk)."""
    return partial(with_row, planned_prefix(action_id.binary))


def with_row(prefix: str, row: int) -> str:
    """A planned id: the action's prefix (hex), then the row's three bytes."""
    if not 0 < row < MAX_PLANNED_ROWS:
        raise ValueError(
            f"row {row} has no planned id: an action has at most {MAX_PLANNED_ROWS - 1}"
        )
    return prefix + row.to_bytes(3, "big").hex()  # as str(ObjectId) writes it


@lru_cache(maxsize=256)
def planned_prefix(action: bytes) -> str:
    """The first nine bytes of the action's planned ids, in hex (every row asks)."""
    digest = hashlib.blake2b(action, digest_size=5, person=b"planned-ids").digest()
    return (action[:4] + digest).hex()
