"""An action's inline input, validated and stored in batches until planning reads it."""

from typing import ClassVar

from beanie import Document, PydanticObjectId
from pymongo import ASCENDING, IndexModel

from app.domain.rows import Row


class InputBatch(Document):
    action_id: PydanticObjectId
    seq: int
    rows: list[Row]

    class Settings:
        name = "input_batches"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("action_id", ASCENDING), ("seq", ASCENDING)], unique=True),
        ]
