"""COMPANY: an organisation, unique by its web domain."""

import re

from pydantic import Field

from app.domain.entities._base import (
    LIST_MAX_ITEMS,
    EntityDocument,
    EntityFields,
    EntitySpec,
    ListItems,
    entities,
)
from app.domain.entities.values.addresses import DOMAIN, idn_host
from app.domain.entities.values.numbers import WholeNumber
from app.domain.entities.values.phones import Phone
from app.domain.values import INT64_MAX

# A web address: its scheme, and after its host the port, path, query or fragment.
WEB_ADDRESS = re.compile(r"^https?://([^/:?#]*)(?:[:/?#].*)?$|^([^/:?#]+)[/?#].*$")


def domain_of(key: str) -> str:
    """The domain a company is named by, where its web address is given ("https://acme.com/
    about" and "acme.com." name acme.com; a subdomain such as www stays part of it), an
    internationalised one in its one spelling (app.domain.entities.values.addresses)."""
    if (found := WEB_ADDRESS.match(key)) is not None:
        key = found.group(1) if found.group(1) is not None else found.group(2)
    return idn_host(key.removesuffix("."))


class CompanyFields(EntityFields):
    domain: str | None = None
    name: str | None = Field(default=None, max_length=300)
    industry: str | None = Field(default=None, max_length=200)
    # Bounded as the database stores numbers: a CSV cell's text is read as one only here.
    employee_count: WholeNumber | None = Field(default=None, ge=0, le=INT64_MAX)
    annual_revenue: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    phone: Phone | None = Field(default=None, max_length=50)
    city: str | None = Field(default=None, max_length=200)
    country: str | None = Field(default=None, max_length=100)
    tags: ListItems | None = Field(default=None, max_length=LIST_MAX_ITEMS)


class Company(EntityDocument):
    class Settings(EntityDocument.Settings):
        name = "companies"


COMPANY = entities.register(
    EntitySpec(
        name="COMPANY",
        description="An organisation, unique by its web domain (`domain`).",
        document=Company,
        fields=CompanyFields,
        unique_field="domain",
        key_pattern=DOMAIN,
        bare_key=domain_of,
        filtered_fields=("tags", "country", "industry"),
        # How other tools' exports name them (HubSpot's "Company Domain Name", a website).
        aliases={
            "domain": ("Website", "Website URL", "Company Domain Name", "Domain Name"),
            "name": ("Company Name", "Company"),
            "employee_count": ("Number of Employees", "Employees"),
            "phone": ("Phone Number",),
        },
    )
)
