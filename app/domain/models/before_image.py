"""What an entity looked like before an action changed it, kept so the action can be undone.

For each row it changed: the previous values of the fields an update read (and those the
entity lacked, as absent), the whole document a delete removed, or that the entity did not
exist (an insert). A restore makes them from the chunks' stored decisions (what each chunk's
first attempt read before writing: app.engine.planning.images_of), so a redelivered chunk never
gives the state after its own earlier write.

Chunks of earlier versions also stored them apart, like the logs, in blocks of consecutive rows
(`app.domain.models.action_log`) under an id made of the action, the block and its first row.
Those blocks are read back for a restore of the chunks that stored them, and carry
`expires_at`, from which a TTL index deletes them when restore is no longer allowed
(RESTORE_RETENTION_DAYS after the action ended; a far date while it runs).
"""

from collections.abc import Iterable
from datetime import datetime
from itertools import groupby
from typing import Any, ClassVar

from beanie import Document, PydanticObjectId
from pymongo import ASCENDING, IndexModel

from app.domain.models.action_log import block_of
from app.domain.rows import BeforeImage


class BeforeImageBlock(Document):
    """The images of one chunk's rows within one block."""

    id: str  # type: ignore[assignment]  # "<action_id>:<block>:<first row>"
    action_id: PydanticObjectId
    block: int
    stamp: datetime  # the chunk's (its images' `stamp`)
    expires_at: datetime
    images: list[dict[str, Any]]  # BeforeImage without its stamp

    class Settings:
        name = "before_images"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("action_id", ASCENDING), ("block", ASCENDING)]),
            IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0),
        ]


def image_documents(
    action_id: PydanticObjectId, expires_at: datetime, images: Iterable[BeforeImage]
) -> list[dict[str, Any]]:
    """The documents that store a chunk's images: one per block among its rows. The chunk's
    stamp is stored once per document, and an update's empty `added` not at all."""
    ordered = sorted(images, key=lambda image: image["row"])
    documents = []
    for (block, stamp), group in groupby(
        ordered, key=lambda image: (block_of(image["row"]), image["stamp"])
    ):
        stored = [
            {name: value for name, value in image.items() if name != "stamp" and value != []}
            for image in group
        ]
        documents.append(
            {
                "_id": f"{action_id}:{block}:{stored[0]['row']}",
                "action_id": action_id,
                "block": block,
                "stamp": stamp,
                "expires_at": expires_at,
                "images": stored,
            }
        )
    return documents
