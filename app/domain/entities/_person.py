"""Fields every person-like entity (contacts, leads) has, keyed by email."""

from pydantic import Field

from app.domain.entities._base import EntityFields
from app.domain.entities.values.numbers import WholeNumber
from app.domain.entities.values.phones import Phone
from app.domain.values import INT64_MAX, INT64_MIN


class PersonFields(EntityFields):
    email: str | None = Field(default=None, max_length=254)
    first_name: str | None = Field(default=None, max_length=200)
    last_name: str | None = Field(default=None, max_length=200)
    phone: Phone | None = Field(default=None, max_length=50)
    company: str | None = Field(default=None, max_length=300)
    job_title: str | None = Field(default=None, max_length=200)
    # Bounded as the database stores integers: a CSV cell's text is read as one only here.
    score: WholeNumber | None = Field(default=None, ge=INT64_MIN, le=INT64_MAX)


# How other tools' exports name a person's fields (Mailchimp, Outlook, HubSpot, Salesforce).
PERSON_ALIASES = {
    "email": ("Email Address", "E-mail Address"),
    "phone": ("Phone Number",),
    "last_name": ("Surname",),
    "company": ("Company Name",),
}
