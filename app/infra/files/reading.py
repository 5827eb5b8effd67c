"""Reading a GridFS file's chunks in order with a small cursor batch.

Not through GridFS's own reader: FerretDB v1 answers a default getMore over 255 KB chunks
with a reply above its own 48 MB message limit.
"""

from collections.abc import AsyncGenerator
from typing import Any

from bson import ObjectId

from app.infra.mongo import db

CURSOR_BATCH = 16


async def stream(bucket: str, file_id: ObjectId) -> AsyncGenerator[bytes, None]:
    chunks = db.current_database()[f"{bucket}.chunks"]
    cursor = chunks.find({"files_id": file_id}, batch_size=CURSOR_BATCH).sort("n", 1)
    expected = 0
    try:
        async for chunk in cursor:
            if chunk["n"] != expected:
                raise RuntimeError(f"{bucket} file {file_id} is missing chunk {expected}")
            expected += 1
            data: Any = chunk["data"]
            yield bytes(data)
    finally:
        await cursor.close()  # also when the reader stops early (a header check)
