"""COMPANY: an organisation, unique by its web domain."""

from pydantic import Field

from app.domain.entities._base import (
    DOMAIN,
    LIST_MAX_ITEMS,
    EntityDocument,
    EntityFields,
    EntitySpec,
    ListItems,
    entities,
)
from app.domain.values import INT64_MAX


class CompanyFields(EntityFields):
    domain: str | None = None
    name: str | None = Field(default=None, max_length=300)
    industry: str | None = Field(default=None, max_length=200)
    # Bounded as the database stores numbers: a CSV cell's text is read as one only here.
    employee_count: int | None = Field(default=None, ge=0, le=INT64_MAX)
    annual_revenue: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    phone: str | None = Field(default=None, max_length=50)
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
        filtered_fields=("tags", "country", "industry"),
    )
)
