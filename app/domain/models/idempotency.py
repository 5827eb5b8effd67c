"""Claims an idempotency key for an account: the id is "<account>:<key>", so it is unique."""

from datetime import datetime

from beanie import Document, PydanticObjectId
from pydantic import Field

from app.domain.clock import utcnow


class IdempotencyKey(Document):
    id: str  # type: ignore[assignment]
    action_id: PydanticObjectId
    created_at: datetime = Field(default_factory=utcnow)

    class Settings:
        name = "idempotency_keys"
