"""What a custom field is, how its definition is checked, and the entity type it extends."""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from pydantic import Field, create_model

from app.domain.entities import EntitySpec
from app.domain.entities._base import UNIQUE_SLOTS, FieldKind
from app.domain.errors import BadUserInput
from app.domain.registry import Registry
from app.domain.values import text_problem

MAX_FIELDS = 100  # per entity type and account
# Unique custom fields per entity type and account: each has a slot, a top-level field the
# entity mirrors its value into, under a unique index (app.domain.entities, `unique_slots`).
MAX_UNIQUE_FIELDS = len(UNIQUE_SLOTS)
MAX_OPTIONS = 200
MAX_OPTION_LENGTH = 100
MAX_DESCRIPTION = 500
NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# Names every entity has besides its schema's fields (filters and exports name them).
RESERVED = frozenset({"id", "created_at", "updated_at", "key", "data", "account_id"})


@dataclass(frozen=True)
class CustomField:
    """One field an account defined on an entity type. `slot` holds a unique field's index
    slot; `hidden` marks a deleted definition whose values are still stored (retention
    removes them): new actions cannot name it, but writes keep its slot in step."""

    name: str
    kind: str  # a CustomKind's name: TEXT, NUMBER…
    options: tuple[str, ...] = ()
    unique: bool = False
    slot: int | None = None
    description: str | None = None
    hidden: bool = False

    @property
    def field_kind(self) -> FieldKind:
        return kinds.get(self.kind).field_kind


@dataclass(frozen=True)
class CustomKind:
    name: str  # as the GraphQL FieldKind names it
    description: str
    # How filters and field operations see the field.
    field_kind: FieldKind
    # The pydantic type of one value (without None), from the definition.
    annotation: Callable[[CustomField], Any]
    can_be_unique: bool = False
    takes_options: bool = False


kinds: Registry[CustomKind] = Registry("app.domain.fields", "custom field kind")


def check_name(entity: EntitySpec, name: Any) -> str:
    if not isinstance(name, str) or not name:
        raise BadUserInput("name: give the field's name.")
    if (found := text_problem(name)) is not None:
        raise BadUserInput(f"name: {found}.")
    if "." in name or "$" in name:
        raise BadUserInput(f"name: {name[:80]!r} may not contain '.' or '$'.")
    if not NAME.match(name):
        raise BadUserInput(
            f"name: {name[:80]!r} is not lower snake case of 1-64 characters "
            "(a-z first, then a-z, 0-9 or _)."
        )
    if name in RESERVED or name in entity.field_names or name == entity.unique_field:
        raise BadUserInput(f"name: {name!r} is a built-in field of {entity.name}.")
    return name


def check_options(kind: CustomKind, options: Sequence[Any] | None) -> tuple[str, ...]:
    if not kind.takes_options:
        if options:
            raise BadUserInput(f"options: only ENUM fields take options, not {kind.name}.")
        return ()
    if not options:
        raise BadUserInput("options: an ENUM field needs at least one option.")
    if len(options) > MAX_OPTIONS:
        raise BadUserInput(f"options: at most {MAX_OPTIONS}, got {len(options)}.")
    checked: list[str] = []
    for option in options:
        if not isinstance(option, str) or not option.strip():
            raise BadUserInput("options: every option must be a non-empty string.")
        if (found := text_problem(option)) is not None:
            raise BadUserInput(f"options: {found}.")
        if len(option.strip()) > MAX_OPTION_LENGTH:
            raise BadUserInput(f"options: at most {MAX_OPTION_LENGTH} characters each.")
        if option.strip() in checked:
            raise BadUserInput(f"options: {option.strip()!r} is given twice.")
        checked.append(option.strip())
    return tuple(checked)


def check_definition(
    entity: EntitySpec,
    name: Any,
    kind: str,
    options: Sequence[Any] | None,
    unique: bool,
    description: str | None,
) -> CustomField:
    """A definition as given, checked on its own (the store checks it against the others)."""
    checked_name = check_name(entity, name)
    try:
        custom_kind = kinds.get(kind)
    except KeyError as exc:
        raise BadUserInput(f"kind: {exc.args[0]}.") from None
    if unique and not custom_kind.can_be_unique:
        fits = ", ".join(k.name for k in kinds if k.can_be_unique)
        raise BadUserInput(f"unique: a {kind} field cannot be unique; {fits} fields can.")
    if description is not None:
        if (found := text_problem(description)) is not None:
            raise BadUserInput(f"description: {found}.")
        if len(description) > MAX_DESCRIPTION:
            raise BadUserInput(f"description: at most {MAX_DESCRIPTION} characters.")
    return CustomField(
        name=checked_name,
        kind=custom_kind.name,
        options=check_options(custom_kind, options),
        unique=unique,
        description=description or None,
    )


@lru_cache(maxsize=1024)
def extended(entity: EntitySpec, fields: tuple[CustomField, ...]) -> EntitySpec:
    """The entity type with an account's custom fields: the visible ones are fields of its
    schema; every one with a slot keeps its slot in step. Made once per set of fields."""
    if not fields:
        return entity
    shown = [field for field in fields if not field.hidden]
    model = create_model(  # type: ignore[call-overload]
        f"{entity.fields.__name__}WithCustomFields",
        __base__=entity.fields,
        **{
            field.name: (
                kinds.get(field.kind).annotation(field) | None,
                Field(default=None, description=field.description),
            )
            for field in shown
        },
    )
    return replace(entity, fields=model, custom=fields)  # type: ignore[arg-type]
