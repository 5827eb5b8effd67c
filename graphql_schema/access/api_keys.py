"""API keys in the schema: make one (its secret shown once), list them, revoke one."""

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from app.domain.access import ApiKey
from app.domain.principal import Scope
from app.usecases.accounts import api_keys
from graphql_schema.context import Info


@strawberry.enum(name="Scope", description="What a token or API key may do.")
class ScopeEnum(Enum):
    BULK_READ = strawberry.enum_value(
        "bulk:read", description="Queries, subscriptions, downloads of logs and exports."
    )
    BULK_WRITE = strawberry.enum_value(
        "bulk:write",
        description="Create and control actions; restore, retry, run; webhooks, custom "
        "fields, API keys.",
    )
    BULK_ADMIN = strawberry.enum_value(
        "bulk:admin", description="Account limits, and any account's data given explicitly."
    )


def scope_of(value: ScopeEnum) -> Scope:
    return Scope(f"bulk:{value.name.removeprefix('BULK_').lower()}")


def enum_of(scope: str) -> ScopeEnum:
    return ScopeEnum[f"BULK_{scope.removeprefix('bulk:').upper()}"]


@strawberry.type(description="Who did something: a user of the identity provider, or an API key.")
class Actor:
    user_id: str | None = strawberry.field(description="The user's id (the token's user claim).")
    api_key_id: strawberry.ID | None = strawberry.field(description="The API key's id.")


@strawberry.input(description="A user (its id) or an API key (its id), to filter by.")
class ActorInput:
    user_id: str | None = strawberry.field(default=None, description="The user's id.")
    api_key_id: strawberry.ID | None = strawberry.field(default=None, description="The key's id.")


def actor(user_id: str | None, api_key_id: object | None) -> Actor:
    return Actor(
        user_id=user_id, api_key_id=None if api_key_id is None else strawberry.ID(str(api_key_id))
    )


@strawberry.type(name="ApiKey", description="An API key of the account (never its secret).")
class ApiKeyType:
    id: strawberry.ID = strawberry.field(description="The key's id.")
    name: str = strawberry.field(description="What it is for.")
    scopes: list[ScopeEnum] = strawberry.field(description="What it may do.")
    prefix: str = strawberry.field(description="The key's first characters, to recognise it.")
    created_at: datetime = strawberry.field(description="When it was made.")
    created_by: Actor = strawberry.field(description="Who made it.")
    last_used_at: datetime | None = strawberry.field(
        description="When it was last used (to the minute)."
    )
    expires_at: datetime | None = strawberry.field(description="When it stops working.")
    revoked_at: datetime | None = strawberry.field(description="When it was revoked.")

    @classmethod
    def of(cls, key: ApiKey) -> "ApiKeyType":
        by_key = None if key.created_by_key is None else strawberry.ID(str(key.created_by_key))
        return cls(
            id=strawberry.ID(str(key.id)),
            name=key.name,
            scopes=[enum_of(scope) for scope in key.scopes],
            prefix=key.shown_prefix,
            created_at=key.created_at,
            created_by=Actor(user_id=key.created_by_user, api_key_id=by_key),
            last_used_at=key.last_used_at,
            expires_at=key.expires_at,
            revoked_at=key.revoked_at,
        )


@strawberry.type(description="A new API key and its secret, shown this once.")
class ApiKeyWithSecret:
    key: ApiKeyType = strawberry.field(description="The key.")
    secret: str = strawberry.field(
        description="Send it as `Authorization: Bearer <secret>`. It is not stored: keep it now."
    )


@strawberry.type
class ApiKeyQuery:
    @strawberry.field(description="The account's API keys, oldest first (revoked ones too).")
    async def api_keys(self, info: Info) -> list[ApiKeyType]:
        return [ApiKeyType.of(key) for key in await api_keys.keys_of(info.context.principal)]


@strawberry.type
class ApiKeyMutation:
    @strawberry.mutation(
        description="Makes an API key for an integration, with scopes the caller holds; its "
        "secret is answered once."
    )
    async def create_api_key(
        self,
        info: Info,
        name: Annotated[str, strawberry.argument(description="What it is for.")],
        scopes: Annotated[list[ScopeEnum], strawberry.argument(description="What it may do.")],
        expires_at: Annotated[
            datetime | None, strawberry.argument(description="When it stops working.")
        ] = None,
    ) -> ApiKeyWithSecret:
        key, secret = await api_keys.create_key(
            info.context.principal, name, [scope_of(scope) for scope in scopes], expires_at
        )
        return ApiKeyWithSecret(key=ApiKeyType.of(key), secret=secret)

    @strawberry.mutation(description="Revokes a key: every API process refuses it from now on.")
    async def revoke_api_key(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="The key.")]
    ) -> bool:
        await api_keys.revoke_key(info.context.principal, id)
        return True
