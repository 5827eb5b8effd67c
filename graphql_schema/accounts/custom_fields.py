"""Custom fields in the API: the `customFields` query, `defineCustomField` and
`deleteCustomField` (app.usecases.accounts.custom_fields)."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from app.domain.fields import kinds
from app.domain.models import CustomFieldDefinition
from app.usecases.accounts import custom_fields
from app.usecases.accounts.custom_fields import FieldInfo
from graphql_schema.context import Info
from graphql_schema.enums import EntityType, registry_enum

if TYPE_CHECKING:
    FieldKind = str
else:
    FieldKind = registry_enum(
        "FieldKind",
        kinds,
        "What a custom field holds; one module each in app/domain/fields.",
    )


@strawberry.type(
    name="CustomField",
    description="A field an account defined on an entity type, used by its name wherever a "
    "built-in field is.",
)
class CustomFieldType:
    entity_type: EntityType = strawberry.field(description="The entity type it belongs to.")
    name: str = strawberry.field(description="Its name: lower snake case.")
    kind: FieldKind = strawberry.field(description="What it holds.")
    options: list[str] | None = strawberry.field(description="ENUM: the values it may hold.")
    unique: bool = strawberry.field(
        description="No two entities of the account hold the same value; rows can be matched "
        "by it (matchBy)."
    )
    description: str | None = strawberry.field(description="What it is for.")
    created_at: datetime = strawberry.field(description="When it was first defined.")

    @classmethod
    def of(cls, definition: CustomFieldDefinition) -> "CustomFieldType":
        return cls(
            entity_type=definition.entity_type,
            name=definition.name,
            kind=definition.kind,
            options=definition.options or None,
            unique=definition.unique,
            description=definition.description,
            created_at=definition.created_at,
        )


@strawberry.type(
    name="EntityField",
    description="A field rows, filters and exports may name, built-in or custom.",
)
class EntityFieldType:
    name: str = strawberry.field(description="Its name, as records and CSV headers give it.")
    kind: FieldKind = strawberry.field(description="What it holds.")
    custom: bool = strawberry.field(description="Defined by the account (defineCustomField).")
    unique: bool = strawberry.field(description="Unique per account: rows can be matched by it.")
    options: list[str] | None = strawberry.field(description="The values it may hold, if few.")
    aliases: list[str] = strawberry.field(
        description="Other CSV headers that fill it, as other tools export it "
        '("Email Address"); case, spaces, hyphens and underscores aside.'
    )

    @classmethod
    def of(cls, field: FieldInfo) -> "EntityFieldType":
        return cls(
            name=field.name,
            kind=field.kind,
            custom=field.custom,
            unique=field.unique,
            options=list(field.options) or None,
            aliases=list(field.aliases),
        )


@strawberry.input(description="A custom field to define.")
class DefineCustomFieldInput:
    entity_type: EntityType = strawberry.field(description="The entity type it belongs to.")
    name: str = strawberry.field(
        description="Lower snake case, 1-64 characters; not a built-in field's name or `id`."
    )
    kind: FieldKind = strawberry.field(description="What it holds.")
    options: list[str] | None = strawberry.field(
        default=None, description="ENUM only: the values it may hold (1-200)."
    )
    unique: bool = strawberry.field(
        default=False,
        description="TEXT or NUMBER: unique per account, enforced by the database (at most 3 "
        "per entity type); rows can then be matched by it.",
    )
    description: str | None = strawberry.field(default=None, description="What it is for.")


def value_of(enum_value: object) -> str:
    return str(getattr(enum_value, "value", enum_value))


@strawberry.type(description="Reading custom fields.")
class CustomFieldQuery:
    @strawberry.field(description="The caller's custom fields, of one entity type or all.")
    async def custom_fields(
        self,
        info: Info,
        entity_type: Annotated[
            EntityType | None, strawberry.argument(description="Only this entity type's.")
        ] = None,
    ) -> list[CustomFieldType]:
        found = await custom_fields.list_fields(
            info.context.principal, value_of(entity_type) if entity_type else None
        )
        return [CustomFieldType.of(definition) for definition in found]

    @strawberry.field(
        description="Every field of an entity type the caller may name now: the built-in ones, "
        "then its custom fields (for column maps, filter builders, export pickers)."
    )
    async def entity_fields(
        self,
        info: Info,
        entity_type: Annotated[EntityType, strawberry.argument(description="The entity type.")],
    ) -> list[EntityFieldType]:
        found = await custom_fields.fields_of(info.context.principal, value_of(entity_type))
        return [EntityFieldType.of(field) for field in found]


@strawberry.type(description="Defining and deleting custom fields.")
class CustomFieldMutation:
    @strawberry.mutation(
        description="Defines a custom field; the same definition again changes nothing. Its "
        "kind, options or uniqueness cannot change while entities hold values of it."
    )
    async def define_custom_field(
        self,
        info: Info,
        input: Annotated[
            DefineCustomFieldInput, strawberry.argument(description="The field to define.")
        ],
    ) -> CustomFieldType:
        definition = await custom_fields.define(
            info.context.principal,
            value_of(input.entity_type),
            input.name,
            value_of(input.kind),
            input.options,
            input.unique,
            input.description,
        )
        return CustomFieldType.of(definition)

    @strawberry.mutation(
        description="Deletes a custom field from new actions at once; its values stay stored "
        "(a restore can put them back) until retention removes them, RESTORE_RETENTION_DAYS "
        "later. False when there was no such field."
    )
    async def delete_custom_field(
        self,
        info: Info,
        entity_type: Annotated[EntityType, strawberry.argument(description="Its entity type.")],
        name: Annotated[str, strawberry.argument(description="Its name.")],
    ) -> bool:
        return await custom_fields.delete(info.context.principal, value_of(entity_type), name)
