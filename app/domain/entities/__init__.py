"""Entity types (CONTACT, COMPANY, LEAD, …): one module each, registered in `entities`."""

from app.domain.entities._base import EntityDocument, EntityFields, EntitySpec, entities

__all__ = ["EntityDocument", "EntityFields", "EntitySpec", "entities"]
