"""The before-images store: what the chunks of an earlier version left of the entities they
changed (app.domain.models.before_image), kept for as long as their action may be restored,
and read back by its restore. Chunks now keep no images apart: a restore makes them from
their decisions (app.engine.planning.images_of)."""

from datetime import datetime, timedelta
from typing import cast

from beanie import PydanticObjectId

from app.domain.clock import utcnow
from app.domain.models.action_log import block_of
from app.domain.models.before_image import BeforeImageBlock
from app.domain.rows import BeforeImage
from app.infra.settings import get_settings

# Images outlive the restore window by a day, so they are there until it closes.
MARGIN = timedelta(days=1)


def kept_for() -> timedelta:
    return timedelta(days=get_settings().restore_retention_days)


async def keep_until_restore_closes(action_id: PydanticObjectId) -> None:
    """The action has ended: its images are kept until its restore window closes (they were
    stored to expire that long after they were written)."""
    await BeforeImageBlock.get_pymongo_collection().update_many(
        {"action_id": action_id}, {"$set": {"expires_at": utcnow() + kept_for() + MARGIN}}
    )


async def delete_expired(now: datetime | None = None) -> int:
    """Deletes the images whose restore window has closed. mongod's TTL index does it too;
    FerretDB v1 has none, so the sweeper calls this."""
    result = await BeforeImageBlock.get_pymongo_collection().delete_many(
        {"expires_at": {"$lt": now or utcnow()}}
    )
    return result.deleted_count


async def images_of_block(action_id: PydanticObjectId, block: int) -> list[BeforeImage]:
    """The images of one block in row order, each row once: one equality read."""
    cursor = BeforeImageBlock.get_pymongo_collection().find(
        {"action_id": action_id, "block": block}
    )
    found: dict[int, BeforeImage] = {}
    for document in await cursor.to_list():
        for image in document["images"]:
            found.setdefault(image["row"], cast(BeforeImage, {**image, "stamp": document["stamp"]}))
    return [found[row] for row in sorted(found)]


async def images_of_rows(action_id: PydanticObjectId, first: int, last: int) -> list[BeforeImage]:
    """The images of the rows `first` to `last`, in row order: a read per block."""
    return [
        image
        for block in range(block_of(first), block_of(last) + 1)
        for image in await images_of_block(action_id, block)
        if first <= image["row"] <= last
    ]
