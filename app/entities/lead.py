"""LEAD: a prospect not yet qualified, unique by email."""

from typing import Literal

from pydantic import Field

from app.entities._base import EMAIL, EntityDocument, EntityFields, EntitySpec, entities


class LeadFields(EntityFields):
    email: str | None = None
    first_name: str | None = Field(default=None, max_length=200)
    last_name: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=50)
    company: str | None = Field(default=None, max_length=300)
    job_title: str | None = Field(default=None, max_length=200)
    source: str | None = Field(default=None, max_length=100)
    status: Literal["new", "contacted", "qualified", "unqualified", "converted"] | None = None
    score: int | None = None
    estimated_value: float | None = None


class Lead(EntityDocument):
    class Settings(EntityDocument.Settings):
        name = "leads"


LEAD = entities.register(
    EntitySpec(
        name="LEAD", document=Lead, fields=LeadFields, unique_field="email", key_pattern=EMAIL
    )
)
