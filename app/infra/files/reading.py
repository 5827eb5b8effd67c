"""Reading a GridFS file's chunks in order with a small cursor batch, or a byte range of it.

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


async def byte_range(
    bucket: str, file_id: ObjectId, start: int, end: int, chunk_size: int
) -> bytes | None:
    """Bytes [start, end) of the file, whose GridFS chunks hold `chunk_size` bytes each: one
    query for the few chunks that hold them (one per chunk where the server filters only
    equalities itself, as FerretDB v1 would read the whole file's chunks for an `$in`). None
    when the file is gone (deleted by retention)."""
    if end <= start:
        return b""
    numbers = list(range(start // chunk_size, (end - 1) // chunk_size + 1))
    chunks: Any = db.current_database()[f"{bucket}.chunks"]
    if db.traits().filters_only_equalities:
        found: list[Any] = [await chunks.find_one({"files_id": file_id, "n": n}) for n in numbers]
    else:
        found = await chunks.find({"files_id": file_id, "n": {"$in": numbers}}).to_list()
    data: dict[int, bytes] = {doc["n"]: bytes(doc["data"]) for doc in found if doc is not None}
    if not data:
        return None
    if missing := [n for n in numbers if n not in data]:
        raise RuntimeError(f"{bucket} file {file_id} is missing chunk {missing[0]}")
    joined = b"".join(data[n] for n in numbers)
    offset = numbers[0] * chunk_size
    return joined[start - offset : end - offset]
