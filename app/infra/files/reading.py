"""Reading a GridFS file's chunks in order with a small cursor batch, or a byte range of it.

Not through GridFS's own reader: FerretDB v1 answers a default getMore over 255 KB chunks
with a reply above its own 48 MB message limit.

A byte range is read from the GridFS chunks ("pieces" here) that hold it, and a process keeps
the pieces it read lately (`RECENT_PIECES`): the chunks of an action's upload follow each
other through a piece (one of 255 KB holds three 1,000-row chunks of a contacts CSV, thirty
of 100 rows), so a piece is read about once a process instead of once a chunk. A stored file
never changes, so a kept piece is never stale; it is kept a short while (`PIECE_SECONDS`), and
forgotten at once when this process deletes its file.
"""

from collections.abc import AsyncGenerator
from typing import Any

from bson import ObjectId
from cachetools import TTLCache

from app.infra.mongo import db

CURSOR_BATCH = 16
# Pieces a process keeps (255 KB each: 2 MB at most), and for how long after it read each.
MOST_PIECES = 8
PIECE_SECONDS = 30.0
RECENT_PIECES: TTLCache[tuple[str, ObjectId, int], bytes] = TTLCache(MOST_PIECES, PIECE_SECONDS)


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
    """Bytes [start, end) of the file, whose GridFS chunks hold `chunk_size` bytes each: the
    pieces this process kept, and one query for the others (one per piece where the server
    filters only equalities itself, as FerretDB v1 would read the whole file's chunks for an
    `$in`). None when the file is gone (deleted by retention)."""
    if end <= start:
        return b""
    numbers = list(range(start // chunk_size, (end - 1) // chunk_size + 1))
    data: dict[int, bytes] = {}
    for n in numbers:
        if (kept := RECENT_PIECES.get((bucket, file_id, n))) is not None:
            data[n] = kept
    if wanted := [n for n in numbers if n not in data]:
        read = await pieces(bucket, file_id, wanted)
        if not read:
            forget(bucket, file_id)  # gone, though this process kept some of it
            return None
        for n, piece in read.items():
            RECENT_PIECES[(bucket, file_id, n)] = data[n] = piece
    if missing := [n for n in numbers if n not in data]:
        raise RuntimeError(f"{bucket} file {file_id} is missing chunk {missing[0]}")
    joined = b"".join(data[n] for n in numbers)
    offset = numbers[0] * chunk_size
    return joined[start - offset : end - offset]


async def pieces(bucket: str, file_id: ObjectId, numbers: list[int]) -> dict[int, bytes]:
    """The file's GridFS chunks of these numbers that exist, by number."""
    chunks: Any = db.current_database()[f"{bucket}.chunks"]
    if db.traits().filters_only_equalities:
        found: list[Any] = [await chunks.find_one({"files_id": file_id, "n": n}) for n in numbers]
    else:
        found = await chunks.find({"files_id": file_id, "n": {"$in": numbers}}).to_list()
    return {doc["n"]: bytes(doc["data"]) for doc in found if doc is not None}


def forget(bucket: str, file_id: ObjectId) -> None:
    """Drops what this process kept of the file (it is being deleted)."""
    for key in [key for key in RECENT_PIECES if key[:2] == (bucket, file_id)]:
        RECENT_PIECES.pop(key, None)
