"""Webhooks: an account's URLs told when its actions start and end, and each delivery.

A delivery's id is stable (webhook, action, event), so an announcement made twice (a
redelivered message) stores one delivery, and a receiver de-duplicates by it across retries.
"""

import json
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from beanie import Document, PydanticObjectId
from pydantic import BaseModel, Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from app.domain.clock import utcnow
from app.domain.models.bulk_action import BulkAction
from app.domain.status import BulkActionStatus


class WebhookEvent(StrEnum):
    ACTION_STARTED = "ACTION_STARTED"
    ACTION_COMPLETED = "ACTION_COMPLETED"
    ACTION_FAILED = "ACTION_FAILED"
    ACTION_CANCELLED = "ACTION_CANCELLED"


# The event a move to each status announces (COMPLETED_WITH_ERRORS is a completion).
EVENT_OF_STATUS = {
    BulkActionStatus.PROCESSING: WebhookEvent.ACTION_STARTED,
    BulkActionStatus.COMPLETED: WebhookEvent.ACTION_COMPLETED,
    BulkActionStatus.COMPLETED_WITH_ERRORS: WebhookEvent.ACTION_COMPLETED,
    BulkActionStatus.FAILED: WebhookEvent.ACTION_FAILED,
    BulkActionStatus.CANCELLED: WebhookEvent.ACTION_CANCELLED,
}
# A delivery sent by testWebhook.
TEST_EVENT = "TEST"


class Webhook(Document):
    account_id: str
    url: str
    events: list[WebhookEvent]
    # Signs each body (HMAC-SHA256); shown once, when the webhook is made.
    secret: str
    created_at: datetime = Field(default_factory=utcnow)

    class Settings:
        name = "webhooks"
        indexes: ClassVar[list[IndexModel]] = [IndexModel([("account_id", ASCENDING)])]


class Announcement(Document):
    """A status move about to be made whose webhooks are still to be told: written before
    the move and deleted once its deliveries are stored and sent, so a process that dies in
    between leaves it for the sweeper (an outbox)."""

    id: str  # type: ignore[assignment]  # "<action_id>:<status>"
    action_id: PydanticObjectId
    status: BulkActionStatus
    made_at: datetime = Field(default_factory=utcnow)

    @staticmethod
    def id_for(action_id: PydanticObjectId, status: BulkActionStatus) -> str:
        return f"{action_id}:{status}"

    class Settings:
        name = "announcements"


class DeliveryState(StrEnum):
    PENDING = "PENDING"  # not answered with a 2xx yet, retried
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"  # given up: retries spent, or the webhook was deleted


class Attempt(BaseModel):
    at: datetime
    status_code: int | None = None
    error: str | None = None
    seconds: float = 0.0


class WebhookDelivery(Document):
    id: str  # type: ignore[assignment]  # "<webhook>:<action>:<event>" (a test: a new one)
    webhook_id: PydanticObjectId
    account_id: str
    event: str
    action_id: PydanticObjectId | None = None
    # The exact bytes sent each time, so every attempt carries the same signed body.
    body: str
    state: DeliveryState = DeliveryState.PENDING
    attempts: list[Attempt] = Field(default_factory=list)
    created_at: datetime = Field(default_factory=utcnow)
    delivered_at: datetime | None = None
    # When the sweeper last sent a delivery never tried (its message was lost).
    resent_at: datetime | None = None

    class Settings:
        name = "webhook_deliveries"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("webhook_id", ASCENDING), ("created_at", DESCENDING)]),
            # The sweeper looks for PENDING deliveries never tried every few seconds: on
            # mongod an index read of the few pending ones, not a scan of the history.
            IndexModel([("state", ASCENDING), ("created_at", ASCENDING)]),
        ]


def action_summary(action: BulkAction) -> dict[str, object]:
    return {
        "id": str(action.id),
        "status": str(action.status),
        "entityType": action.entity_type,
        "actionType": action.action_type,
        "stats": {
            "total": action.total,
            "succeeded": action.succeeded,
            "failed": action.failed,
            "skipped": action.skipped,
        },
        "startedAt": action.started_at.isoformat() if action.started_at else None,
        "finishedAt": action.finished_at.isoformat() if action.finished_at else None,
    }


def delivery_body(delivery_id: str, event: str, action: dict[str, object] | None) -> str:
    """The JSON a delivery POSTs: `{id, event, action: {id, status, stats…}, at}`."""
    return json.dumps(
        {"id": delivery_id, "event": event, "action": action, "at": utcnow().isoformat()},
        separators=(",", ":"),
    )
