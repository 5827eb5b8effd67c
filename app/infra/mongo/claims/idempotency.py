"""The idempotency store: which action holds each claim on a key (app.domain.models.
idempotency); the unique _id makes the first claim win."""

from beanie import PydanticObjectId
from pymongo.errors import DuplicateKeyError

from app.domain.models import IdempotencyKey


async def claim_of(claim_id: str) -> IdempotencyKey | None:
    """The claim, if it stands."""
    return await IdempotencyKey.get(claim_id)


async def holder_of(claim_id: str) -> PydanticObjectId | None:
    """The action named by the claim, if the claim stands."""
    found = await claim_of(claim_id)
    return None if found is None else found.action_id


async def claim(claim_id: str, action_id: PydanticObjectId, fingerprint: str | None = None) -> bool:
    """Stores the claim for the action; False when it stands already."""
    try:
        await IdempotencyKey(id=claim_id, action_id=action_id, fingerprint=fingerprint).insert()
    except DuplicateKeyError:
        return False
    return True


async def release(claim_id: str, action_id: PydanticObjectId) -> None:
    """Removes the claim, if this action holds it."""
    await IdempotencyKey.get_pymongo_collection().delete_one(
        {"_id": claim_id, "action_id": action_id}
    )
