"""An API key: a long random secret an integration sends as its bearer token, with the
scopes its creator gave it (never more than the creator held).

The key reads `bak_<id>_<secret>`: the id finds its document with one read, and only the
SHA-256 of the whole key is stored (the secret has 256 bits of randomness, so a fast hash
is enough), so the secret is shown once, when it is made, and never again.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from beanie import Document, PydanticObjectId
from bson import ObjectId
from bson.errors import InvalidId
from pydantic import Field
from pymongo import ASCENDING, IndexModel

from app.domain.clock import utcnow

PREFIX = "bak_"
SHOWN_PREFIX_CHARS = 12  # "bak_" and the first 8 characters of the id, to tell keys apart


class ApiKey(Document):
    account_id: str
    name: str
    scopes: list[str]
    key_hash: str
    shown_prefix: str
    created_at: datetime = Field(default_factory=utcnow)
    created_by_user: str | None = None
    created_by_key: PydanticObjectId | None = None
    last_used_at: datetime | None = None
    expires_at: datetime | None = None
    revoked_at: datetime | None = None

    class Settings:
        name = "api_keys"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("account_id", ASCENDING), ("created_at", ASCENDING)]),
        ]


@dataclass(frozen=True)
class KeyParts:
    key_id: PydanticObjectId
    secret: str


def hash_of(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key(key_id: PydanticObjectId) -> str:
    return f"{PREFIX}{key_id}_{secrets.token_urlsafe(32)}"


def parts_of(key: str) -> KeyParts | None:
    """The id and secret of a key in the key's form, else None."""
    if not key.startswith(PREFIX):
        return None
    key_id, _, secret = key[len(PREFIX) :].partition("_")
    try:
        return KeyParts(PydanticObjectId(ObjectId(key_id)), secret) if secret else None
    except (InvalidId, TypeError):
        return None
