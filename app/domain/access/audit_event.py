"""The audit trail: who did what to an account, when, and from which address.

One document per event, written once by the use case that did it (app.usecases.accounts.
audit), kept `AUDIT_RETENTION_DAYS` whatever happens to the action it names.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from beanie import Document, PydanticObjectId
from pydantic import Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from app.domain.clock import utcnow


class AuditKind(StrEnum):
    ACTION_CREATED = "ACTION_CREATED"
    ACTION_RUN = "ACTION_RUN"
    ACTION_RESTORED = "ACTION_RESTORED"
    ACTION_RETRIED = "ACTION_RETRIED"
    ACTION_PAUSED = "ACTION_PAUSED"
    ACTION_RESUMED = "ACTION_RESUMED"
    ACTION_CANCELLED = "ACTION_CANCELLED"
    ACTION_RESCHEDULED = "ACTION_RESCHEDULED"
    DRIP_CHANGED = "DRIP_CHANGED"
    LIMIT_CHANGED = "LIMIT_CHANGED"
    WEBHOOK_CREATED = "WEBHOOK_CREATED"
    WEBHOOK_DELETED = "WEBHOOK_DELETED"
    API_KEY_CREATED = "API_KEY_CREATED"
    API_KEY_REVOKED = "API_KEY_REVOKED"
    CUSTOM_FIELD_DEFINED = "CUSTOM_FIELD_DEFINED"
    CUSTOM_FIELD_DELETED = "CUSTOM_FIELD_DELETED"


class AuditEvent(Document):
    account_id: str
    kind: AuditKind
    at: datetime = Field(default_factory=utcnow)
    user_id: str | None = None
    api_key_id: str | None = None
    address: str | None = None
    # The action it is about (new actions: the one made), or what else it names (a webhook's,
    # a key's id, a field's name, the account a limit was set for).
    action_id: PydanticObjectId | None = None
    subject: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)
    expires_at: datetime | None = None

    class Settings:
        name = "audit_events"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("account_id", ASCENDING), ("_id", DESCENDING)]),
            IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0),
        ]
