"""API keys for integrations: made with the scopes the creator chooses among its own, listed
without their secret, revoked at once."""

from datetime import datetime

from beanie import PydanticObjectId
from bson.errors import InvalidId

from app.domain.access import ApiKey, AuditKind, hash_of, new_key
from app.domain.access.api_key import SHOWN_PREFIX_CHARS
from app.domain.clock import utcnow
from app.domain.errors import BadUserInput, Forbidden, NotFound
from app.domain.principal import Principal, Scope
from app.domain.values import text_problem
from app.infra.mongo import db
from app.infra.mongo.accounts import api_keys
from app.usecases.accounts import audit

MAX_NAME = 100
MAX_KEYS = 100  # per account, revoked ones included


async def create_key(
    principal: Principal, name: str, scopes: list[Scope], expires_at: datetime | None
) -> tuple[ApiKey, str]:
    """The new key and its secret (shown this once)."""
    name = name.strip()
    if not name or len(name) > MAX_NAME or (problem := text_problem(name)) is not None:
        reason = "" if not name or len(name) > MAX_NAME else f": it {problem}"
        raise BadUserInput(f"`name`: 1 to {MAX_NAME} characters{reason}.")
    if not scopes:
        raise BadUserInput("`scopes`: give at least one.")
    if beyond := sorted(scope.value for scope in set(scopes) - principal.granted):
        raise Forbidden(
            f"A key cannot hold scopes its creator lacks: {', '.join(beyond)}.", scopes=beyond
        )
    if expires_at is not None and expires_at <= utcnow():
        raise BadUserInput("`expiresAt` must be in the future.")
    if await db.count(ApiKey, {"account_id": principal.account_id}) >= MAX_KEYS:
        raise BadUserInput(f"The account has {MAX_KEYS} API keys already: revoke and delete some.")
    key_id = PydanticObjectId()
    secret = new_key(key_id)
    key = ApiKey(
        id=key_id,
        account_id=principal.account_id,
        name=name,
        scopes=sorted({scope.value for scope in scopes}),
        key_hash=hash_of(secret),
        shown_prefix=secret[:SHOWN_PREFIX_CHARS],
        created_by_user=principal.user_id,
        created_by_key=None
        if principal.api_key_id is None
        else PydanticObjectId(principal.api_key_id),
        expires_at=expires_at,
    )
    await api_keys.insert(key)
    await audit.record(principal, AuditKind.API_KEY_CREATED, subject=str(key_id), name=name)
    return key, secret


async def keys_of(principal: Principal) -> list[ApiKey]:
    return await api_keys.of_account(principal.account_id)


async def revoke_key(principal: Principal, key_id: str) -> None:
    """Revokes the caller's account's key: refused from then on by every API process."""
    try:
        found = await api_keys.revoke(principal.account_id, PydanticObjectId(key_id))
    except (InvalidId, TypeError, ValueError):
        found = False
    if not found:
        raise NotFound(f"No API key {key_id[:40]!r} in this account.")
    await audit.record(principal, AuditKind.API_KEY_REVOKED, subject=key_id)
