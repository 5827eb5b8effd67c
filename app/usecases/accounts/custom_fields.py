"""Custom fields as the API offers them: define, list, delete (app.domain.fields).

A definition is checked whole before anything is stored. Defining a field exactly as it is
defined already changes nothing; changing its kind, options or uniqueness is refused while
the account's entities hold values of it, since those values were checked against the old
definition. A deleted field is hidden from new actions at once; its values stay in the
entities (a restore can still put them back) until retention removes them,
RESTORE_RETENTION_DAYS after the deletion. Defining the name again before that brings the
field back with its values, under the same rule for changes.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin

from beanie import PydanticObjectId

from app.domain.access import AuditKind
from app.domain.clock import utcnow
from app.domain.entities import entities
from app.domain.entities._base import UNIQUE_SLOTS, FieldKind, bare_type
from app.domain.errors import BadUserInput
from app.domain.fields import MAX_FIELDS, MAX_UNIQUE_FIELDS, check_definition, extended
from app.domain.models import CustomFieldDefinition
from app.domain.principal import Principal
from app.infra.mongo import entities as stored_entities
from app.infra.mongo.accounts import custom_fields as stored
from app.usecases.accounts import audit

ATTEMPTS = 5  # a concurrent definition took the name or the slot: look again


@dataclass(frozen=True)
class FieldInfo:
    """A field rows, filters and exports may name: built-in or custom, with its kind."""

    name: str
    kind: str  # a custom field kind's name: TEXT, NUMBER, BOOLEAN, DATE, ENUM, LIST
    custom: bool
    unique: bool
    options: tuple[str, ...] = ()
    # Other names CSV headers give it (a built-in field's EntitySpec.aliases).
    aliases: tuple[str, ...] = ()


def entity_of(entity_type: str) -> str:
    try:
        return entities.get(entity_type).name
    except KeyError as exc:
        raise BadUserInput(f"entityType: {exc.args[0]}.") from None


async def fields_of(principal: Principal, entity_type: str) -> list[FieldInfo]:
    """Every field of the entity type the caller may use now, built-in ones first."""
    name_of_type = entity_of(entity_type)
    fields = stored.fields_in(await stored.definitions(principal.account_id, name_of_type))
    entity = extended(entities.get(name_of_type), fields)
    custom = {field.name: field for field in fields if not field.hidden}
    found = []
    for name, kind in entity.kinds.items():
        if name in custom:
            field = custom[name]
            found.append(FieldInfo(name, field.kind, True, field.unique, field.options))
        else:
            options = choices_of(entity.fields.model_fields[name].annotation)
            shown = "ENUM" if options else KIND_NAMES[kind]
            unique, aliases = name == entity.unique_field, entity.aliases.get(name, ())
            found.append(FieldInfo(name, shown, False, unique, options, aliases))
    return found


# How a built-in field's kind is named among the custom fields' kinds.
KIND_NAMES = {
    FieldKind.TEXT: "TEXT",
    FieldKind.NUMBER: "NUMBER",
    FieldKind.BOOLEAN: "BOOLEAN",
    FieldKind.DAY: "DATE",
    FieldKind.DATE: "DATE",
    FieldKind.TEXT_LIST: "LIST",
    FieldKind.ID: "TEXT",
}


def choices_of(annotation: Any) -> tuple[str, ...]:
    """The options of a built-in field that takes one of a few values (a Literal)."""
    for kind in map(bare_type, get_args(annotation) or (annotation,)):
        if get_origin(kind) is Literal:
            return tuple(str(option) for option in get_args(kind))
    return ()


async def list_fields(principal: Principal, entity_type: str | None) -> list[CustomFieldDefinition]:
    types = [entity_of(entity_type)] if entity_type else entities.names()
    found: list[CustomFieldDefinition] = []
    for name in types:
        found += await stored.definitions(principal.account_id, name)
    return [definition for definition in found if definition.deleted_at is None]


async def define(
    principal: Principal,
    entity_type: str,
    name: str,
    kind: str,
    options: Sequence[str] | None,
    unique: bool,
    description: str | None,
) -> CustomFieldDefinition:
    """Defines the field (or confirms it, as it is), and records who did."""
    field = await store_definition(principal, entity_type, name, kind, options, unique, description)
    await audit.record(
        principal,
        AuditKind.CUSTOM_FIELD_DEFINED,
        subject=f"{field.entity_type}.{field.name}",
        field_kind=field.kind,
        unique=field.unique,
    )
    return field


async def store_definition(
    principal: Principal,
    entity_type: str,
    name: str,
    kind: str,
    options: Sequence[str] | None,
    unique: bool,
    description: str | None,
) -> CustomFieldDefinition:
    entity = entities.get(entity_of(entity_type))
    field = check_definition(entity, name, kind, options, unique, description)
    for _ in range(ATTEMPTS):
        others = await stored.definitions(principal.account_id, entity.name)
        existing = next((d for d in others if d.name == field.name), None)
        others = [d for d in others if d.name != field.name]
        adds = existing is None or existing.deleted_at is not None
        if adds and sum(1 for d in others if d.deleted_at is None) >= MAX_FIELDS:
            raise too_many(entity.name)
        slot = None
        if field.unique:
            slot = existing.slot if existing is not None and existing.slot else free_slot(others)
            if slot is None:
                raise BadUserInput(
                    f"unique: {entity.name} has {MAX_UNIQUE_FIELDS} unique custom fields "
                    "already, the most an account may define."
                )
        if slot is not None:
            await stored_entities.index_slot(entity, slot)
        wanted = CustomFieldDefinition(
            id=PydanticObjectId(),
            account_id=principal.account_id,
            entity_type=entity.name,
            name=field.name,
            kind=field.kind,
            options=list(field.options),
            unique=field.unique,
            slot=slot,
            description=field.description,
        )
        if existing is None:
            if await stored.insert(wanted):
                await check_count(principal, entity.name, wanted)
                return wanted
            continue
        if same(existing, wanted):
            if existing.deleted_at is None and existing.description == wanted.description:
                return existing  # defined exactly so already
        elif await stored_entities.holds_values(entity, principal.account_id, field.name):
            raise BadUserInput(
                f"{field.name!r} is a {existing.kind} field whose values some {entity.name} "
                f"entities hold; its kind, options or uniqueness cannot change while they do "
                "(clear them first with an UPDATE that unsets it).",
                field=field.name,
            )
        wanted.id, wanted.created_at = existing.id, existing.created_at
        if existing.unique and not wanted.unique:
            wanted.slot = None
        if await stored.replace(wanted):
            return wanted
    raise BadUserInput("The field is being defined by another request; try again.")


def too_many(entity_type: str) -> BadUserInput:
    return BadUserInput(
        f"{entity_type} has {MAX_FIELDS} custom fields already, the most an account may "
        "define; delete one first."
    )


async def check_count(principal: Principal, entity_type: str, added: CustomFieldDefinition) -> None:
    """Definitions made at once may each have seen room for one more: one that finds the
    account past the limit once stored takes itself back (both may, and both say so)."""
    found = await stored.definitions(principal.account_id, entity_type)
    if sum(1 for d in found if d.deleted_at is None) > MAX_FIELDS:
        await stored.remove(added)
        raise too_many(entity_type)


def same(existing: CustomFieldDefinition, wanted: CustomFieldDefinition) -> bool:
    """Whether the values the field holds stay valid: the same kind, options and uniqueness
    (adding options keeps them valid too)."""
    return (
        existing.kind == wanted.kind
        and existing.unique == wanted.unique
        and set(existing.options) <= set(wanted.options)
    )


def free_slot(others: Sequence[CustomFieldDefinition]) -> int | None:
    taken = {d.slot for d in others}
    return next((slot for slot in UNIQUE_SLOTS if slot not in taken), None)


async def delete(principal: Principal, entity_type: str, name: str) -> bool:
    """Hides the field from new actions; False when there was no such field."""
    found = await stored.named(principal.account_id, entity_of(entity_type), name)
    if found is None or found.deleted_at is not None:
        return False
    found.deleted_at = utcnow()
    await stored.replace(found)
    await audit.record(
        principal, AuditKind.CUSTOM_FIELD_DELETED, subject=f"{found.entity_type}.{found.name}"
    )
    return True
