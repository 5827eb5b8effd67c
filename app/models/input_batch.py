"""An action's inline input, validated and stored in batches until planning reads it."""

from typing import Any, ClassVar

from beanie import Document, PydanticObjectId
from pymongo import ASCENDING, IndexModel


class InputBatch(Document):
    action_id: PydanticObjectId
    seq: int
    rows: list[dict[str, Any]]

    class Settings:
        name = "input_batches"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("action_id", ASCENDING), ("seq", ASCENDING)], unique=True),
        ]
