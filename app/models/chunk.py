"""A slice of an action's rows, processed by one worker message with one bulk_write."""

from typing import Any, ClassVar

from beanie import Document, PydanticObjectId
from pymongo import ASCENDING, IndexModel


class Chunk(Document):
    action_id: PydanticObjectId
    account_id: str
    seq: int
    # Each row: {"row": n, "id"?: entity id, "key"?: unique key, "data"?: fields,
    #            "new_id"?: id an insert gives, "dup"?: True when an earlier row had its key}.
    rows: list[dict[str, Any]]
    # What the first attempt found in the database before writing; reused on redelivery so
    # that a chunk processed twice reports the same outcomes.
    decisions: dict[str, Any] | None = None
    done: bool = False
    # Outcome counts, written with `done`. Each chunk document has one writer at a time, so
    # these never race, unlike increments of a shared counter (FerretDB v1 loses concurrent
    # updates of one document); an action's progress is the sum over its chunks.
    succeeded: int = 0
    failed: int = 0
    skipped: int = 0

    class Settings:
        name = "chunks"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("action_id", ASCENDING), ("seq", ASCENDING)], unique=True),
            IndexModel([("action_id", ASCENDING), ("done", ASCENDING)]),
        ]
