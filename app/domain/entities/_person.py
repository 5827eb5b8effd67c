"""Fields every person-like entity (contacts, leads) has, keyed by email."""

from pydantic import Field

from app.domain.entities._base import EntityFields


class PersonFields(EntityFields):
    email: str | None = Field(default=None, max_length=254)
    first_name: str | None = Field(default=None, max_length=200)
    last_name: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=50)
    company: str | None = Field(default=None, max_length=300)
    job_title: str | None = Field(default=None, max_length=200)
    score: int | None = None
