"""The custom fields store: an account's definitions (app.domain.models.custom_field), and the
fixed sets of them actions are made with.

An action names the set of definitions in force when it was made (`BulkAction.field_set`): a
set is never changed and is named by a digest of its content, so a worker reads each set once
and keeps it, and a definition changed while an action runs never changes how that action
reads its rows.
"""

import hashlib
import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from app.domain.entities import EntitySpec, entities
from app.domain.fields import CustomField, extended
from app.domain.models import BulkAction, CustomFieldDefinition, FieldSet
from app.infra.mongo import db

# Sets read by this process, by id: they never change.
_sets: dict[str, tuple[CustomField, ...]] = {}


async def definitions(account_id: str, entity_type: str) -> list[CustomFieldDefinition]:
    """Every definition of the account's entity type, deleted ones included, in name order."""
    query = {"account_id": account_id, "entity_type": entity_type}
    return await CustomFieldDefinition.find(query).sort("+name").to_list()


async def named(account_id: str, entity_type: str, name: str) -> CustomFieldDefinition | None:
    return await CustomFieldDefinition.find_one(
        {"account_id": account_id, "entity_type": entity_type, "name": name}
    )


def stored_form(definition: CustomFieldDefinition) -> dict[str, Any]:
    """The document as stored: a field without a slot has no `slot` at all, so the sparse
    unique index over slots holds only the unique fields' slots."""
    stored: dict[str, Any] = definition.model_dump(by_alias=True, exclude_none=True)
    return stored


async def insert(definition: CustomFieldDefinition) -> bool:
    """Stores a new definition; False when its name or its slot was taken meanwhile."""
    try:
        await CustomFieldDefinition.get_pymongo_collection().insert_one(stored_form(definition))
    except DuplicateKeyError:
        return False
    return True


async def replace(definition: CustomFieldDefinition) -> bool:
    """Stores a changed definition; False when its new slot was taken meanwhile."""
    try:
        await CustomFieldDefinition.get_pymongo_collection().replace_one(
            {"_id": definition.id}, stored_form(definition)
        )
    except DuplicateKeyError:
        return False
    return True


async def hidden_before(until: datetime, limit: int) -> list[CustomFieldDefinition]:
    """Definitions deleted before `until`, whose values retention may remove."""
    found = CustomFieldDefinition.find({"deleted_at": {"$lt": until}})
    return await found.limit(limit).to_list()


async def remove(definition: CustomFieldDefinition) -> None:
    await definition.delete()


def fields_in(found: list[CustomFieldDefinition]) -> tuple[CustomField, ...]:
    return tuple(definition.field() for definition in found)


async def current(account_id: str, entity_type: str) -> EntitySpec:
    """The entity type with the account's custom fields as they are now."""
    entity = entities.get(entity_type)
    return extended(entity, fields_in(await definitions(account_id, entity_type)))


async def fix_set(account_id: str, entity_type: str) -> tuple[str | None, EntitySpec]:
    """The set of the account's custom fields as they are now, stored once (named by its
    content), and the entity type with them; None when the account defined none."""
    fields = fields_in(await definitions(account_id, entity_type))
    entity = extended(entities.get(entity_type), fields)
    if not fields:
        return None, entity
    content = [asdict(field) for field in fields]
    digest = hashlib.sha256(
        json.dumps([account_id, entity_type, content], sort_keys=True).encode()
    ).hexdigest()
    set_id = f"{entity_type}:{digest[:40]}"
    await db.insert_new_documents(
        [FieldSet(id=set_id, account_id=account_id, entity_type=entity_type, fields=content)]
    )
    _sets[set_id] = fields
    return set_id, entity


async def fields_of(set_id: str) -> tuple[CustomField, ...]:
    if (known := _sets.get(set_id)) is not None:
        return known
    found = await FieldSet.get(set_id)
    if found is None:
        raise LookupError(f"custom field set {set_id!r} is missing")
    fields = tuple(
        CustomField(**{**item, "options": tuple(item.get("options") or ())})
        for item in found.fields
    )
    _sets[set_id] = fields
    return fields


async def entity_of(action: BulkAction) -> EntitySpec:
    """The entity type with the custom fields the action was made with."""
    entity = entities.get(action.entity_type)
    if action.field_set is None:
        return entity
    return extended(entity, await fields_of(action.field_set))
