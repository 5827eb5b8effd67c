"""The API keys store: every read and write of API keys (app.domain.access.api_key), and the
caller a key names.

A key is read on each request it comes with (one read by id, no cache): a revoked or expired
key is refused at once by every API process. When it was last used is written at most once a
minute per key.
"""

import hmac
from datetime import timedelta

from beanie import PydanticObjectId

from app.domain.access import PREFIX, ApiKey, hash_of, parts_of
from app.domain.clock import utcnow
from app.domain.errors import Unauthenticated
from app.domain.principal import Principal, scopes_of

__all__ = ["PREFIX", "insert", "of_account", "principal_of", "revoke"]

USED_EVERY = timedelta(minutes=1)


async def principal_of(key: str) -> Principal:
    """The account and scopes the key grants, or UNAUTHENTICATED saying why none."""
    parts = parts_of(key)
    found = None if parts is None else await ApiKey.get(parts.key_id)
    if found is None or not hmac.compare_digest(found.key_hash, hash_of(key)):
        raise Unauthenticated("Invalid API key: no such key.")
    now = utcnow()
    if found.revoked_at is not None:
        raise Unauthenticated("Invalid API key: it was revoked.")
    if found.expires_at is not None and found.expires_at <= now:
        raise Unauthenticated("Invalid API key: it has expired.")
    if found.last_used_at is None or found.last_used_at < now - USED_EVERY:
        await ApiKey.get_pymongo_collection().update_one(
            {"_id": found.id}, {"$set": {"last_used_at": now}}
        )
    return Principal(
        account_id=found.account_id, api_key_id=str(found.id), scopes=scopes_of(found.scopes)
    )


async def insert(key: ApiKey) -> None:
    await key.insert()


async def of_account(account_id: str) -> list[ApiKey]:
    """The account's keys, oldest first (revoked ones too: they say when)."""
    return await ApiKey.find({"account_id": account_id}).sort("+created_at").to_list()


async def revoke(account_id: str, key_id: PydanticObjectId) -> bool:
    """Revokes the account's key; False when the account has no such key."""
    found = await ApiKey.find_one({"_id": key_id, "account_id": account_id})
    if found is None:
        return False
    if found.revoked_at is None:
        await ApiKey.get_pymongo_collection().update_one(
            {"_id": key_id, "revoked_at": None}, {"$set": {"revoked_at": utcnow()}}
        )
    return True
