"""What an entity looked like before an action changed it, kept so the action can be undone.

For each row it changed: the previous values of the fields an update read (and those the
entity lacked, as absent), the whole document a delete removed, or that the entity did not
exist (an insert). A restore makes them from the chunks' stored decisions (what each chunk's
first attempt read before writing: app.engine.planning.images_of), so a redelivered chunk never
gives the state after its own earlier write.

Chunks of earlier versions also stored them apart, like the logs, in blocks of consecutive rows
(`app.domain.models.action_log`) under an id made of the action, the block and its first row,
with the chunk's stamp once per document and an update's empty `added` left out. Those blocks
are read back for a restore of the chunks that stored them, and carry `expires_at`, from which
a TTL index deletes them when restore is no longer allowed (RESTORE_RETENTION_DAYS after the
action ended; a far date while it runs).
"""

from datetime import datetime
from typing import Any, ClassVar

from beanie import Document, PydanticObjectId
from pymongo import ASCENDING, IndexModel


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
