"""An account's own pacing limit, set by an admin; accounts without one use the default."""

from datetime import datetime

from beanie import Document
from pydantic import Field

from app.domain.clock import utcnow


class AccountLimit(Document):
    id: str  # type: ignore[assignment]  # the account id
    per_minute: int
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str | None = None

    class Settings:
        name = "account_limits"
