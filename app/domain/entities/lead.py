"""LEAD: a prospect not yet qualified, unique by email."""

from typing import Annotated, Literal, get_args

from pydantic import BeforeValidator, Field

from app.domain.entities._base import EntityDocument, EntitySpec, as_option, entities
from app.domain.entities._person import PERSON_ALIASES, PersonFields
from app.domain.entities.values.addresses import EMAIL, email_key

LeadStatus = Literal["new", "contacted", "qualified", "unqualified", "converted"]


class LeadFields(PersonFields):
    source: str | None = Field(default=None, max_length=100)
    status: Annotated[LeadStatus, BeforeValidator(as_option(get_args(LeadStatus)))] | None = None
    # Finite, as the database stores numbers: a CSV cell's text is read as one only here.
    estimated_value: float | None = Field(default=None, allow_inf_nan=False)


class Lead(EntityDocument):
    class Settings(EntityDocument.Settings):
        name = "leads"


LEAD = entities.register(
    EntitySpec(
        name="LEAD",
        description="A prospect not yet qualified, unique by `email`.",
        document=Lead,
        fields=LeadFields,
        unique_field="email",
        key_pattern=EMAIL,
        bare_key=email_key,
        filtered_fields=("status", "source", "score"),
        aliases={**PERSON_ALIASES, "status": ("Lead Status",), "source": ("Lead Source",)},
    )
)
