"""An account's custom field definitions, and the fixed sets of them actions are made with."""

from datetime import datetime
from typing import Any, ClassVar

from beanie import Document
from pydantic import Field
from pymongo import ASCENDING, IndexModel

from app.domain.clock import utcnow
from app.domain.fields import CustomField


class CustomFieldDefinition(Document):
    """One custom field of an account's entity type. A deleted one is kept, hidden, until
    retention removes its values from the entities (app.engine.retention)."""

    account_id: str
    entity_type: str
    name: str
    kind: str
    options: list[str] = Field(default_factory=list)
    unique: bool = False
    slot: int | None = None
    description: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    deleted_at: datetime | None = None

    class Settings:
        name = "custom_fields"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel(
                [("account_id", ASCENDING), ("entity_type", ASCENDING), ("name", ASCENDING)],
                unique=True,
            ),
            # Two unique fields never share a slot, however concurrent their definitions.
            IndexModel(
                [("account_id", ASCENDING), ("entity_type", ASCENDING), ("slot", ASCENDING)],
                unique=True,
                sparse=True,
            ),
        ]

    def field(self) -> CustomField:
        return CustomField(
            name=self.name,
            kind=self.kind,
            options=tuple(self.options),
            unique=self.unique,
            slot=self.slot,
            description=self.description,
            hidden=self.deleted_at is not None,
        )


class FieldSet(Document):
    """The custom fields of an entity type as an action was made with them: never changed,
    named by a digest of its content, so workers keep it once read."""

    id: str  # type: ignore[assignment]
    account_id: str
    entity_type: str
    fields: list[dict[str, Any]]

    class Settings:
        name = "field_sets"
