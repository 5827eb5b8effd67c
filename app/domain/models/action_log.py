"""The outcome of one input row of an action; (action_id, row) is unique."""

from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from beanie import Document, PydanticObjectId
from pydantic import Field
from pymongo import ASCENDING, IndexModel

from app.domain.clock import utcnow


class LogStatus(StrEnum):
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"
    SKIPPED = "SKIPPED"


class LogReason(StrEnum):
    UPDATED = "UPDATED"
    INSERTED = "INSERTED"
    DELETED = "DELETED"
    DUPLICATE_IN_INPUT = "DUPLICATE_IN_INPUT"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    NOT_FOUND = "NOT_FOUND"
    DUPLICATE_KEY = "DUPLICATE_KEY"
    INVALID = "INVALID"
    WRITE_ERROR = "WRITE_ERROR"
    PROCESSING_ERROR = "PROCESSING_ERROR"
    CANCELLED = "CANCELLED"


class ActionLog(Document):
    action_id: PydanticObjectId
    account_id: str
    row: int
    entity_id: str | None = None
    status: LogStatus
    reason: LogReason
    message: str | None = None
    at: datetime = Field(default_factory=utcnow)

    class Settings:
        name = "action_logs"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("action_id", ASCENDING), ("row", ASCENDING)], unique=True),
            IndexModel([("action_id", ASCENDING), ("status", ASCENDING), ("row", ASCENDING)]),
        ]
