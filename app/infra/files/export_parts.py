"""Exported CSV parts in GridFS: one file per chunk, named by the chunk's id.

A chunk delivered again stores its part anew and then removes the older copies, so a part is
never kept twice, and a reader always finds one (the newest).
"""

from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any

from gridfs import AsyncGridFSBucket

from app.infra.files import reading as gridfs_files
from app.infra.mongo import db

BUCKET = "exports"


def files() -> Any:
    return db.current_database()[f"{BUCKET}.files"]


async def store_part(action_id: str, part_id: str, data: bytes) -> None:
    bucket = AsyncGridFSBucket(db.current_database(), bucket_name=BUCKET)
    older = [doc["_id"] async for doc in files().find({"filename": part_id}, {"_id": 1})]
    await bucket.upload_from_stream(part_id, data, metadata={"action_id": action_id})
    for file_id in older:
        await bucket.delete(file_id)


async def read_part(part_id: str) -> AsyncGenerator[bytes, None]:
    """The part's bytes (nothing if the chunk stored none)."""
    newest = await files().find_one({"filename": part_id}, sort=[("uploadDate", -1), ("_id", -1)])
    if newest is None:
        return
    async with aclosing(gridfs_files.stream(BUCKET, newest["_id"])) as data:
        async for piece in data:
            yield piece
