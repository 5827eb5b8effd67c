"""What the action's owner asked for: keep running, pause, or cancel.

A document of its own under the action's id, written only by the API, rather than a field of
the action: the workers update the action while it runs, and FerretDB v1 loses one of two
concurrent updates of a document, so a pause must never share a document with progress.
"""

from collections.abc import Sequence
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


async def request_of(action_id: PydanticObjectId) -> ControlRequest:
    """The owner's request in force for the action (RUN when none was made)."""
    control = await ActionControl.get(action_id)
    return control.request if control is not None else ControlRequest.RUN


async def requests_of(
    action_ids: Sequence[PydanticObjectId],
) -> dict[PydanticObjectId, ControlRequest]:
    """The requests in force for several actions, with one query."""
    found = (
        await ActionControl.get_pymongo_collection()
        .find({"_id": {"$in": list(action_ids)}}, {"request": 1})
        .to_list()
    )
    made = {doc["_id"]: ControlRequest(doc["request"]) for doc in found}
    return {action_id: made.get(action_id, ControlRequest.RUN) for action_id in action_ids}
