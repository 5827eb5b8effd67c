"""Claims an idempotency key for an account; the id names both, so it is unique per account."""

from datetime import datetime

from beanie import Document, PydanticObjectId
from pydantic import Field

from app.domain.clock import utcnow


class IdempotencyKey(Document):
    id: str  # type: ignore[assignment]  # id_for(account, key)
    action_id: PydanticObjectId
    # A digest of what the create asked (app.usecases.creation.fingerprint): a repeat with
    # the key must ask the same. None for follow-ups, and claims made before it was kept.
    fingerprint: str | None = None
    created_at: datetime = Field(default_factory=utcnow)

    @staticmethod
    def id_for(account_id: str, key: str) -> str:
        """ "<length of the account id>:<account id>:<key>": the length makes the split
        unambiguous, so account "X:x" with key "y" and account "X" with key "x:y" differ."""
        return f"{len(account_id)}:{account_id}:{key}"

    @staticmethod
    def follow_up_id(account_id: str, kind: str, source_id: object) -> str:
        """The claim of the one follow-up of a kind (a run, a restore) made from an action:
        "/" where a key's id has ":", so the two never clash."""
        return f"{len(account_id)}:{account_id}/{kind} of {source_id}"

    class Settings:
        name = "idempotency_keys"
