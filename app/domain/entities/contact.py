"""CONTACT: a person, unique by email."""

from typing import Annotated, Literal, get_args

from pydantic import BeforeValidator, Field

from app.domain.entities._base import (
    LIST_MAX_ITEMS,
    EntityDocument,
    EntitySpec,
    ListItems,
    as_option,
    entities,
)
from app.domain.entities._person import PERSON_ALIASES, PersonFields
from app.domain.entities.values.addresses import EMAIL, email_key
from app.domain.entities.values.booleans import Boolean

LifecycleStage = Literal["subscriber", "lead", "opportunity", "customer", "evangelist", "other"]


class ContactFields(PersonFields):
    lifecycle_stage: (
        Annotated[LifecycleStage, BeforeValidator(as_option(get_args(LifecycleStage)))] | None
    ) = None
    city: str | None = Field(default=None, max_length=200)
    country: str | None = Field(default=None, max_length=100)
    tags: ListItems | None = Field(default=None, max_length=LIST_MAX_ITEMS)
    unsubscribed: Boolean | None = None


class Contact(EntityDocument):
    class Settings(EntityDocument.Settings):
        name = "contacts"


CONTACT = entities.register(
    EntitySpec(
        name="CONTACT",
        description="A person, unique by `email`.",
        document=Contact,
        fields=ContactFields,
        unique_field="email",
        key_pattern=EMAIL,
        bare_key=email_key,
        filtered_fields=("tags", "country", "lifecycle_stage", "score"),
        aliases=PERSON_ALIASES,
    )
)
