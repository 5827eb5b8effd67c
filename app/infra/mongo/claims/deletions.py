"""The deletion claims store: which action's chunk deleted each entity
(app.domain.models.chunk.DeletionClaim).

Two DELETE actions that name one entity may both read it before either deletes it. A
delete's reply counts what it deleted, not which, so each would log the entity DELETED and
each restore put it back. A chunk claims its targets before deleting them instead: one
unordered insert of a claim per target, under the target's id, so that the server's unique
`_id` decides which chunk deletes it, on mongod as on FerretDB (no update of one document by
two writers, which FerretDB v1 may lose). A chunk delivered again finds its own claims.
"""

from collections.abc import Iterable, Sequence

from beanie import PydanticObjectId
from bson import ObjectId

from app.domain.models.chunk import DeletionClaim
from app.infra.mongo import db


def ids_of(entity_ids: Iterable[str]) -> list[ObjectId]:
    return [ObjectId(entity_id) for entity_id in entity_ids]


async def claim(action_id: PydanticObjectId, chunk_id: str, entity_ids: Sequence[str]) -> set[str]:
    """The entities among these that the chunk deletes: those it claims now or claimed on an
    earlier delivery. One insert; one read more only where another claim was there (a
    delivery again, or another action's: that action deletes the entity)."""
    if not entity_ids:
        return set()
    claims = [
        {"_id": entity_id, "action_id": action_id, "chunk_id": chunk_id}
        for entity_id in ids_of(entity_ids)
    ]
    collection = DeletionClaim.get_pymongo_collection()
    # Any error but a claim held already propagates: the chunk is tried again.
    if not (held := [claims[index]["_id"] for index in await db.insert_new(collection, claims)]):
        return set(entity_ids)
    others = collection.find({"_id": {"$in": held}, "chunk_id": {"$ne": chunk_id}}, {"_id": 1})
    return set(entity_ids) - {str(found["_id"]) async for found in others}


async def claimed_by(chunk_id: str, entity_ids: Sequence[str]) -> set[str]:
    """The entities among these that the chunk claimed (it deleted them, or was to)."""
    if not entity_ids:
        return set()
    found = DeletionClaim.get_pymongo_collection().find(
        {"_id": {"$in": ids_of(entity_ids)}, "chunk_id": chunk_id}, {"_id": 1}
    )
    return {str(claimed["_id"]) async for claimed in found}


async def let_go(entity_ids: Sequence[str]) -> None:
    """A restore put these entities back: a later delete of them is a new deletion."""
    if entity_ids:
        await DeletionClaim.get_pymongo_collection().delete_many(
            {"_id": {"$in": ids_of(entity_ids)}}
        )


async def let_go_of_action(action_id: PydanticObjectId) -> None:
    """The action's restore window has closed: its claims have nothing left to decide."""
    await DeletionClaim.get_pymongo_collection().delete_many({"action_id": action_id})
