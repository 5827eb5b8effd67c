"""CONTACT: a person, unique by email."""

from typing import Literal

from pydantic import Field

from app.entities._base import EMAIL, EntityDocument, EntityFields, EntitySpec, entities


class ContactFields(EntityFields):
    email: str | None = None
    first_name: str | None = Field(default=None, max_length=200)
    last_name: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=50)
    company: str | None = Field(default=None, max_length=300)
    job_title: str | None = Field(default=None, max_length=200)
    lifecycle_stage: (
        Literal["subscriber", "lead", "opportunity", "customer", "evangelist", "other"] | None
    ) = None
    city: str | None = Field(default=None, max_length=200)
    country: str | None = Field(default=None, max_length=100)
    tags: list[str] | None = None
    score: int | None = None
    unsubscribed: bool | None = None


class Contact(EntityDocument):
    class Settings(EntityDocument.Settings):
        name = "contacts"


CONTACT = entities.register(
    EntitySpec(
        name="CONTACT",
        document=Contact,
        fields=ContactFields,
        unique_field="email",
        key_pattern=EMAIL,
    )
)
