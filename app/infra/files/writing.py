"""Writing a GridFS file as it arrives, a few chunks an insert, its file document last.

Not through GridFS's own writer, which holds up to 48 MB of a file in memory before it
inserts a chunk (PyMongo's upload buffer): an API process taking uploads at once would hold
that much for each, and a process that died would leave that much unwritten and the rest
unnamed. This one holds at most CHUNKS_PER_INSERT chunks. What it writes is what GridFS
writes (chunk documents `files_id`, `n`, `data`; a file document with `length`,
`chunkSize`, `uploadDate`, `filename`, `metadata`), so GridFS's tools read it as theirs.

A database that goes down while a file arrives (a restart) costs the upload only time: each
insert is tried again until the database is back, for UPLOAD_OUTAGE_PATIENCE_SECONDS from
the first failure and never past the upload's own deadline, while the client waits (nothing
more of its body is read meanwhile). Inserts are idempotent: a chunk or file document an
attempt stored before its reply was lost is found there, not stored twice.
"""

from typing import Any

from bson import Binary, ObjectId
from pymongo import ASCENDING, IndexModel

from app.domain.clock import utcnow
from app.infra.mongo import db
from app.infra.outages import riding_out
from app.infra.settings import get_settings

# Chunks inserted by one command (about 1 MB of 255 KB chunks).
CHUNKS_PER_INSERT = 4

# The buckets whose indexes this process made sure of (GridFS's own, made once).
_indexed: set[str] = set()


async def ensure_indexes(bucket: str) -> None:
    if bucket in _indexed:
        return
    database = await db.connect()
    await database[f"{bucket}.chunks"].create_indexes(
        [IndexModel([("files_id", ASCENDING), ("n", ASCENDING)], unique=True)]
    )
    await database[f"{bucket}.files"].create_indexes(
        [IndexModel([("filename", ASCENDING), ("uploadDate", ASCENDING)])]
    )
    _indexed.add(bucket)


class FileWriter:
    """One file of `bucket`, written under `file_id` in chunks of `chunk_size` bytes; a
    database outage is waited out until `deadline` (time.monotonic; none by default)."""

    def __init__(
        self,
        bucket: str,
        file_id: ObjectId,
        chunk_size: int,
        filename: str,
        metadata: Any,
        deadline: float = float("inf"),
    ) -> None:
        self.bucket, self.file_id, self.chunk_size = bucket, file_id, chunk_size
        self.filename, self.metadata = filename, metadata
        self.deadline = deadline
        self._held = bytearray()  # less than CHUNKS_PER_INSERT chunks' bytes
        self._chunks = 0  # chunks inserted
        self._length = 0

    async def write(self, data: bytes) -> None:
        self._held += data
        self._length += len(data)
        whole = len(self._held) // self.chunk_size
        if whole >= CHUNKS_PER_INSERT:
            await self._insert(whole)

    async def close(self, **metadata: Any) -> None:
        """Inserts the rest and then the file document, which makes the file whole (with
        `metadata` added to its own: what only the whole file tells)."""
        await self._insert(-(-len(self._held) // self.chunk_size))
        self.metadata = {**self.metadata, **metadata}
        document = {
            "_id": self.file_id,
            "length": self._length,
            "chunkSize": self.chunk_size,
            "uploadDate": utcnow(),
            "filename": self.filename,
            "metadata": self.metadata,
        }
        await self._stored(f"{self.bucket}.files", [document])

    async def _insert(self, count: int) -> None:
        if not count:
            return
        size, held = self.chunk_size, self._held
        documents = [
            {
                "files_id": self.file_id,
                "n": self._chunks + at,
                "data": Binary(bytes(held[at * size : (at + 1) * size])),
            }
            for at in range(count)
        ]
        await self._stored(f"{self.bucket}.chunks", documents)
        del held[: count * size]
        self._chunks += count

    async def _stored(self, collection: str, documents: list[dict[str, Any]]) -> None:
        async def insert() -> None:
            await ensure_indexes(self.bucket)
            await db.insert_new((await db.connect())[collection], documents)

        await riding_out(insert, self.deadline, get_settings().upload_outage_patience_seconds)
