"""What the action's owner asked for: keep running, pause, or cancel.

A document of its own under the action's id, written only by the API, rather than a field of
the action: the workers update the action while it runs, and FerretDB v1 loses one of two
concurrent updates of a document, so a pause must never share a document with progress.
"""

from datetime import datetime
from typing import ClassVar

from beanie import Document, PydanticObjectId
from pydantic import Field
from pymongo import ASCENDING, IndexModel

from app.domain.clock import utcnow
from app.domain.status import ControlRequest


class ActionControl(Document):
    id: PydanticObjectId  # the action's id
    account_id: str
    request: ControlRequest = ControlRequest.RUN
    updated_at: datetime = Field(default_factory=utcnow)

    class Settings:
        name = "action_controls"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("account_id", ASCENDING), ("request", ASCENDING)]),
        ]
